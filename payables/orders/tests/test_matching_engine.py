"""The pure matching engine on its own: how lines find each other and what is judged."""

from __future__ import annotations

from decimal import Decimal as D

from payables.orders.matching.engine import InvoiceLine, OrderLine, match_lines
from payables.orders.matching.tolerance import Tolerance, beyond

PAPER = OrderLine("1", D(10), D("125.00"), open=D(10), unit_price=D("12.50"),
                  description="Paper A4 box", item_code="PAPER")  # fmt: skip
TONER = OrderLine("2", D(2), D("160.00"), open=D(2), unit_price=D("80.00"),
                  description="Toner cartridge black")  # fmt: skip


def test_several_rows_share_one_order_line_until_it_is_used_up():
    rows = [
        InvoiceLine(1, D("50.00"), D(4), D("12.50"), product_code="PAPER"),
        InvoiceLine(2, D("75.00"), D(6), D("12.50"), product_code="PAPER"),
        InvoiceLine(3, D("12.50"), D(1), D("12.50"), product_code="PAPER"),
    ]
    result = match_lines(rows, [PAPER, TONER], Tolerance())
    assert [(r.status, r.quantity_over) for r in result.lines] == [
        ("matched", 0),
        ("matched", 0),
        ("over_invoiced", 1),
    ]
    assert result.status == "discrepancy"


def test_a_similar_description_finds_its_line_and_a_different_one_does_not():
    similar = InvoiceLine(1, D("160.00"), D(2), D("80.00"), description="TONER CARTRIDGE, black")
    other = InvoiceLine(2, D("9.99"), D(1), D("9.99"), description="Stapler")
    result = match_lines([similar, other], [PAPER, TONER], Tolerance())
    assert [(r.found_by, r.status) for r in result.lines] == [
        ("description", "matched"),
        ("", "unmatched"),
    ]


def test_a_row_without_quantity_bills_its_net_at_the_order_s_price():
    row = InvoiceLine(1, D("25.00"), None, None, description="Paper A4 box")
    [line] = match_lines([row], [PAPER], Tolerance()).lines
    assert (line.quantity, line.status) == (D(2), "matched")


def test_a_header_only_invoice_bills_the_whole_open_order_or_nothing():
    whole = match_lines([InvoiceLine(0, D("285.00"))], [PAPER, TONER], Tolerance())
    assert whole.status == "matched"
    assert [(a.line_id, a.quantity) for a in whole.lines[0].allocations] == [
        ("1", D(10)),
        ("2", D(2)),
    ]
    part = match_lines([InvoiceLine(0, D("100.00"))], [PAPER, TONER], Tolerance())
    assert (part.status, part.lines[0].allocations) == ("discrepancy", ())


def test_credit_notes_take_back_at_most_what_invoices_hold():
    held = OrderLine("1", D(10), D("125.00"), open=D(4), held=D(6), unit_price=D("12.50"))
    fine = match_lines([InvoiceLine(1, D("-25.00"), D(2), D("12.50"))], [held], Tolerance(),
                       credit=True)  # fmt: skip
    assert (fine.status, fine.lines[0].quantity) == ("matched", D(-2))
    too_much = match_lines([InvoiceLine(1, D("-87.50"), D(7), D("12.50"))], [held], Tolerance(),
                           credit=True)  # fmt: skip
    assert too_much.lines[0].reasons[0].code == "over_credited"


def test_limits_apply_when_set_and_the_stricter_decides():
    assert not beyond(D("0.10"), D("12.50"), None, None)
    assert beyond(D("0.10"), D("12.50"), D("0.5"), None)  # 0.8 % > 0.5 %
    assert not beyond(D("0.10"), D("12.50"), D(1), D("0.20"))
    assert beyond(D("0.10"), D("12.50"), D(1), D("0.05"))
