"""The review page in Chromium: the page image with the fields boxed, corrected, invoiced."""

from __future__ import annotations

from payables.documents.models import Document
from payables.documents.tests.test_review import GOOD, read
from payables.invoices.models import Invoice
from payables.tests.task_worker import use_database_tasks
from payables.web.tests.test_browser import (  # noqa: F401 (fixtures)
    _screenshot,
    _sign_in,
    browser,
    page,
    pytestmark,
)
from payables.web.tests.test_review_support import waiting_document

pytestmark = pytestmark  # browser marks: Chromium and playwright, else skipped


def test_an_accountant_reviews_a_document_beside_its_page(
    page,  # noqa: F811 (the imported fixture)
    accountant,
    actor,
    company,
    supplier,
    settings,
):
    use_database_tasks(settings)  # the upload's task stays queued: the reading is given below
    fields = GOOD | {"invoice_number": read("5-1", confidence=0.4)}
    document = waiting_document(actor, company, fields)
    _sign_in(page, "acc@example.com")

    page.goto("/documents/")
    page.get_by_role("link", name="s-1.pdf").first.click()
    image = page.get_by_role("img", name="Page 1 of the document")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert page.locator("rect.unsure").count() == 1
    assert page.locator("rect.sure").count() == len(GOOD) - 1
    _screenshot(page, "document-review.png")
    page.get_by_label("invoice number").fill("S-1")
    page.get_by_role("button", name="Create invoice").click()

    page.get_by_text("The invoice was created.").wait_for()
    invoice = Invoice.objects.get()
    assert invoice.invoice_number == "S-1"
    assert Document.objects.get(pk=document.pk).invoice_id == invoice.id
