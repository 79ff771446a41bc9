"""The documents pages: upload, the list waiting for review, and the review page."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from payables.documents.models import Document
from payables.documents.services import receive_document
from payables.documents.tests.conftest import UBL
from payables.documents.tests.test_review import GOOD, read
from payables.invoices.models import Invoice
from payables.web.tests.test_review_support import waiting_document


def test_an_accountant_uploads_files_and_they_are_read(
    make_member, browser_for, django_capture_on_commit_callbacks
):
    browser = browser_for(make_member("ACC", roles=("accountant",)))
    files = [SimpleUploadedFile("a.xml", UBL.read_bytes()), SimpleUploadedFile("b.txt", b"x")]

    with django_capture_on_commit_callbacks(execute=True):
        answer = browser.post("/documents/", {"files": files}, follow=True)

    assert answer.status_code == 200
    text = answer.content.decode()
    assert "a.xml: received" in text and "b.txt: not taken (unsupported_format" in text
    assert set(Document.objects.values_list("channel", flat=True)) == {"web"}
    assert Invoice.objects.get().origin == "e-invoice"


def test_an_approver_may_not_upload(make_member, browser_for):
    browser = browser_for(make_member("APP"))

    assert browser.get("/documents/").status_code == 403


def test_the_list_shows_what_waits_for_review(make_member, browser_for, actor, company, supplier):
    document = waiting_document(actor, company, GOOD)
    browser = browser_for(make_member("ACC", roles=("accountant",)))

    text = browser.get("/documents/").content.decode()

    assert f"/documents/{document.id}/" in text and "The company reviews every" in text


def test_the_review_page_boxes_the_fields_on_the_page(
    make_member, browser_for, actor, company, supplier
):
    fields = GOOD | {"invoice_number": read("S-1", confidence=0.5)}
    document = waiting_document(actor, company, fields)
    browser = browser_for(make_member("ACC", roles=("accountant",)))

    page = browser.get(f"/documents/{document.id}/").content.decode()
    image = browser.get(f"/documents/{document.id}/pages/1.png")

    assert 'data-field="invoice_number"' in page and 'class="unsure"' in page
    assert 'x="0.100000"' in page
    assert (image.status_code, image["Content-Type"]) == (200, "image/png")
    assert image.content.startswith(b"\x89PNG")
    assert browser.get(f"/documents/{document.id}/pages/2.png").status_code == 404


def test_reviewing_creates_the_invoice_with_the_corrections(
    make_member, browser_for, actor, company, supplier
):
    document = waiting_document(
        actor, company, GOOD | {"invoice_number": read("5-1", confidence=0.4)}
    )
    browser = browser_for(make_member("ACC", roles=("accountant",)))

    answer = browser.post(f"/documents/{document.id}/", {"invoice_number": "S-1"})

    invoice = Invoice.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/invoices/{invoice.id}/"
    assert (invoice.invoice_number, invoice.origin) == ("S-1", "digitized")


def test_a_review_missing_a_field_shows_where(make_member, browser_for, actor, company, supplier):
    document = waiting_document(
        actor, company, {k: v for k, v in GOOD.items() if k != "issue_date"}
    )
    browser = browser_for(make_member("ACC", roles=("accountant",)))

    answer = browser.post(f"/documents/{document.id}/", {})

    assert answer.status_code == 422
    assert 'id="e-issue_date"' in answer.content.decode()
    assert not Invoice.objects.exists()


def test_a_corrected_iban_failing_its_check_is_shown_at_its_field(
    make_member, browser_for, actor, company, supplier
):
    document = waiting_document(actor, company, GOOD)
    browser = browser_for(make_member("ACC", roles=("accountant",)))

    answer = browser.post(f"/documents/{document.id}/", {"iban": "EE38 2200 2210 2014 5686"})

    assert answer.status_code == 422
    page = answer.content.decode()
    assert 'id="e-iban"' in page and "Not a valid IBAN" in page
    assert not Invoice.objects.exists()


def test_another_companys_document_is_not_found(
    make_member, browser_for, other_company, django_capture_on_commit_callbacks
):
    from payables.tenancy.actors import Actor

    document = receive_document(b"junk", actor=Actor.system(other_company), filename="x")
    browser = browser_for(make_member("ACC", roles=("accountant",)))

    assert browser.get(f"/documents/{document.id}/").status_code == 404


def test_a_page_that_decodes_to_gigapixels_is_not_shown(make_member, browser_for, company):
    """A 1-bit PNG of 20,000 x 10,000 pixels is a few KB: Pillow refuses to decode it."""
    import io

    from PIL import Image

    from payables.tenancy.actors import Actor

    out = io.BytesIO()
    Image.new("1", (20_000, 10_000)).save(out, format="PNG")  # not-orm
    document = receive_document(out.getvalue(), actor=Actor.system(company), filename="x.png")
    browser = browser_for(make_member("ACC", roles=("accountant",)))

    assert document.kind == "png"
    assert browser.get(f"/documents/{document.id}/pages/1.png").status_code == 404
