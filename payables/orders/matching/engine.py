"""Line-level matching of an invoice against one purchase order: pure, no Django.

Each invoice line finds its order line(s) by, in turn: the order line reference it
carries (BT-132), an item code (the company's, the seller's or the GTIN), the most
similar description, then an equal amount. Its quantity takes what is still open on
those lines, in order; what is left over is billed beyond the order. One invoice line
may cover several order lines (the same item ordered twice) and several invoice lines
one order line (each takes what the others left). Nothing here changes what the invoice
says: the result only compares.

Credit notes take back what invoices hold: their quantities are negative and may not
exceed what was billed of the line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher

from payables.money import format_decimal
from payables.orders.matching.tolerance import Tolerance, beyond

ZERO = Decimal(0)
QUANTITY_PLACES = Decimal("0.000001")
SIMILAR_ENOUGH = 0.6  # difflib ratio / shared words of two descriptions

MATCHED = "matched"
WITHIN_TOLERANCE = "within_tolerance"
DISCREPANCY = "discrepancy"
OVER_INVOICED = "over_invoiced"
PRICE_VARIANCE = "price_variance"
UNMATCHED = "unmatched"


@dataclass(frozen=True)
class InvoiceLine:
    """An invoice row as matching reads it; ``position`` 0 stands for a header-only invoice."""

    position: int
    net_amount: Decimal
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    description: str = ""
    item_code: str = ""  # the seller's
    product_code: str = ""  # the company's
    gtin: str = ""
    order_line_reference: str = ""


@dataclass(frozen=True)
class OrderLine:
    """An order line with what is left of it for this invoice.

    ``open`` is what may still be billed: the ordered quantity (two-way) or the received
    one (three-way), less what other active invoices hold; ``held`` is what they hold
    (a credit note may take back at most that).
    """

    line_id: str
    quantity: Decimal
    net_amount: Decimal
    open: Decimal
    held: Decimal = ZERO
    unit_price: Decimal | None = None
    description: str = ""
    item_code: str = ""
    seller_item_code: str = ""
    gtin: str = ""

    @property
    def price(self) -> Decimal:
        if self.unit_price is not None:
            return self.unit_price
        return self.net_amount / self.quantity if self.quantity else ZERO


@dataclass(frozen=True)
class Reason:
    """Why a line or the invoice is not simply matched, for people and for routing."""

    code: str
    message: str
    row: int | None = None

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "row": self.row}


@dataclass(frozen=True)
class Allocation:
    line_id: str
    quantity: Decimal  # signed: negative on a credit note


@dataclass(frozen=True)
class LineResult:
    position: int
    status: str
    found_by: str = ""
    quantity: Decimal = ZERO
    allocations: tuple[Allocation, ...] = ()
    quantity_over: Decimal = ZERO
    unit_price: Decimal | None = None
    order_unit_price: Decimal | None = None
    price_variance: Decimal | None = None
    reasons: tuple[Reason, ...] = ()
    expected_net: Decimal = ZERO  # the order's price of what the line bills (signed)


@dataclass(frozen=True)
class MatchResult:
    status: str
    lines: tuple[LineResult, ...]
    invoice_net: Decimal
    expected_net: Decimal
    reasons: tuple[Reason, ...] = field(default=())

    @property
    def all_reasons(self) -> list[Reason]:
        return [r for line in self.lines for r in line.reasons] + list(self.reasons)


def match_lines(
    lines: Sequence[InvoiceLine],
    order_lines: Sequence[OrderLine],
    tolerance: Tolerance,
    *,
    credit: bool = False,
    three_way: bool = False,
) -> MatchResult:
    """Compare the invoice's lines with the order's; see the module docstring."""
    matcher = _Matcher(order_lines, tolerance, credit=credit, three_way=three_way)
    billed = [line for line in lines if line.net_amount or line.quantity]
    if not billed:
        return _whole_order(lines, order_lines, tolerance, credit=credit, three_way=three_way)
    results = []
    for line in billed:
        result = matcher.match(line)
        # A row without a quantity that no order line fits (a document-level allowance or
        # charge, say) adjusts the total: it is judged with it, not as a line of the order.
        if result.status != UNMATCHED or line.quantity is not None:
            results.append(result)
    if not results:  # nothing but adjustments: the invoice bills the order as a whole
        return _whole_order(lines, order_lines, tolerance, credit=credit, three_way=three_way)
    invoice_net = sum((line.net_amount for line in billed), ZERO)
    expected = sum((r.expected_net for r in results), ZERO)
    return _judge(tuple(results), invoice_net, expected, tolerance)


def _judge(
    results: tuple[LineResult, ...], invoice_net: Decimal, expected: Decimal, tolerance: Tolerance
) -> MatchResult:
    reasons: list[Reason] = []
    difference = invoice_net - expected
    all_found = all(r.status != UNMATCHED for r in results)
    # Only more than the order's price is a discrepancy: less is the buyer's gain.
    if (
        all_found
        and difference > 0
        and beyond(difference, expected, tolerance.total_percent, tolerance.total_amount)
    ):
        reasons.append(
            Reason(
                "total_variance",
                f"The invoice's net {_fmt(invoice_net)} is above the order's price of what it "
                f"bills, {_fmt(expected)}, by {_fmt(difference)}: beyond the tolerance.",
            )
        )
    if reasons or any(r.status != MATCHED for r in results):
        status = DISCREPANCY
    elif difference or any(r.quantity_over or r.price_variance for r in results):
        status = WITHIN_TOLERANCE
    else:
        status = MATCHED
    return MatchResult(status, results, invoice_net, expected, tuple(reasons))


def _whole_order(
    lines: Sequence[InvoiceLine],
    order_lines: Sequence[OrderLine],
    tolerance: Tolerance,
    *,
    credit: bool,
    three_way: bool,
) -> MatchResult:
    """An invoice without billed rows bills what is open of the whole order, if its net
    agrees with that within the total tolerance; else nothing is taken."""
    invoice_net = sum((line.net_amount for line in lines), ZERO)
    sign = -1 if credit else 1
    takes = [(ol, ol.held if credit else ol.open) for ol in order_lines]
    takes = [(ol, q) for ol, q in takes if q > 0]
    expected = sign * sum((q * ol.price for ol, q in takes), ZERO)
    expected = expected.quantize(Decimal("0.01"))
    difference = invoice_net - expected
    if not takes or beyond(
        abs(difference), abs(expected), tolerance.total_percent, tolerance.total_amount
    ):
        what = "received and not yet billed" if three_way else "open"
        reason = Reason(
            "amount_differs",
            f"The invoice has no rows to match, and its net {_fmt(invoice_net)} is not what is "
            f"{what} on the order ({_fmt(expected)}).",
            row=None,
        )
        result = LineResult(0, UNMATCHED, reasons=(reason,))
        return MatchResult(DISCREPANCY, (result,), invoice_net, ZERO)
    allocations = tuple(Allocation(ol.line_id, sign * q) for ol, q in takes)
    result = LineResult(
        0,
        MATCHED,
        "whole_order",
        sign * sum(q for _, q in takes),
        allocations,
        expected_net=expected,
    )
    status = WITHIN_TOLERANCE if difference else MATCHED
    return MatchResult(status, (result,), invoice_net, expected)


class _Matcher:
    def __init__(
        self,
        order_lines: Sequence[OrderLine],
        tolerance: Tolerance,
        *,
        credit: bool,
        three_way: bool,
    ) -> None:
        self.lines = list(order_lines)
        self.by_id = {ol.line_id: ol for ol in self.lines}
        self.left = {ol.line_id: (ol.held if credit else ol.open) for ol in self.lines}
        self.tolerance = tolerance
        self.credit = credit
        self.three_way = three_way

    def match(self, line: InvoiceLine) -> LineResult:
        candidates, found_by = self._candidates(line)
        if not candidates:
            reason = Reason(
                "no_order_line",
                f"Row {line.position} ({_short(line.description)}) is on no line of the order.",
                line.position,
            )
            return LineResult(line.position, UNMATCHED, reasons=(reason,))
        quantity = self._quantity(line, candidates[0])
        allocations, over = self._allocate(candidates, quantity)
        sign = -1 if self.credit else 1
        expected = sum((a.quantity * self.by_id[a.line_id].price for a in allocations), ZERO)
        order_price = expected / quantity if quantity else candidates[0].price
        unit_price = abs(line.unit_price) if line.unit_price is not None else None
        if unit_price is None and quantity:
            unit_price = abs(line.net_amount) / quantity
        reasons: list[Reason] = []
        status = MATCHED
        ordered = sum((self.by_id[a.line_id].quantity for a in allocations), ZERO)
        if over and _over_limit(over, ordered, self.tolerance.quantity_percent):
            status = OVER_INVOICED
            reasons.append(self._over_reason(line, allocations, quantity, over))
        variance = None
        if unit_price is not None:
            variance = (unit_price - order_price).quantize(Decimal("0.00000001"))
            if variance > 0 and beyond(
                variance, order_price, self.tolerance.price_percent, self.tolerance.price_amount
            ):
                reasons.append(
                    Reason(
                        "price_variance",
                        f"Row {line.position}: unit price {_fmt(unit_price)} against the "
                        f"order's {_fmt(order_price)}: beyond the tolerance.",
                        line.position,
                    )
                )
                status = PRICE_VARIANCE if status == MATCHED else status
        return LineResult(
            line.position,
            status,
            found_by,
            sign * quantity,
            tuple(Allocation(a.line_id, sign * a.quantity) for a in allocations),
            over,
            unit_price,
            order_price.quantize(Decimal("0.00000001")),
            variance,
            tuple(reasons),
            expected_net=(sign * expected).quantize(Decimal("0.01")),
        )

    def _candidates(self, line: InvoiceLine) -> tuple[list[OrderLine], str]:
        ref = line.order_line_reference.strip()
        if ref:
            for key in (ref, ref.rsplit("/", 1)[-1].strip()):
                if key in self.by_id:
                    return [self.by_id[key]], "line_id"
        codes = [
            ol
            for ol in self.lines
            if (line.product_code and line.product_code in (ol.item_code,))
            or (line.item_code and line.item_code in (ol.seller_item_code, ol.item_code))
            or (line.gtin and line.gtin == ol.gtin)
        ]
        if codes:
            return sorted(codes, key=lambda ol: self.left[ol.line_id] <= 0), "item_code"
        with_room = [ol for ol in self.lines if self.left[ol.line_id] > 0] or self.lines
        if line.description.strip():
            scored = [(_similarity(line.description, ol.description), ol) for ol in with_room]
            best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
            if best[0] >= SIMILAR_ENOUGH:
                return [best[1]], "description"
        net = abs(line.net_amount)
        for ol in with_room:
            same_price = line.unit_price is not None and abs(line.unit_price) == ol.price
            if net == ol.net_amount or same_price:
                return [ol], "amount"
        return [], ""

    def _quantity(self, line: InvoiceLine, first: OrderLine) -> Decimal:
        """The line's quantity; without one, its net at the order's price."""
        if line.quantity is not None:
            return abs(line.quantity)
        price = line.unit_price if line.unit_price else first.price
        if not price:
            return ZERO
        return (abs(line.net_amount) / abs(price)).quantize(QUANTITY_PLACES)

    def _allocate(
        self, candidates: list[OrderLine], quantity: Decimal
    ) -> tuple[list[Allocation], Decimal]:
        """Take ``quantity`` from the candidates in order; the rest goes beyond the first."""
        left = quantity
        taken: dict[str, Decimal] = {}
        for ol in candidates:
            take = min(left, max(self.left[ol.line_id], ZERO))
            if take > 0:
                taken[ol.line_id] = take
                self.left[ol.line_id] -= take
                left -= take
        if left > 0:
            target = next(iter(taken), candidates[0].line_id)
            taken[target] = taken.get(target, ZERO) + left
            self.left[target] -= left
        return [Allocation(key, q) for key, q in taken.items()], left

    def _over_reason(
        self, line: InvoiceLine, allocations: list[Allocation], quantity: Decimal, over: Decimal
    ) -> Reason:
        ids = ", ".join(a.line_id for a in allocations)
        if self.credit:
            return Reason(
                "over_credited",
                f"Row {line.position} credits {_fmt(quantity)} of order line {ids}, "
                f"{_fmt(over)} more than was billed.",
                line.position,
            )
        what = "received and not yet billed" if self.three_way else "still open"
        return Reason(
            "not_received" if self.three_way else "over_invoiced",
            f"Row {line.position} bills {_fmt(quantity)} of order line {ids}: {_fmt(over)} more "
            f"than is {what}, beyond the tolerance.",
            line.position,
        )


def _over_limit(over: Decimal, ordered: Decimal, percent: Decimal | None) -> bool:
    if percent is None:
        return False
    return over > ordered * percent / 100


def _similarity(a: str, b: str) -> float:
    left, right = _words(a), _words(b)
    if not left or not right:
        return 0.0
    shared = len(set(left) & set(right)) / len(set(left) | set(right))
    return max(shared, SequenceMatcher(None, " ".join(left), " ".join(right)).ratio())


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text[:40] + ("…" if len(text) > 40 else "") if text else "no description"


def _fmt(value: Decimal) -> str:
    return format_decimal(value)
