"""Fitek's Purchase Order Import v3 and PurchaseOrderUpdate: one order per request as XML,
the credentials beside ``Payload/PurchaseOrder/E_Invoice`` in the request element:

    <PurchaseOrderImportRequest>
      <RequestId>…</RequestId><IntegratorId>…</IntegratorId>
      <AuthorizationToken>…</AuthorizationToken>
      <Payload><PurchaseOrder><E_Invoice>…</E_Invoice></PurchaseOrder></Payload>
    </PurchaseOrderImportRequest>

The body goes as it is to the native XML import (``orders.services.xml_import``), which
reads only its ``Payload``; the answer is XML unless ``Accept: application/json``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import HttpRequest
from ninja import Router, Status
from ninja.decorators import decorate_view

from payables.compat.fitek.credentials import FitekCredentials
from payables.compat.fitek.envelope import dotted, success
from payables.compat.fitek.names import to_fitek
from payables.compat.fitek.schemas import (
    AnswerOut,
    OrderSummaryOut,
    PurchaseOrderResultOut,
    answer_schema,
)
from payables.compat.fitek.xml_answers import xml_unless_json
from payables.errors import PayablesError, ValidationFailed
from payables.invoices.schemas.einvoice import FindingOut
from payables.orders.queries import get_order
from payables.orders.services.xml_import import (
    ImportedOrder,
    import_purchase_order,
    update_purchase_order_from_document,
)

router = Router(tags=["purchase orders"])
DOCUMENT = ("Payload", "PurchaseOrder", "E_Invoice")
# The native reader notes that it read only the Payload of the request: ours, by design.
_ENVELOPE_NOTE = "ORDER-ENVELOPE"
_XML = {"schema": {"type": "string"}}
_ANSWERS = {"content": {"application/xml": _XML, "application/json": {}}}


def _openapi(root: str) -> dict:
    described = f"{root.removesuffix('Response')}Request: RequestId, IntegratorId, "
    described += "AuthorizationToken and Payload/PurchaseOrder/E_Invoice."
    request = {"schema": {"type": "string", "description": described}}
    return {
        "requestBody": {"required": True, "content": {"application/xml": request}},
        "responses": {200: _ANSWERS},
    }


@router.post(
    "/PurchaseOrderImport",
    response={
        200: answer_schema("PurchaseOrderImportOut", PurchaseOrderResultOut),
        **dict.fromkeys((401, 403, 409, 413, 415, 422), AnswerOut),
    },
    auth=FitekCredentials("orders:write", xml=True),
    openapi_extra=_openapi("PurchaseOrderImportResponse"),
)
@decorate_view(xml_unless_json("PurchaseOrderImportResponse"))
def purchase_order_import(request: HttpRequest) -> Status[dict]:
    """Purchase Order Import v3: create the order of `Payload/PurchaseOrder/E_Invoice` (the
    Estonian e-invoice structure, one `Invoice` per order), as `POST
    /api/v1/purchase-orders/import` does: its number must be new (409 with `ExistingId`),
    its dimension codes those of the company's master data (422).

    Answers XML (`PurchaseOrderImportResponse`) unless `Accept: application/json`. Errors
    about the document are at `Location` `Payload.PurchaseOrder.E_Invoice`, with the
    element in `XmlLocation`, the order line in `LineId` and the order's field in `Field`.
    """
    with _in_document():
        imported = import_purchase_order(request.body, actor=request.actor)
    return Status(200, success(request, _result(request, imported)))


@router.post(
    "/PurchaseOrderUpdate",
    response={
        200: answer_schema("PurchaseOrderUpdateOut", PurchaseOrderResultOut),
        **dict.fromkeys((401, 403, 404, 409, 413, 415, 422), AnswerOut),
    },
    auth=FitekCredentials("orders:write", xml=True),
    openapi_extra=_openapi("PurchaseOrderUpdateResponse"),
)
@decorate_view(xml_unless_json("PurchaseOrderUpdateResponse"))
def purchase_order_update(request: HttpRequest) -> Status[dict]:
    """PurchaseOrderUpdate: update the company's order with the document's number from the
    same request, as `POST /api/v1/purchase-orders/import/update` does (an unknown number is
    a 404; a closed or cancelled order a 409; its lines replace the order's, keeping what
    was received and invoiced)."""
    with _in_document():
        imported = update_purchase_order_from_document(request.body, actor=request.actor)
    return Status(200, success(request, _result(request, imported)))


@contextmanager
def _in_document() -> Iterator[None]:
    """Locate the services' refusals at the document; the order's field goes to ``Field``."""
    try:
        yield
    except PayablesError as exc:
        for error in exc.errors if isinstance(exc, ValidationFailed) else [exc]:
            loc = [part for part in error.loc or () if part != "body"]
            if loc:
                error.extra = {**error.extra, "field": dotted(loc)}
            error.loc = DOCUMENT
        raise


def _result(request: HttpRequest, imported: ImportedOrder) -> dict:
    order = get_order(request.actor.company, imported.order.id)
    shown = PurchaseOrderResultOut(
        outcome="imported" if imported.created else "updated",
        purchase_order=OrderSummaryOut.from_order(order),
        warnings=[
            FindingOut.from_finding(f) for f in imported.warnings if f.rule_id != _ENVELOPE_NOTE
        ],
    )
    return to_fitek(shown.model_dump(mode="json"), PurchaseOrderResultOut)
