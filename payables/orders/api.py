"""Purchase order endpoints: orders, their lines and goods receipts."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from payables.errors import FieldError
from payables.orders.queries import (
    filter_orders,
    get_order,
    get_order_by_number,
    order_receipts,
)
from payables.orders.schemas import (
    GoodsReceiptIn,
    GoodsReceiptOut,
    PurchaseOrderFilters,
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrderPatch,
    PurchaseOrderPut,
    ReasonIn,
)
from payables.orders.services import (
    cancel_purchase_order,
    close_purchase_order,
    create_purchase_order,
    record_goods_receipt,
    update_purchase_order,
    upsert_purchase_order,
)
from payables.schema_types import Page, paginate
from payables.tenancy.auth import scoped

router = Router(tags=["purchase orders"])
read = scoped("orders:read")
write = scoped("orders:write")


def _detail(request: HttpRequest, ref: object) -> PurchaseOrderOut:
    return PurchaseOrderOut.from_order(get_order(request.actor.company, str(ref)))


@router.post("", response={201: PurchaseOrderOut}, auth=write)
def create(request: HttpRequest, payload: PurchaseOrderIn) -> Status[PurchaseOrderOut]:
    """Create a purchase order (status `open`); its number is unique in the company (409).

    The supplier is named as on invoices: `supplier_id`, or a `supplier` object with an
    `id`, `registry_code` or `vat_number` (created from `name` and `country` when none
    matches). `requester` names a company user by UUID, email or code.

    A line's `net_amount` is `quantity` times `unit_price` (to the cent) when not given;
    `line_id` is its position when not given. Totals may be left out: net is the sum of
    the lines, VAT each rate's net times rate (the line's `vat_rate`, else its VAT code's),
    gross net + VAT; given net and gross must reconcile to the cent (422).

    **Codes are checked as on invoice rows**: each line's `item_code` (a product item),
    `account_code`, `vat_code` (a purchase code) and `dimensions` must exist, be active
    and be valid on `order_date`, e.g. `["body", "lines", 0, "dimensions", "department"]`.
    """
    order = create_purchase_order(payload, actor=request.actor)
    return Status(201, _detail(request, order.id))


@router.get("", response=Page[PurchaseOrderOut], auth=read)
def list_orders(request: HttpRequest, filters: Query[PurchaseOrderFilters]) -> dict:
    items, count = paginate(filter_orders(request.actor.company, filters), filters)
    return {"items": [PurchaseOrderOut.from_order(o) for o in items], "count": count}


@router.get("/by-number/{path:number}", response=PurchaseOrderOut, auth=read)
def get_by_number(request: HttpRequest, number: str) -> PurchaseOrderOut:
    """Get a purchase order by its number."""
    return PurchaseOrderOut.from_order(get_order_by_number(request.actor.company, number))


@router.put(
    "/by-number/{path:number}", response={200: PurchaseOrderOut, 201: PurchaseOrderOut}, auth=write
)
def put_by_number(
    request: HttpRequest, number: str, payload: PurchaseOrderPut
) -> Status[PurchaseOrderOut]:
    """Create the order with this number (201) or replace it whole (200).

    Replacing is an update with every field sent: lines keep their received and invoiced
    quantities by `line_id`, and a closed or cancelled order is a 409. A `number` in the
    body must be the path's.
    """
    if payload.number is not None and payload.number != number:
        raise FieldError("The number must be the path's.", loc=["number"], code="number_mismatch")
    data = PurchaseOrderIn.model_validate(
        payload.model_dump(exclude_unset=True) | {"number": number}
    )
    order, created = upsert_purchase_order(number, data, actor=request.actor)
    return Status(201 if created else 200, _detail(request, order.id))


@router.get("/{ref}", response=PurchaseOrderOut, auth=read)
def get(request: HttpRequest, ref: str) -> PurchaseOrderOut:
    """Get a purchase order by its UUID."""
    return _detail(request, ref)


@router.patch("/{ref}", response=PurchaseOrderOut, auth=write)
def update(request: HttpRequest, ref: str, payload: PurchaseOrderPatch) -> PurchaseOrderOut:
    """Change an order that is not closed or cancelled; sent `lines` replace the stored ones.

    A line keeps its received and invoiced quantities by `line_id`: leaving out such a
    line, or ordering less than arrived or was invoiced, is a located 422.
    """
    order = get_order(request.actor.company, ref)
    update_purchase_order(order, payload, actor=request.actor)
    return _detail(request, order.id)


@router.post("/{ref}/close", response=PurchaseOrderOut, auth=write)
def close(request: HttpRequest, ref: str, payload: ReasonIn) -> PurchaseOrderOut:
    """Close an order: nothing more is expected of it. A closed or cancelled one is a 409."""
    order = get_order(request.actor.company, ref)
    close_purchase_order(order, actor=request.actor, reason=payload.reason)
    return _detail(request, order.id)


@router.post("/{ref}/cancel", response=PurchaseOrderOut, auth=write)
def cancel(request: HttpRequest, ref: str, payload: ReasonIn) -> PurchaseOrderOut:
    """Cancel an order; one with invoiced quantities can only be closed (409)."""
    order = get_order(request.actor.company, ref)
    cancel_purchase_order(order, actor=request.actor, reason=payload.reason)
    return _detail(request, order.id)


@router.post("/{ref}/receipts", response={201: GoodsReceiptOut}, auth=write)
def receive(request: HttpRequest, ref: str, payload: GoodsReceiptIn) -> Status[GoodsReceiptOut]:
    """Record a goods receipt: received quantities per `line_id` (negative reverses).

    A line never has less than zero nor more than its ordered quantity received (a
    located 422 at `["body", "lines", i, "quantity"]`); the order's status follows.
    """
    order = get_order(request.actor.company, ref)
    receipt = record_goods_receipt(order, payload, actor=request.actor)
    return Status(201, GoodsReceiptOut.from_receipt(order_receipts(order).get(pk=receipt.pk)))


@router.get("/{ref}/receipts", response=list[GoodsReceiptOut], auth=read)
def list_receipts(request: HttpRequest, ref: str) -> list[GoodsReceiptOut]:
    order = get_order(request.actor.company, ref)
    return [GoodsReceiptOut.from_receipt(r) for r in order_receipts(order)]
