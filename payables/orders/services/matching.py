"""Matching invoices to purchase orders: automatically when an invoice becomes ``new``,
by hand when an accountant picks the order or the lines, and the invoiced quantities
that follow an invoice through approval and cancellation.

Every function runs inside the caller's transaction, with the company's write lock held
(lifecycle hooks) or taken (the public actions); the order's row is locked before its
open quantities are read, so two invoices never both take the last of a line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from payables.errors import FieldError, ValidationFailed
from payables.events import event_types
from payables.events.batch_reads import batch_has, declare
from payables.events.services import lock_company_writes
from payables.invoices import lifecycle
from payables.invoices.lifecycle import lock_invoice
from payables.invoices.models import Invoice, InvoiceRow
from payables.invoices.trail import add_audit_entry, record_invoice_event
from payables.money import format_amount
from payables.orders.errors import MatchNotChangeable
from payables.orders.hooks import tell_order_changed
from payables.orders.matching.engine import InvoiceLine, MatchResult, OrderLine, match_lines
from payables.orders.matching.tolerance import Tolerance
from payables.orders.models import (
    InvoiceLineMatch,
    InvoiceMatch,
    MatchAllocation,
    MatchTolerance,
    PurchaseOrder,
    PurchaseOrderLine,
)
from payables.orders.services.status import FINAL, derive_status
from payables.tenancy.actors import Actor

Status = InvoiceMatch.Status
# Invoices whose allocations hold order quantity: all but rejected and cancelled ones.
RELEASED = (Invoice.Status.REJECTED, Invoice.Status.CANCELLED)
# Orders an invoice without an order reference may be matched to by its supplier.
OPEN_ORDERS = (
    PurchaseOrder.Status.OPEN,
    PurchaseOrder.Status.PARTIALLY_RECEIVED,
    PurchaseOrder.Status.RECEIVED,
    PurchaseOrder.Status.PARTIALLY_INVOICED,
)
# Whether the company has any open order: a batch asks once (``batch_reads``).
ANY_OPEN_ORDER = declare(
    "purchase_order",
    lambda company: PurchaseOrder.objects.filter(company=company, status__in=OPEN_ORDERS),
)
# A person's match may change until the invoice is finally approved.
MATCHABLE = (
    Invoice.Status.NEW,
    Invoice.Status.ASSIGNED,
    Invoice.Status.REJECTED,
)


@dataclass(frozen=True)
class ManualLine:
    """A person's choice: invoice row ``row`` (its position) bills order line ``line_id``."""

    row: int
    line_id: str
    quantity: Decimal | None = None


def match_new_invoice(invoice: Invoice, *, actor: Actor) -> InvoiceMatch | None:
    """Lifecycle hook (the invoice became ``new``): find its order and compare.

    A person's match is kept while the rows it names are still the invoice's.
    """
    created = lifecycle.is_created_now(invoice)  # then nothing matched it yet
    existing = None if created else InvoiceMatch.objects.filter(invoice=invoice).first()
    if existing is not None and existing.manual and _rows_intact(existing):
        return existing
    order, found_by, reasons = find_order(invoice)
    if order is None:
        if existing is not None:
            existing.delete()
        _set_invoice_status(invoice, Status.NO_PO)
        return None
    return _match(invoice, order, actor=actor, found_by=found_by, reasons=reasons, manual=False)


def set_invoice_match(
    invoice: Invoice,
    *,
    order_ref: str | None,
    lines: list[ManualLine] | None = None,
    actor: Actor,
) -> InvoiceMatch | None:
    """Match the invoice to the order a person names (by number or UUID), automatically
    line by line or with the given row → order line choices; with no order named, find it
    again as on arrival (a person's earlier choice is dropped)."""
    with transaction.atomic():
        lock_company_writes(actor.company)
        invoice = _lock_matchable(invoice)
        if order_ref is None:
            if lines:
                raise FieldError("Name the order the lines are on.", loc=["order"])
            InvoiceMatch.objects.filter(invoice=invoice).delete()
            return match_new_invoice(invoice, actor=actor)
        order = _named_order(invoice, order_ref)
        overrides = _checked_lines(invoice, order, lines or [])
        return _match(
            invoice, order, actor=actor, found_by="manual", reasons=[], manual=True,
            overrides=overrides,
        )  # fmt: skip


def unmatch_invoice(invoice: Invoice, *, actor: Actor) -> None:
    """A person says the invoice bills no purchase order: it stays unmatched on re-routing."""
    with transaction.atomic():
        lock_company_writes(actor.company)
        invoice = _lock_matchable(invoice)
        InvoiceMatch.objects.filter(invoice=invoice).delete()
        InvoiceMatch.objects.create(  # not-invoice-status
            invoice=invoice,
            company=invoice.company,
            status=Status.NO_PO,
            mode=invoice.company.po_matching,
            found_by="manual",
            manual=True,
            invoice_net=invoice.net_amount,
            expected_net=Decimal(0),
            matched_by=actor.label,
        )
        _set_invoice_status(invoice, Status.NO_PO)
        add_audit_entry(invoice, actor, "po_unmatched", comment="bills no purchase order")


def rematch_after_receipt(order: PurchaseOrder, *, actor: Actor) -> None:
    """Goods arrived: invoices of the order that were waiting with a discrepancy (and have
    not been decided on) are compared again, oldest first. A person's match stays."""
    waiting = (
        InvoiceMatch.objects.filter(
            order=order,
            status=Status.DISCREPANCY,
            manual=False,
            counted=False,
            invoice__status__in=(Invoice.Status.NEW, Invoice.Status.ASSIGNED),
        )
        .select_related("invoice__company", "invoice__supplier")
        .order_by("invoice__internal_id")
    )
    for match in list(waiting):
        _match(match.invoice, order, actor=actor, found_by=match.found_by, reasons=[], manual=False)


def count_invoiced(invoice: Invoice, *, actor: Actor) -> None:
    """Lifecycle hook (final approval, export): the order lines' invoiced quantities take
    the invoice's allocations, once."""
    _move_invoiced(invoice, counted=True, actor=actor)


def release_invoiced(invoice: Invoice, *, actor: Actor) -> None:
    """Lifecycle hook (cancellation): what the invoice billed is open on the order again."""
    _move_invoiced(invoice, counted=False, actor=actor)


def find_order(invoice: Invoice) -> tuple[PurchaseOrder | None, str, list[dict]]:
    """The order the invoice bills: named by its order reference (number, else UUID),
    else the supplier's only open order in the invoice's currency. Answers the order,
    how it was found, and a note when a named order was not found."""
    company = invoice.company
    ref = invoice.order_number.strip()
    reasons: list[dict] = []
    if ref:
        order = PurchaseOrder.objects.filter(company=company, number=ref).first()
        if order is not None:
            return order, "order_number", reasons
        order = _by_uuid(company, ref)
        if order is not None:
            return order, "order_id", reasons
        reasons.append(
            {"code": "order_not_found", "message": f"The company has no order {ref}.", "row": None}
        )
    candidates = []
    if batch_has(company, ANY_OPEN_ORDER):  # most invoices of a batch: a company without any
        candidates = list(
            PurchaseOrder.objects.filter(
                company=company,
                supplier_id=invoice.supplier_id,
                currency=invoice.currency,
                status__in=OPEN_ORDERS,
            )[:2]
        )
    if len(candidates) == 1:
        return candidates[0], "supplier", reasons
    return None, "", reasons


def tolerance_for(invoice: Invoice) -> Tolerance:
    """The supplier's tolerances, else the company's, else exact matching."""
    rows = MatchTolerance.objects.filter(company=invoice.company).filter(
        Q(supplier_id=invoice.supplier_id) | Q(supplier__isnull=True)
    )
    stored = {row.supplier_id: row for row in rows}
    row = stored.get(invoice.supplier_id) or stored.get(None)
    if row is None:
        return Tolerance()
    return Tolerance(
        price_percent=row.price_percent,
        price_amount=row.price_amount,
        quantity_percent=row.quantity_percent,
        total_percent=row.total_percent,
        total_amount=row.total_amount,
    )


# --- internals -------------------------------------------------------------------------------


def _match(
    invoice: Invoice,
    order: PurchaseOrder,
    *,
    actor: Actor,
    found_by: str,
    reasons: list[dict],
    manual: bool,
    overrides: dict[int, ManualLine] | None = None,
) -> InvoiceMatch:
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    InvoiceMatch.objects.filter(invoice=invoice).delete()  # its allocations hold nothing now
    three_way = invoice.company.po_matching == "three_way"
    rows = list(invoice.rows.all())
    order_lines = list(order.lines.all())
    result = match_lines(
        [_invoice_line(row, (overrides or {}).get(row.position)) for row in rows],
        _open_lines(order_lines, three_way=three_way),
        tolerance_for(invoice),
        credit=invoice.type == Invoice.Type.CREDIT_NOTE,
        three_way=three_way,
    )
    header = reasons + _header_reasons(invoice, order)
    status = Status.DISCREPANCY if header else result.status
    reasons = header + [r.as_dict() for r in result.reasons]
    match = InvoiceMatch.objects.create(  # not-invoice-status
        invoice=invoice,
        company=invoice.company,
        order=order,
        status=status,
        mode=invoice.company.po_matching,
        found_by=found_by,
        manual=manual,
        reasons=reasons,
        invoice_net=result.invoice_net,
        expected_net=result.expected_net,
        matched_by=actor.label,
    )
    _store_lines(match, result, rows, order_lines)
    _set_invoice_status(invoice, status)
    _record(invoice, match, result, actor=actor)
    return match


def _header_reasons(invoice: Invoice, order: PurchaseOrder) -> list[dict]:
    reasons = []
    if order.supplier_id != invoice.supplier_id:
        reasons.append(
            {
                "code": "supplier_differs",
                "message": f"Order {order.number} is to another supplier.",
                "row": None,
            }
        )
    if order.currency != invoice.currency:
        reasons.append(
            {
                "code": "currency_differs",
                "message": f"Order {order.number} is in {order.currency}, the invoice in "
                f"{invoice.currency}.",
                "row": None,
            }
        )
    if order.status in FINAL:
        reasons.append(
            {
                "code": f"order_{order.status}",
                "message": f"Order {order.number} is {order.status}.",
                "row": None,
            }
        )
    return reasons


def _invoice_line(row: InvoiceRow, override: ManualLine | None) -> InvoiceLine:
    return InvoiceLine(
        position=row.position,
        net_amount=row.net_amount,
        quantity=override.quantity if override and override.quantity is not None else row.quantity,
        unit_price=row.unit_price,
        description=row.description,
        item_code="" if override else row.item_code,
        product_code="" if override else row.product_code,
        gtin="" if override else row.gtin,
        order_line_reference=override.line_id if override else row.order_line_reference,
    )


def _open_lines(lines: list[PurchaseOrderLine], *, three_way: bool) -> list[OrderLine]:
    """The order's lines with what other active invoices hold of each (this invoice's own
    match was dropped before)."""
    held = dict(
        MatchAllocation.objects.filter(order_line__in=lines)
        .exclude(line__match__invoice__status__in=RELEASED)
        .values_list("order_line_id")
        .annotate(total=Sum("quantity"))
    )
    return [
        OrderLine(
            line_id=line.line_id,
            quantity=line.quantity,
            net_amount=line.net_amount,
            open=(line.received_quantity if three_way else line.quantity)
            - held.get(line.pk, Decimal(0)),
            held=held.get(line.pk, Decimal(0)),
            unit_price=line.unit_price,
            description=line.description,
            item_code=line.item_code,
            seller_item_code=line.seller_item_code,
            gtin=line.gtin,
        )
        for line in lines
    ]


def _store_lines(
    match: InvoiceMatch,
    result: MatchResult,
    rows: list[InvoiceRow],
    order_lines: list[PurchaseOrderLine],
) -> None:
    by_position = {row.position: row for row in rows}
    by_line_id = {line.line_id: line for line in order_lines}
    stored = InvoiceLineMatch.objects.bulk_create(
        [
            InvoiceLineMatch(
                match=match,
                row=by_position.get(line.position),
                row_position=line.position,
                status=line.status,
                found_by=line.found_by,
                quantity=line.quantity,
                quantity_over=line.quantity_over,
                unit_price=line.unit_price,
                order_unit_price=line.order_unit_price,
                price_variance=line.price_variance,
                reasons=[r.as_dict() for r in line.reasons],
            )
            for line in result.lines
        ]
    )
    MatchAllocation.objects.bulk_create(
        [
            MatchAllocation(line=stored_line, order_line=by_line_id[a.line_id], quantity=a.quantity)
            for stored_line, line in zip(stored, result.lines, strict=True)
            for a in line.allocations
        ]
    )


def _record(invoice: Invoice, match: InvoiceMatch, result: MatchResult, *, actor: Actor) -> None:
    """The audit entry people read (with every reason) and the event systems follow."""
    number = match.order.number
    if match.status == Status.DISCREPANCY:
        messages = [r["message"] for r in match.reasons]
        messages += [r.message for line in result.lines for r in line.reasons]
        comment = f"PO {number}: discrepancy: " + "; ".join(messages)
        event = event_types.INVOICE_MATCH_DISCREPANCY
    else:
        comment = f"PO {number}: {match.status.replace('_', ' ')}"
        event = event_types.INVOICE_MATCHED
    add_audit_entry(invoice, actor, "po_matched", comment=comment)
    record_invoice_event(event, invoice, actor=actor, details=match_details(match))


def match_details(match: InvoiceMatch) -> dict:
    """What the match events carry (and the export feed shows) about a match."""
    cur = match.invoice.currency
    return {
        "purchase_order_id": str(match.order_id) if match.order_id else None,
        "purchase_order_number": match.order.number if match.order_id else None,
        "match_status": match.status,
        "found_by": match.found_by,
        "expected_net_amount": format_amount(match.expected_net, cur),
        "reasons": list(match.reasons) + [r for line in match.lines.all() for r in line.reasons],
    }


def _move_invoiced(invoice: Invoice, *, counted: bool, actor: Actor) -> None:
    match = InvoiceMatch.objects.filter(invoice=invoice, order__isnull=False).first()
    if match is None or match.counted == counted:
        return
    order = PurchaseOrder.objects.select_for_update().get(pk=match.order_id)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for order_line_id, quantity in MatchAllocation.objects.filter(line__match=match).values_list(
        "order_line_id", "quantity"
    ):
        totals[order_line_id] += quantity
    lines = list(order.lines.all())
    for line in lines:
        if line.pk in totals:
            line.invoiced_quantity += totals[line.pk] if counted else -totals[line.pk]
            line.save(update_fields=["invoiced_quantity"])
    match.counted = counted
    match.save(update_fields=["counted"])
    status = derive_status(order, lines)
    if status != order.status:
        order.status = status  # not-invoice-status
        order.save(update_fields=["status", "modified_at"])  # not-invoice-status
        tell_order_changed(order, actor=actor)


def _set_invoice_status(invoice: Invoice, status: str) -> None:
    """Keep the invoice's summary of its match (lists filter on it); a change is a change
    of the invoice for ``modified_after`` readers."""
    if invoice.po_match_status != status:
        invoice.po_match_status = status
        invoice.modified_at = timezone.now()
        Invoice.objects.filter(pk=invoice.pk).update(
            po_match_status=status, modified_at=invoice.modified_at
        )


def _rows_intact(match: InvoiceMatch) -> bool:
    """Whether every row the match judged is still the invoice's (rows replaced by a change
    are new rows: the old ones' links were emptied)."""
    return all(line.row_id is not None for line in match.lines.all() if line.row_position)


def _lock_matchable(invoice: Invoice) -> Invoice:
    invoice = lock_invoice(invoice)
    counted = InvoiceMatch.objects.filter(invoice=invoice, counted=True).exists()
    if invoice.status not in MATCHABLE or counted:
        raise MatchNotChangeable(
            f"The invoice is {invoice.status}: its purchase order match no longer changes."
        )
    return invoice


def _named_order(invoice: Invoice, ref: str) -> PurchaseOrder:
    ref = ref.strip()
    order = PurchaseOrder.objects.filter(company=invoice.company, number=ref).first()
    order = order or _by_uuid(invoice.company, ref)
    if order is None:
        raise FieldError(f"The company has no purchase order {ref}.", loc=["order"])
    return order


def _by_uuid(company: object, ref: str) -> PurchaseOrder | None:
    try:
        return PurchaseOrder.objects.filter(company=company, pk=UUID(ref)).first()
    except ValueError:
        return None


def _checked_lines(
    invoice: Invoice, order: PurchaseOrder, lines: Iterable[ManualLine]
) -> dict[int, ManualLine]:
    positions = set(invoice.rows.values_list("position", flat=True))
    line_ids = set(order.lines.values_list("line_id", flat=True))
    problems: list[FieldError] = []
    chosen: dict[int, ManualLine] = {}
    for i, line in enumerate(lines):
        if line.row not in positions:
            problems.append(
                FieldError(f"The invoice has no row {line.row}.", loc=["lines", i, "row"])
            )
        elif line.row in chosen:
            problems.append(FieldError(f"Row {line.row} is named twice.", loc=["lines", i, "row"]))
        if line.line_id not in line_ids:
            problems.append(
                FieldError(
                    f"Order {order.number} has no line {line.line_id!r}.",
                    loc=["lines", i, "line_id"],
                )
            )
        if line.quantity is not None and line.quantity <= 0:
            problems.append(
                FieldError(
                    "A quantity above zero, or none for the row's.", loc=["lines", i, "quantity"]
                )
            )
        chosen.setdefault(line.row, line)
    if problems:
        raise ValidationFailed(problems)
    return chosen
