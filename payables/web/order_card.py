"""The invoice page's Purchase order card: how the invoice compares with the order it bills,
and for those who may manage orders, the picker that matches it by hand.

Everyone who sees the invoice sees the match: the order and its requester, the status with
its reasons, and per row the order line(s) it bills, the quantity billed beyond what was
open and the price variance. Accountants and admins (``Action.MANAGE_ORDERS``, what the
API's ``orders:write`` needs) get the picker while the matching service would still change
the match (``MATCHABLE``, not yet counted in the order's invoiced quantities).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.forms import BoundField

from payables.invoices.models import Invoice, InvoiceRow
from payables.orders.models import InvoiceLineMatch, InvoiceMatch, PurchaseOrder
from payables.orders.queries import match_of
from payables.orders.services.matching import MATCHABLE
from payables.tenancy.actors import Actor
from payables.tenancy.permissions import Action, may
from payables.web.order_forms import MatchForm

# The supplier's orders offered in the picker; an older one can be typed by its number.
MAX_ORDERS = 200
CLOSED = (PurchaseOrder.Status.CLOSED, PurchaseOrder.Status.CANCELLED)
STATUS_WORDS = {
    InvoiceMatch.Status.MATCHED: "matched",
    InvoiceMatch.Status.WITHIN_TOLERANCE: "within tolerance",
    InvoiceMatch.Status.DISCREPANCY: "discrepancy",
    InvoiceMatch.Status.NO_PO: "no purchase order",
}
FOUND_BY = {
    "order_number": "by the invoice's order number",
    "order_id": "by the invoice's order reference (its id)",
    "supplier": "as the supplier's only open order",
    "manual": "chosen by a person",
}


@dataclass(frozen=True)
class ShownRow:
    """An invoice row beside its match result (``position`` 0: the invoice as a whole)."""

    position: int
    row: InvoiceRow | None
    line: InvoiceLineMatch | None


@dataclass
class OrderMatchCard:
    invoice: Invoice
    match: InvoiceMatch | None
    rows: list[ShownRow]
    may_match: bool
    locked: str = ""  # why a manager is offered no picker now
    form: MatchForm | None = None
    errors: list[str] = field(default_factory=list)
    done: str = ""

    @property
    def order(self) -> PurchaseOrder | None:
        return self.match.order if self.match is not None and self.match.order_id else None

    @property
    def status(self) -> str:
        return self.match.status if self.match is not None else InvoiceMatch.Status.NO_PO

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)

    @property
    def discrepancy(self) -> bool:
        return self.status == InvoiceMatch.Status.DISCREPANCY

    @property
    def found_by(self) -> str:
        return FOUND_BY.get(self.match.found_by, "") if self.match is not None else ""

    @property
    def reasons(self) -> list[str]:
        """Every reason as text: the invoice's first, then each row's."""
        if self.match is None:
            return []
        found = [r["message"] for r in self.match.reasons]
        return found + [r["message"] for line in self.match.lines.all() for r in line.reasons]

    @property
    def order_lines(self) -> list:
        return list(self.order.lines.all()) if self.order is not None else []

    @property
    def picks_lines(self) -> bool:
        return self.form is not None and self.form.lines_order is not None

    @property
    def table(self) -> list[tuple[ShownRow, BoundField | None, BoundField | None]]:
        """Each shown row with its picker inputs (order line, quantity) where it has them."""
        form = self.form if self.picks_lines else None
        return [
            (
                shown,
                form.line_field(shown.position) if form and shown.row else None,
                form.quantity_field(shown.position) if form and shown.row else None,
            )
            for shown in self.rows
        ]


def order_card(
    invoice: Invoice,
    actor: Actor,
    *,
    form: MatchForm | None = None,
    errors: list[str] | None = None,
    done: str = "",
) -> OrderMatchCard:
    """The card as stored now; ``form`` keeps what was posted, with its errors."""
    match = match_of(invoice)
    rows = list(invoice.rows.all())
    card = OrderMatchCard(
        invoice, match, _shown_rows(rows, match), may_match=False, errors=list(errors or []),
        done=done,
    )  # fmt: skip
    if not may(actor, Action.MANAGE_ORDERS):
        return card
    card.locked = match_lock(invoice, match)
    if card.locked:
        return card
    card.may_match = True
    card.form = form or match_form(invoice, match, rows=rows)
    return card


def match_lock(invoice: Invoice, match: InvoiceMatch | None) -> str:
    """Why the match no longer changes (as the service would refuse), or ""."""
    if match is not None and match.counted:
        return "The order's invoiced quantities include this invoice: its match is settled."
    if invoice.status not in MATCHABLE:
        return f"The invoice is {invoice.status}: its purchase order match no longer changes."
    return ""


def match_form(
    invoice: Invoice,
    match: InvoiceMatch | None,
    *,
    data: object = None,
    rows: list[InvoiceRow] | None = None,
) -> MatchForm:
    """The picker: the supplier's orders that are not closed or cancelled (and the one
    matched now), and per row the lines of the order matched now."""
    order = match.order if match is not None and match.order_id else None
    orders = list(offered_orders(invoice)[:MAX_ORDERS])
    if order is not None and all(o.pk != order.pk for o in orders):
        orders.insert(0, order)
    rows = rows if rows is not None else list(invoice.rows.all())
    initial: dict[str, str] = {"order": str(order.id)} if order is not None else {}
    if match is not None and match.manual:  # keep a person's line choices selected
        for line in match.lines.all():
            allocations = list(line.allocations.all())
            if line.found_by == "line_id" and len(allocations) == 1 and line.row_position:
                initial[f"row-{line.row_position}-line"] = allocations[0].order_line.line_id
    return MatchForm(data, initial=initial, orders=orders, rows=rows, lines_order=order)


def offered_orders(invoice: Invoice) -> QuerySet[PurchaseOrder]:
    """The invoice's supplier's orders a person may pick: not closed or cancelled."""
    return (
        PurchaseOrder.objects.filter(company=invoice.company_id, supplier=invoice.supplier_id)
        .exclude(status__in=CLOSED)
        .order_by("-order_date", "number")
    )


def _shown_rows(rows: list[InvoiceRow], match: InvoiceMatch | None) -> list[ShownRow]:
    lines = {line.row_position: line for line in match.lines.all()} if match else {}
    shown = [ShownRow(row.position, row, lines.get(row.position)) for row in rows]
    if 0 in lines:  # an invoice without rows, matched as a whole
        shown.insert(0, ShownRow(0, None, lines[0]))
    return shown
