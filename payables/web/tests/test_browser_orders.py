"""The purchase order picker in Chromium: an accountant sees a discrepancy with its reasons,
chooses a row's order line, is refused an unknown order beside the field, and says the
invoice bills no order; the card is swapped in place and breaks no rule of the CSP."""

from __future__ import annotations

from payables.orders.models import InvoiceMatch, MatchAllocation
from payables.orders.tests.matching_cases import row
from payables.web.tests.test_browser import (  # noqa: F401 (fixtures)
    _screenshot,
    _sign_in,
    browser,
    page,
    pytestmark,
)
from payables.web.tests.test_views_orders import (  # noqa: F401 (fixtures)
    bill,
    make_order,
    paper_order,
    requester,
)

pytestmark = pytestmark  # browser marks: Chromium and playwright, else skipped

try:
    from playwright.sync_api import expect
except ImportError:  # skipped by the marks above
    expect = None


def test_an_accountant_picks_a_row_s_order_line_and_then_says_no_order(
    page,  # noqa: F811 (the imported fixture)
    accountant,
    paper_order,  # noqa: F811
    bill,  # noqa: F811
):
    invoice = bill(
        "PO-B-1", row("Paper", "4", "12.50"), row("Printing supplies", "2", "44"), order="PO-1"
    )
    _sign_in(page, "acc@example.com")
    page.goto(f"/invoices/{invoice.id}/")
    card = page.locator("#po-match")
    expect(page.get_by_role("link", name="PO discrepancy")).to_be_visible()
    expect(card.locator(".po-reasons")).to_contain_text("Discrepancy")
    expect(card.locator(".po-reasons")).to_contain_text("Row 2")
    _screenshot(page, "invoice-po-discrepancy.png")

    card.get_by_label("Order line of row 2").select_option("2")
    card.get_by_label("Quantity of row 2").fill("2")
    card.get_by_role("button", name="Match", exact=True).click()
    expect(card.get_by_role("status")).to_contain_text("The invoice is matched to order PO-1")
    assert page.url.endswith(f"/invoices/{invoice.id}/")  # swapped in place by htmx
    expect(card.get_by_label("Order line of row 2")).to_have_value("2")
    lines = MatchAllocation.objects.filter(line__match__invoice=invoice, line__row_position=2)
    assert [a.order_line.line_id for a in lines] == ["2"]
    assert InvoiceMatch.objects.get(invoice=invoice).manual

    card.get_by_label("or its number").fill("PO-404")
    card.get_by_label("Order line of row 2").select_option("")
    card.get_by_role("button", name="Match", exact=True).click()
    number = card.get_by_label("or its number")
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(card.locator("#id_po-number-error")).to_have_text(
        "The company has no purchase order PO-404."
    )
    _screenshot(page, "invoice-po-error.png")
    assert InvoiceMatch.objects.get(invoice=invoice).order_id == paper_order.id

    card.get_by_role("button", name="Bills no purchase order").click()
    expect(card.get_by_role("status")).to_have_text("The invoice bills no purchase order.")
    assert InvoiceMatch.objects.get(invoice=invoice).status == "no_po"
