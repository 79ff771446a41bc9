"""The invoice page's Purchase order card: the match with its reasons and rows for everyone,
the picker (match by order, with a row's line chosen, find again, none) for accountants."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from payables.approvals.services import approve_step
from payables.invoices.inputs import InvoiceIn
from payables.invoices.models import Invoice
from payables.invoices.services import create_invoice
from payables.orders.inputs import PurchaseOrderIn
from payables.orders.models import InvoiceMatch, MatchAllocation, PurchaseOrder
from payables.orders.services import create_purchase_order
from payables.orders.tests.matching_cases import invoice_body, row
from payables.tenancy.actors import Actor
from payables.tenancy.models import CompanyUser

HTMX = {"HX-Request": "true"}


@pytest.fixture
def requester(make_member: Callable[..., CompanyUser]) -> CompanyUser:
    """Who ordered: an approver, who sees the card but has no picker."""
    return make_member("REQ")


@pytest.fixture
def make_order(actor: Actor, supplier, requester) -> Callable[..., PurchaseOrder]:
    def make(number: str, *lines: tuple[str, str, str, str]) -> PurchaseOrder:
        data = PurchaseOrderIn(
            number=number, supplier_id=supplier.id, requester="REQ", order_date="2026-11-02",
            currency="EUR",
            lines=[
                {"line_id": line_id, "description": text, "quantity": qty, "unit_price": price,
                 "unit": "box"}
                for line_id, text, qty, price in lines
            ],
        )  # fmt: skip
        return create_purchase_order(data, actor=actor)

    return make


@pytest.fixture
def paper_order(make_order) -> PurchaseOrder:
    return make_order(
        "PO-1", ("1", "Paper A4, box of 5 reams", "10", "12.50"), ("2", "Toner black", "4", "40")
    )


@pytest.fixture
def toner_order(make_order) -> PurchaseOrder:
    return make_order("PO-2", ("1", "Toner cyan", "2", "45"))


@pytest.fixture
def bill(actor: Actor, supplier) -> Callable[..., Invoice]:
    """An invoice of the supplier with these rows, naming ``order`` (if any)."""

    def make(number: str, *rows: dict, order: str = "") -> Invoice:
        body = invoice_body(supplier, number, list(rows), order_number=order)
        return create_invoice(InvoiceIn(**body), actor=actor)

    return make


@pytest.fixture
def acc(accountant, browser_for) -> Client:
    return browser_for(accountant)


def _page(client: Client, invoice: Invoice) -> str:
    answer = client.get(f"/invoices/{invoice.id}/")
    assert answer.status_code == 200
    return answer.text


def _post(client: Client, invoice: Invoice, what: str, data: dict | None = None, **kw: object):
    return client.post(f"/invoices/{invoice.id}/purchase-order/{what}/", data or {}, **kw)


def _match(invoice: Invoice) -> InvoiceMatch | None:
    return InvoiceMatch.objects.filter(invoice=invoice).select_related("order").first()


def _allocations(invoice: Invoice) -> list[tuple[int, str, Decimal]]:
    return list(
        MatchAllocation.objects.filter(line__match__invoice=invoice)
        .order_by("line__row_position", "pk")
        .values_list("line__row_position", "order_line__line_id", "quantity")
    )


def _form_picks(order: PurchaseOrder, **rows: str) -> dict[str, str]:
    """The picker's post: the order chosen, and ``row_<n>="<line_id>[:<quantity>]"``."""
    data = {"po-order": str(order.id), "po-number": ""}
    for name, value in rows.items():
        position = name.removeprefix("row_")
        line_id, _, quantity = value.partition(":")
        data[f"po-row-{position}-line"] = line_id
        data[f"po-row-{position}-quantity"] = quantity
    return data


# --- the card --------------------------------------------------------------------------------


def test_a_discrepancy_shows_at_a_glance_with_its_reasons_and_rows(
    paper_order, bill, browser_for, requester
):
    invoice = bill(
        "INV-1", row("Paper A4, box of 5 reams", "12", "12.50"), row("Toner black", "1", "44"),
        order="PO-1",
    )  # fmt: skip
    assert Invoice.objects.get(pk=invoice.pk).po_match_status == "discrepancy"
    page = _page(browser_for(requester), invoice)
    assert 'href="#po-match">PO discrepancy</a>' in page  # in the page's head
    assert '<section id="po-match"' in page
    assert "requested by <strong>Req Example</strong>" in page
    assert '<span class="status status-discrepancy">discrepancy</span>' in page
    assert "Row 1 bills 12 of order line 1: 2 more than is still open" in page
    assert "Row 2: unit price 44 against the order&#x27;s 40: beyond the tolerance." in page
    assert '<span class="status status-over_invoiced">over invoiced</span>' in page
    assert '<span class="status status-price_variance">price variance</span>' in page
    assert 'Toner black <span class="muted small">\N{MULTIPLICATION SIGN} 1</span>' in page
    assert '<td data-label="Price variance" class="num">4</td>' in page
    assert '<td data-label="Qty over" class="num">2</td>' in page


def test_an_exact_match_shows_its_order_lines_and_no_reasons(paper_order, bill, acc):
    invoice = bill("INV-2", row("Paper A4, box of 5 reams", "10", "12.50"), order="PO-1")
    page = _page(acc, invoice)
    assert '<span class="status status-matched">matched</span> Order <strong class="mono">PO-1' in (
        page
    )
    assert "by the invoice&#x27;s order number" in page
    assert "Discrepancy" not in page and "PO discrepancy" not in page
    assert "<summary>Lines of order PO-1</summary>" in page


def test_an_invoice_without_an_order_shows_no_card_to_an_approver(
    make_invoice, browser_for, requester
):
    invoice = make_invoice()
    assert 'id="po-match"' not in _page(browser_for(requester), invoice)


def test_an_approver_sees_the_card_but_no_picker(paper_order, bill, browser_for, requester):
    invoice = bill("INV-3", row("Paper A4, box of 5 reams", "12", "12.50"), order="PO-1")
    page = _page(browser_for(requester), invoice)
    assert 'id="po-match"' in page
    assert "/purchase-order/" not in page  # no form posts anywhere


def test_an_approver_posting_a_match_is_refused_and_nothing_changes(
    paper_order, toner_order, bill, browser_for, requester
):
    invoice = bill("INV-4", row("Paper A4, box of 5 reams", "10", "12.50"), order="PO-1")
    client = browser_for(requester)
    for what, data in [("match", _form_picks(toner_order)), ("none", {}), ("find-again", {})]:
        answer = _post(client, invoice, what, data)
        assert answer.status_code == 403, what
        assert "Only an accountant or an admin may create, change, close and cancel" in answer.text
    answer = _post(client, invoice, "none", headers=HTMX)
    assert answer.status_code == 403
    assert '<section id="po-match"' in answer.text
    assert _match(invoice).order == paper_order and not _match(invoice).manual


# --- the picker ------------------------------------------------------------------------------


def test_the_accountant_matches_the_invoice_to_a_chosen_order(paper_order, toner_order, bill, acc):
    invoice = bill("INV-5", row("Toner cyan", "2", "45"))  # names no order: two are open
    assert _match(invoice) is None
    page = _page(acc, invoice)
    assert f'<option value="{toner_order.id}">PO-2 · 2 Nov 2026 · 90.00 EUR · open</option>' in (
        page
    )
    answer = _post(acc, invoice, "match", _form_picks(toner_order))
    assert answer.status_code == 303
    assert answer["Location"] == f"/invoices/{invoice.id}/#po-match"
    match = _match(invoice)
    assert (match.order, match.status, match.manual) == (toner_order, "matched", True)
    page = acc.get(answer["Location"]).text
    assert "The invoice is matched to order PO-2: matched." in page
    assert "chosen by a person" in page


def test_a_typed_order_number_wins_over_the_select(paper_order, toner_order, bill, acc):
    invoice = bill("INV-6", row("Toner cyan", "2", "45"))
    data = _form_picks(paper_order) | {"po-number": " PO-2 "}
    assert _post(acc, invoice, "match", data).status_code == 303
    assert _match(invoice).order == toner_order


def test_the_accountant_chooses_a_row_s_order_line(paper_order, bill, acc):
    invoice = bill(
        "INV-7", row("Paper", "4", "12.50"), row("Printing supplies", "2", "40"), order="PO-1"
    )
    page = _page(acc, invoice)
    assert 'name="po-row-2-line"' in page and "Order line of row 2" in page
    assert '<option value="2">2 · Toner black (4 box à 40)</option>' in page
    answer = _post(acc, invoice, "match", _form_picks(paper_order, row_1="1", row_2="2:2"))
    assert answer.status_code == 303
    assert _allocations(invoice) == [(1, "1", Decimal(4)), (2, "2", Decimal(2))]
    assert _match(invoice).status == "matched"
    # The person's choice stays selected on the page.
    assert '<option value="2" selected>' in _page(acc, invoice)


def test_unmatching_says_the_invoice_bills_no_order_and_find_again_undoes_it(
    paper_order, bill, acc
):
    invoice = bill("INV-8", row("Paper A4, box of 5 reams", "10", "12.50"), order="PO-1")
    answer = _post(acc, invoice, "none")
    assert answer.status_code == 303
    match = _match(invoice)
    assert (match.order, match.status, match.manual) == (None, "no_po", True)
    assert Invoice.objects.get(pk=invoice.pk).po_match_status == "no_po"
    page = acc.get(answer["Location"]).text
    assert "The invoice bills no purchase order." in page
    assert "Marked as billing no purchase order by user:ACC Acc Example (web)" in page
    assert "Bills no purchase order</button>" not in page  # said already

    answer = _post(acc, invoice, "find-again", headers=HTMX)
    assert answer.status_code == 200
    assert "The invoice is matched to order PO-1: matched." in answer.text
    assert answer.text.lstrip().startswith('<section id="po-match"')  # the card, swapped in
    match = _match(invoice)
    assert (match.order, match.found_by, match.manual) == (paper_order, "order_number", False)


def test_find_again_without_an_order_to_find_says_so(paper_order, toner_order, bill, acc):
    invoice = bill("INV-9", row("Toner cyan", "2", "45"))
    _post(acc, invoice, "match", _form_picks(toner_order))
    answer = _post(acc, invoice, "find-again", headers=HTMX)
    assert "No purchase order was found for the invoice." in answer.text
    assert _match(invoice) is None


def test_an_approved_invoice_s_match_no_longer_changes(
    paper_order, toner_order, bill, acc, assign, make_member
):
    invoice = bill("INV-10", row("Paper A4, box of 5 reams", "10", "12.50"), order="PO-1")
    boss = make_member("BOSS")
    [step] = assign(invoice, (boss, 1))
    approve_step(step, actor=Actor.for_user(boss))
    page = _page(acc, invoice)
    assert "/purchase-order/match/" not in page
    assert "its match is settled" in page
    answer = _post(acc, invoice, "match", _form_picks(toner_order), headers=HTMX)
    assert answer.status_code == 409
    assert "The invoice is approved: its purchase order match no longer changes." in answer.text
    assert _match(invoice).order == paper_order


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"po-order": "", "po-number": ""}, "po-order", "Choose an order, or type its number."),
        ({"po-order": "00000000-0000-0000-0000-000000000000"}, "po-order",
         "Choose one of the orders offered."),
        ({"po-order": "", "po-number": "PO-404"}, "po-number",
         "The company has no purchase order PO-404."),
        ({"po-number": "x" * 201}, "po-number", "Ensure this value has at most 200 characters"),
        ({"po-row-1-line": "9"}, "po-row-1-line", "Choose a line of the order, or automatic."),
        ({"po-row-1-line": "1", "po-row-1-quantity": "ten"}, "po-row-1-quantity",
         "A quantity, such as 2 or 1.5."),
        ({"po-row-1-line": "1", "po-row-1-quantity": "NaN"}, "po-row-1-quantity",
         "A quantity, such as 2 or 1.5."),
        ({"po-row-1-line": "1", "po-row-1-quantity": "-1"}, "po-row-1-quantity",
         "A quantity above zero, or none for the row&#x27;s."),
        ({"po-row-1-line": "1", "po-row-1-quantity": "0"}, "po-row-1-quantity",
         "A quantity above zero, or none for the row&#x27;s."),
        ({"po-row-1-quantity": "3"}, "po-row-1-quantity",
         "Choose the order line this quantity is of."),
    ],
)  # fmt: skip
def test_bad_input_is_refused_beside_its_field_and_changes_nothing(
    paper_order, bill, acc, data, field, message
):
    invoice = bill("INV-11", row("Paper A4, box of 5 reams", "10", "12.50"), order="PO-1")
    before = _allocations(invoice)
    posted = {"po-order": str(paper_order.id), "po-number": ""} | data
    answer = _post(acc, invoice, "match", posted, headers=HTMX)
    assert answer.status_code == 422
    assert message in answer.text
    assert f'id="id_{field}-error"' in answer.text
    assert f'aria-describedby="id_{field}-error"' in answer.text
    assert _allocations(invoice) == before
    match = _match(invoice)
    assert (match.order, match.manual) == (paper_order, False)


def test_lines_of_one_order_are_not_applied_to_another(paper_order, toner_order, bill, acc):
    invoice = bill("INV-12", row("Paper A4, box of 5 reams", "10", "12.50"), order="PO-1")
    answer = _post(acc, invoice, "match", _form_picks(toner_order, row_1="1"))
    assert answer.status_code == 422  # the whole page, with the error beside the order
    assert "The rows&#x27; lines are of order PO-1: match the other order first" in answer.text
    assert 'id="id_po-order-error"' in answer.text
    assert _match(invoice).order == paper_order


def test_an_unknown_invoice_is_a_404_and_a_get_is_not_allowed(paper_order, bill, acc):
    invoice = bill("INV-13", row("Paper A4, box of 5 reams", "10", "12.50"), order="PO-1")
    missing = "/invoices/00000000-0000-0000-0000-000000000000/purchase-order/none/"
    assert acc.post(missing).status_code == 404
    assert acc.get(f"/invoices/{invoice.id}/purchase-order/none/").status_code == 405


def test_a_post_without_the_csrf_token_is_refused(paper_order, bill, accountant):
    invoice = bill("INV-14", row("Paper A4, box of 5 reams", "10", "12.50"), order="PO-1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(accountant.login)
    assert _post(client, invoice, "none").status_code == 403
    assert _match(invoice).order == paper_order


def test_the_po_discrepancy_worklist_lists_only_discrepancies(paper_order, bill, acc):
    bill("W-OK", row("Paper A4, box of 5 reams", "5", "12.50"), order="PO-1")
    bill("W-OFF", row("Paper A4, box of 5 reams", "5", "13.50"), order="PO-1")
    page = acc.get("/invoices/?po_match_status=discrepancy").text
    assert ">W-OFF<" in page and ">W-OK<" not in page
    assert 'href="/invoices/?po_match_status=discrepancy" aria-current="page">PO discrepancy' in (
        page
    )
    assert '<input type="hidden" name="po_match_status" value="discrepancy">' in page
    assert '<span class="status status-discrepancy">PO discrepancy</span>' in page
    every = acc.get("/invoices/?po_match_status=bogus").text  # an invalid flag filters nothing
    assert ">W-OFF<" in every and ">W-OK<" in every
