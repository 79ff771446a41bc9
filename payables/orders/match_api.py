"""Endpoints of invoice ↔ purchase order matching: an invoice's match, set or undone by a
person, and the tolerances it is judged by."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status

from payables.invoices.queries import get_invoice
from payables.masterdata.queries import get_supplier
from payables.orders.match_schemas import MatchIn, MatchOut, ToleranceIn, ToleranceOut
from payables.orders.models import MatchTolerance
from payables.orders.queries import match_of
from payables.orders.services import (
    ManualLine,
    remove_supplier_tolerance,
    set_invoice_match,
    set_tolerance,
    unmatch_invoice,
)
from payables.schema_types import ErrorOut
from payables.tenancy.auth import scoped

invoice_router = Router(tags=["purchase orders"])
tolerance_router = Router(tags=["purchase orders"])
read_invoices = scoped("invoices:read")
read = scoped("orders:read")
write = scoped("orders:write")


def _answer(request: HttpRequest, ref: str) -> MatchOut:
    invoice = get_invoice(request.actor.company, ref)
    return MatchOut.build(invoice, match_of(invoice))


@invoice_router.get("/{ref}/purchase-order-match", response=MatchOut, auth=read_invoices)
def get_match(request: HttpRequest, ref: str) -> MatchOut:
    """How the invoice (by UUID or internal id) compares with its purchase order.

    Per row: the order line(s) it bills and how much of each, `status` (`matched`,
    `over_invoiced`, `price_variance`, `unmatched`), the quantity billed beyond what was open
    and the unit price variance. Per invoice: `matched` (exactly), `within_tolerance`,
    `discrepancy` (with `reasons`) or `no_po`. An invoice is matched when it becomes `new`:
    to the order its `order_number` names (number or UUID), else to its supplier's only open
    order in its currency.
    """
    return _answer(request, ref)


@invoice_router.put("/{ref}/purchase-order-match", response=MatchOut, auth=write)
def put_match(request: HttpRequest, ref: str, payload: MatchIn) -> MatchOut:
    """Match the invoice to the order named by `order` (number or UUID) — automatically line
    by line, or with `lines` choosing the order line of given rows. `order` null finds the
    order again as on arrival. A person's match is kept when the invoice is routed again.

    Only while the invoice is `new`, `assigned` or `rejected` (else 409
    `match_not_changeable`); an unknown order or row is a 422 at `["body", "order"]` or
    `["body", "lines", i, "row" | "line_id"]`.
    """
    invoice = get_invoice(request.actor.company, ref)
    lines = [ManualLine(x.row, x.line_id, x.quantity) for x in payload.lines or []]
    set_invoice_match(invoice, order_ref=payload.order, lines=lines, actor=request.actor)
    return _answer(request, ref)


@invoice_router.delete(
    "/{ref}/purchase-order-match", response={200: MatchOut, 409: ErrorOut}, auth=write
)
def delete_match(request: HttpRequest, ref: str) -> MatchOut:
    """Say the invoice bills no purchase order: `no_po`, kept when it is routed again; what
    it held of an order is open again."""
    unmatch_invoice(get_invoice(request.actor.company, ref), actor=request.actor)
    return _answer(request, ref)


@tolerance_router.get("", response=list[ToleranceOut], auth=read)
def list_tolerances(request: HttpRequest) -> list[ToleranceOut]:
    """The company's tolerances (`supplier_id` null) and its suppliers' own; without a
    stored row matching is exact."""
    rows = MatchTolerance.objects.filter(company=request.actor.company).order_by(
        "supplier__name", "supplier_id"
    )
    return [ToleranceOut.build(row) for row in rows]


@tolerance_router.put("/company", response=ToleranceOut, auth=write)
def put_company_tolerance(request: HttpRequest, payload: ToleranceIn) -> ToleranceOut:
    """Set the company's tolerances: every supplier without its own is judged by them."""
    row = set_tolerance(payload.model_dump(), actor=request.actor)
    return ToleranceOut.build(row)


@tolerance_router.put("/suppliers/{supplier_id}", response=ToleranceOut, auth=write)
def put_supplier_tolerance(
    request: HttpRequest, supplier_id: UUID, payload: ToleranceIn
) -> ToleranceOut:
    """Set one supplier's own tolerances (they replace the company's for its invoices)."""
    supplier = get_supplier(request.actor.company, supplier_id)
    row = set_tolerance(payload.model_dump(), actor=request.actor, supplier=supplier)
    return ToleranceOut.build(row)


@tolerance_router.delete("/suppliers/{supplier_id}", response={204: None}, auth=write)
def delete_supplier_tolerance(request: HttpRequest, supplier_id: UUID) -> Status[None]:
    """Judge the supplier's invoices by the company's tolerances again."""
    remove_supplier_tolerance(get_supplier(request.actor.company, supplier_id), actor=request.actor)
    return Status(204, None)
