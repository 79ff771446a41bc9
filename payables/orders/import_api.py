"""Purchase order import from XML: ``POST /purchase-orders/import`` and ``…/import/update``.

The counterpart of Fitek's Purchase Order Import v3 and PurchaseOrderUpdate: one order per
request as XML, answered in XML unless the client asks for JSON (``import_answers``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from payables.orders.import_answers import (
    XML_TYPES,
    ImportedPurchaseOrderOut,
    answer_as_requested,
    xml_body,
)
from payables.orders.queries import get_order
from payables.orders.services.xml_import import (
    ImportedOrder,
    import_purchase_order,
    update_purchase_order_from_document,
)
from payables.tenancy.auth import scoped

router = Router(tags=["purchase orders"])
router.add_decorator(answer_as_requested, mode="view")  # authentication's answers too
write = scoped("orders:write")

_XML_SCHEMA = {"schema": {"type": "string", "description": "PurchaseOrderImportResponse"}}
_ERRORS = {
    401: "No API key, or one that is unknown or revoked.",
    403: "The key lacks the scope `orders:write`.",
    404: "No order with the document's number (update only).",
    409: (
        "Import: the company already has an order with this number (`existing_id`); update: "
        "the order is closed or cancelled. Or a request with the same Idempotency-Key is "
        "still being answered."
    ),
    413: "The body exceeds the e-invoice size limit.",
    415: "The body is not declared as XML.",
    422: "The document or its order is refused; each item locates one problem.",
}


def _openapi(success: int, errors: tuple[int, ...]) -> dict:
    """The XML body, and answers in XML (the default) as well as JSON."""
    responses: dict = {success: {"content": {"application/xml": _XML_SCHEMA}}}
    for status in errors:
        body = "ValidationErrorOut" if status == 422 else "ErrorOut"
        json_schema = {"schema": {"$ref": f"#/components/schemas/{body}"}}
        responses[status] = {
            "description": _ERRORS[status],
            "content": {"application/json": json_schema, "application/xml": _XML_SCHEMA},
        }
    body = {"schema": {"type": "string", "description": "One purchase order document."}}
    return {
        "requestBody": {"required": True, "content": dict.fromkeys(sorted(XML_TYPES), body)},
        "responses": responses,
    }


@router.post(
    "/import",
    response={201: ImportedPurchaseOrderOut},
    auth=write,
    openapi_extra=_openapi(201, (401, 403, 409, 413, 415, 422)),
)
def import_order(request: HttpRequest) -> Status[ImportedPurchaseOrderOut]:
    """Import one purchase order from XML (`Content-Type: application/xml` or `text/xml`).

    The body is a **Peppol BIS Order 3** (UBL 2.1 `Order`, source `peppol`) or the
    **Estonian e-invoice structure wrapped as `Payload/PurchaseOrder/E_Invoice`** (the
    order is its one `Invoice`; source `xml`), as Fitek's Purchase Order Import v3 takes
    it. The order is created as on `POST /purchase-orders` (event
    `purchase_order.imported`): its number must be new (409 `duplicate_order_number` with
    `existing_id`), the seller is found by registry code or VAT number or created from its
    name and country, and each line's item code, account and dimensions are checked
    against master data (422). The Estonian row codes (`PartnerCode`, `BusinessCode`, …)
    are dimensions where the company keeps a dimension type of that code
    (`partner_code`, …), else kept in `metadata.proposed_coding`; `CostObjective` is the
    line's cost objective. The requester is the company user with the document's
    requester e-mail (UBL originator, else buyer contact; the Estonian buyer contact);
    another person is a warning. Totals the document states must match its lines; an
    order with order-level allowances or charges keeps its lines' totals (warning).

    **Answers are XML unless `Accept: application/json`**: 201 with
    `PurchaseOrderImportResponse` (`Status`, `Outcome`, `PurchaseOrder` id, number and
    status, `Warnings`), or in JSON the order as `GET /purchase-orders/{id}` shows it plus
    `warnings`. Refusals have the same content in either format: 422 items keep their
    JSON `loc` (e.g. `["body", "lines", 0, "dimensions", "department"]`) and add the XML
    element (`location`) and `line_id`; malformed XML, a DTD or entities, another root
    element or more than one order are 422 with the reader's finding (`type` its rule,
    e.g. `PAY-XML`, `PAY-UNSAFE`, `PAY-ORDER-FORMAT`); a body over the e-invoice size limit
    413; a body not declared as XML 415. `Idempotency-Key` repeats the first answer, in
    the format it was given.
    """
    imported = import_purchase_order(xml_body(request), actor=request.actor)
    return Status(201, _shown(request, imported))


@router.post(
    "/import/update",
    response={200: ImportedPurchaseOrderOut},
    auth=write,
    openapi_extra=_openapi(200, (401, 403, 404, 409, 413, 415, 422)),
)
def update_order(request: HttpRequest) -> Status[ImportedPurchaseOrderOut]:
    """Update the company's purchase order with the document's number from XML.

    Takes the same documents and answers as `POST /purchase-orders/import` (200,
    `Outcome` `updated`; event `purchase_order.updated`). An unknown number is a 404
    (`purchase_order_not_found`), a closed or cancelled order a 409
    (`order_not_editable`). The document's lines replace the order's: a line keeps its
    received and invoiced quantities by its line id, and ordering less than arrived or was
    invoiced, or leaving such a line out, is a located 422. Header fields the document
    does not state (a delivery date, a requester the company does not know) keep their
    stored values.
    """
    imported = update_purchase_order_from_document(xml_body(request), actor=request.actor)
    return Status(200, _shown(request, imported))


def _shown(request: HttpRequest, imported: ImportedOrder) -> ImportedPurchaseOrderOut:
    order = get_order(request.actor.company, imported.order.id)
    return ImportedPurchaseOrderOut.from_import(order, imported)
