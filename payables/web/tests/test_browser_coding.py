"""The coding editor in Chromium: an accountant recodes a line in place, and a wrong total
is refused beside the lines; the page breaks no rule of the Content-Security-Policy."""

from __future__ import annotations

from decimal import Decimal

from payables.coding.models import PostingLine
from payables.invoices.tests.master_data import MasterData
from payables.web.tests.test_browser import (  # noqa: F401 (fixtures)
    _screenshot,
    _sign_in,
    browser,
    page,
    pytestmark,
)

pytestmark = pytestmark  # browser marks: Chromium and playwright, else skipped

try:
    from playwright.sync_api import expect
except ImportError:  # skipped by the marks above
    expect = None


def test_an_accountant_recodes_a_line_in_place_and_sees_a_wrong_total_refused(
    page,  # noqa: F811 (the imported fixture)
    accountant,
    api,
    make_invoice,
):
    data = MasterData(api)
    for code in ("4000", "6000"):
        data.account(code)
    data.vat_code("VAT22", "22")
    invoice = make_invoice(invoice_number="C-1")
    _sign_in(page, "acc@example.com")
    page.goto(f"/invoices/{invoice.id}/")
    card = page.locator("#coding")
    expect(card.get_by_role("heading", name="Edit posting lines")).to_be_visible()

    card.get_by_label("Account of line 1").fill("6000")
    card.get_by_label("VAT code of line 1").fill("VAT22")
    card.get_by_label("Account of line 2").fill("4000")
    card.get_by_role("button", name="Save coding").click()
    expect(card.get_by_role("status")).to_have_text("The posting lines are saved.")
    assert page.url.endswith(f"/invoices/{invoice.id}/")  # swapped in place by htmx
    table = card.get_by_role("table", name="Posting lines of the invoice")
    expect(table.get_by_role("row").nth(1)).to_contain_text("6000")
    expect(table.get_by_role("row").nth(1)).to_contain_text("manual")
    first = PostingLine.objects.get(invoice=invoice, position=1)
    assert (first.account_code, first.vat_code) == ("6000", "VAT22")
    _screenshot(page, "invoice-coding.png")

    card.get_by_label("Net of line 2").fill("49.00")
    card.get_by_label("Net of line 2").press("Enter")  # Enter saves (never removes a line)
    expect(card.get_by_role("alert").first).to_contain_text("The lines' net adds up to 149.00 EUR")
    expect(card.get_by_label("Net of line 2")).to_have_value("49.00")
    expect(card.get_by_label("Account of line 2")).to_be_visible()
    assert PostingLine.objects.get(invoice=invoice, position=2).net_amount == Decimal("50.00")

    card.get_by_label("Account of line 2").fill("9999")
    card.get_by_label("Net of line 2").fill("50.00")
    card.get_by_role("button", name="Save coding").click()
    account = card.get_by_label("Account of line 2")
    expect(account).to_have_attribute("aria-invalid", "true")
    expect(card.locator("#id_line-1-account_code-error")).to_have_text(
        "There is no account '9999'."
    )
    _screenshot(page, "invoice-coding-error.png")
    assert PostingLine.objects.get(invoice=invoice, position=2).account_code == "4000"
