"""Create, change, replace, close and cancel purchase orders."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from payables.errors import FieldError, ValidationFailed
from payables.events import event_types
from payables.events.services import lock_company_writes
from payables.invoices.services.suppliers import resolve_supplier
from payables.money import format_decimal
from payables.orders.checks import CheckedOrder, check_order, find_requester
from payables.orders.errors import DuplicateOrderNumber, OrderInvoiced, OrderNotEditable
from payables.orders.hooks import tell_order_changed
from payables.orders.inputs import PurchaseOrderIn, PurchaseOrderPatch
from payables.orders.models import PurchaseOrder, PurchaseOrderLine
from payables.orders.services.status import FINAL, derive_status, record_order_event
from payables.tenancy.actors import Actor

# Header fields copied one to one from the input to the model.
_HEADER_FIELDS = (
    "number", "order_date", "delivery_date", "currency", "buyer_reference", "notes", "source",
    "metadata",
)  # fmt: skip
# Line fields copied one to one; received and invoiced quantities are the order's own.
_LINE_FIELDS = (
    "line_id", "item_code", "seller_item_code", "gtin", "description", "quantity", "unit",
    "unit_price", "net_amount", "vat_rate", "vat_code", "account_code", "dimensions",
    "cost_objective",
)  # fmt: skip
_REQUIRED = frozenset({"number", "order_date", "currency", "lines", "source", "metadata"})
_TEXTS = frozenset({"buyer_reference", "notes"})


def create_purchase_order(data: PurchaseOrderIn, *, actor: Actor) -> PurchaseOrder:
    """Store a new open order after checking its lines, codes, totals and supplier."""
    company = actor.company
    checked = check_order(data, company=company)
    with transaction.atomic():
        lock_company_writes(company)
        _refuse_duplicate_number(company, data.number, exclude=None)
        order = PurchaseOrder(company=company, supplier=resolve_supplier(data, actor=actor))
        _apply(order, data, checked, actor=actor)
        _save_guarding_number(order)
        _store_lines(order, checked.lines, is_new=True)
        record_order_event(event_types.PURCHASE_ORDER_IMPORTED, order, actor=actor)
    return order


def update_purchase_order(
    order: PurchaseOrder, patch: PurchaseOrderPatch, *, actor: Actor
) -> PurchaseOrder:
    """Change an order that is not closed or cancelled; sent ``lines`` replace the stored ones.

    A line keeps its received and invoiced quantities by its ``line_id``; a line with any
    cannot be left out, nor ordered below what arrived or was invoiced (a located 422).
    """
    changes = patch.model_dump(exclude_unset=True)
    sent = {k: v for k, v in changes.items() if not (v is None and k in _REQUIRED)}
    sent |= {k: "" for k in _TEXTS if k in sent and sent[k] is None}
    if sent.get("supplier") is not None:
        sent["supplier_id"] = None
    elif sent.get("supplier_id") is not None:
        sent["supplier"] = None
    with transaction.atomic():
        lock_company_writes(actor.company)
        order = _lock(order)
        stored = order_as_input(order, with_vat="lines" not in sent)
        data = PurchaseOrderIn.model_validate(stored | sent)
        return _replace(order, data, actor=actor, changed=sorted(changes))


def upsert_purchase_order(
    number: str, data: PurchaseOrderIn, *, actor: Actor
) -> tuple[PurchaseOrder, bool]:
    """Create the order with this number, or replace the stored one with ``data`` (PUT).

    Answers the order and whether it was created. A replaced order is changed as
    ``update_purchase_order`` changes one, every field taken from ``data``.
    """
    data = data.model_copy(update={"number": number})
    with transaction.atomic():
        lock_company_writes(actor.company)
        order = PurchaseOrder.objects.filter(company=actor.company, number=number).first()
        if order is None:
            return create_purchase_order(data, actor=actor), True
        order = _lock(order)
        changed = sorted(data.model_fields_set | {"lines"})
        return _replace(order, data, actor=actor, changed=changed), False


def close_purchase_order(order: PurchaseOrder, *, actor: Actor, reason: str = "") -> PurchaseOrder:
    """Close an order: nothing more is expected of it (what was not delivered will not be)."""
    with transaction.atomic():
        lock_company_writes(actor.company)
        order = _lock(order)
        order.status = PurchaseOrder.Status.CLOSED  # not-invoice-status
        order.save(update_fields=["status", "modified_at"])  # not-invoice-status
        details = {"reason": reason}
        record_order_event(event_types.PURCHASE_ORDER_CLOSED, order, actor=actor, details=details)
        tell_order_changed(order, actor=actor)
    return order


def cancel_purchase_order(order: PurchaseOrder, *, actor: Actor, reason: str = "") -> PurchaseOrder:
    """Cancel an order nothing was invoiced against (one with invoices can only be closed)."""
    with transaction.atomic():
        lock_company_writes(actor.company)
        order = _lock(order)
        if order.lines.filter(invoiced_quantity__gt=0).exists():
            raise OrderInvoiced(
                f"Invoices were matched against order {order.number}: close it instead."
            )
        order.status = PurchaseOrder.Status.CANCELLED  # not-invoice-status
        order.save(update_fields=["status", "modified_at"])  # not-invoice-status
        details = {"reason": reason}
        record_order_event(
            event_types.PURCHASE_ORDER_CANCELLED, order, actor=actor, details=details
        )
        tell_order_changed(order, actor=actor)
    return order


def order_as_input(order: PurchaseOrder, *, with_vat: bool = True) -> dict:
    """The stored order in the shape of ``PurchaseOrderIn``, so a patch can be merged in.

    Net and gross are left out (they follow from the lines); VAT is kept while the lines
    stay, so a VAT amount the order was given is not computed again.
    """
    data = {name: getattr(order, name) for name in _HEADER_FIELDS}
    data["supplier_id"] = order.supplier_id
    data["requester"] = str(order.requester_id) if order.requester_id else None
    if with_vat:
        data["vat_amount"] = order.vat_amount.normalize()
    data["lines"] = [
        {name: getattr(line, name) for name in _LINE_FIELDS} for line in order.lines.all()
    ]
    for line in data["lines"]:
        for name in ("quantity", "unit_price", "net_amount", "vat_rate"):
            if line[name] is not None:
                line[name] = line[name].normalize()
    return data


def _lock(order: PurchaseOrder) -> PurchaseOrder:
    """The order as stored now, locked; a closed or cancelled one is a 409."""
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if order.status in FINAL:
        raise OrderNotEditable(f"Order {order.number} is {order.status}.")
    return order


def _replace(
    order: PurchaseOrder, data: PurchaseOrderIn, *, actor: Actor, changed: list[str]
) -> PurchaseOrder:
    checked = check_order(data, company=order.company)
    _refuse_duplicate_number(order.company, data.number, exclude=order.pk)
    if data.supplier_id != order.supplier_id or data.supplier is not None:
        order.supplier = resolve_supplier(data, actor=actor)
    _apply(order, data, checked, actor=actor)
    _save_guarding_number(order)
    _store_lines(order, checked.lines)
    details = {"changed_fields": changed}
    record_order_event(event_types.PURCHASE_ORDER_UPDATED, order, actor=actor, details=details)
    tell_order_changed(order, actor=actor)
    return order


def _apply(
    order: PurchaseOrder, data: PurchaseOrderIn, checked: CheckedOrder, *, actor: Actor
) -> None:
    for name in _HEADER_FIELDS:
        setattr(order, name, getattr(data, name))
    order.requester = find_requester(actor.company, data.requester) if data.requester else None
    order.net_amount = checked.net_amount
    order.vat_amount = checked.vat_amount
    order.gross_amount = checked.gross_amount


def _store_lines(order: PurchaseOrder, lines: list[dict], *, is_new: bool = False) -> None:
    """Store the lines; a stored line with the same ``line_id`` is changed, not replaced."""
    stored = {} if is_new else {line.line_id: line for line in order.lines.all()}
    problems: list[FieldError] = []
    kept: list[PurchaseOrderLine] = []
    for i, values in enumerate(lines):
        line = stored.pop(values["line_id"], None) or PurchaseOrderLine(order=order)
        for name in _LINE_FIELDS:
            setattr(line, name, values[name])
        line.position = i + 1
        for done, what in (
            (line.received_quantity, "received"),
            (line.invoiced_quantity, "invoiced"),
        ):
            if line.quantity < done:
                problems.append(
                    FieldError(
                        f"Line {line.line_id!r} has {format_decimal(done)} {what}: "
                        "order at least that.",
                        loc=["lines", i, "quantity"],
                        code=f"below_{what}",
                    )
                )
        kept.append(line)
    for line in stored.values():
        if line.received_quantity or line.invoiced_quantity or line.receipt_lines.exists():
            problems.append(
                FieldError(
                    f"Line {line.line_id!r} has goods receipts or invoices: keep it in the lines.",
                    loc=["lines"],
                    code="line_in_use",
                )
            )
    if problems:
        raise ValidationFailed(problems)
    PurchaseOrderLine.objects.filter(pk__in=[line.pk for line in stored.values()]).delete()
    for line in kept:
        line.save()
    status = derive_status(order, kept)
    if status != order.status:
        order.status = status  # not-invoice-status
        order.save(update_fields=["status", "modified_at"])  # not-invoice-status


def _refuse_duplicate_number(company: object, number: str, *, exclude: object) -> None:
    existing = PurchaseOrder.objects.filter(company=company, number=number).exclude(pk=exclude)
    if found := existing.first():
        raise DuplicateOrderNumber(
            f"The company already has purchase order {number}.",
            extra={"existing_id": str(found.id)},
        )


def _save_guarding_number(order: PurchaseOrder) -> None:
    """Save; the unique constraint catches a duplicate number that raced past the check."""
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        _refuse_duplicate_number(order.company, order.number, exclude=order.pk)
        raise
