"""Import and update purchase orders from XML documents (Peppol BIS Order 3, or the
Estonian e-invoice structure wrapped as ``Payload/PurchaseOrder/E_Invoice``).

The document is read and mapped to the JSON API's input, then created or changed by the
same services, so the same checks apply and the same events are recorded
(``purchase_order.imported``, ``purchase_order.updated``). Their located refusals are
answered with the XML element and line id beside the JSON location.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from payables.einvoice.model import Finding
from payables.errors import FieldError, ValidationFailed
from payables.orders.errors import PurchaseOrderNotFound
from payables.orders.inputs import PurchaseOrderPatch
from payables.orders.models import PurchaseOrder
from payables.orders.services.orders import create_purchase_order, update_purchase_order
from payables.orders.xml_input import order_input, read_order
from payables.orders.xml_places import XmlPlaces
from payables.tenancy.actors import Actor


@dataclass(frozen=True)
class ImportedOrder:
    """The order a document created or changed, and what the reading noticed."""

    order: PurchaseOrder
    created: bool
    warnings: tuple[Finding, ...]


def import_purchase_order(body: bytes, *, actor: Actor) -> ImportedOrder:
    """Create the order the document holds; its number must be new in the company (409)."""
    parsed = read_order(body)
    document = order_input(parsed, body=body, company=actor.company)
    with _located(document.places):
        order = create_purchase_order(document.data, actor=actor)
    return ImportedOrder(order, created=True, warnings=document.warnings)


def update_purchase_order_from_document(body: bytes, *, actor: Actor) -> ImportedOrder:
    """Change the company's order with the document's number (404 when there is none).

    What the document states replaces what is stored, and its lines replace the order's
    lines: a line keeps its received and invoiced quantities by its id. What the document
    does not state (a delivery date, a requester the company does not know) stays.
    """
    parsed = read_order(body)
    order = PurchaseOrder.objects.filter(company=actor.company, number=parsed.number).first()
    if order is None:
        raise PurchaseOrderNotFound(
            f"There is no purchase order {parsed.number}: import it first "
            "(POST /api/v1/purchase-orders/import)."
        )
    document = order_input(parsed, body=body, company=actor.company)
    changes = dict(document.payload)
    if _is_the_orders_supplier(order, changes["supplier"]):
        changes["supplier_id"] = order.supplier_id  # not looked up (nor created) again
        del changes["supplier"]
    with _located(document.places):
        patch = PurchaseOrderPatch.model_validate(changes)
        order = update_purchase_order(order, patch, actor=actor)
    return ImportedOrder(order, created=False, warnings=document.warnings)


def _is_the_orders_supplier(order: PurchaseOrder, seller: dict) -> bool:
    """Whether the document's seller is the order's supplier: the same registry code or
    VAT number, or for a seller without either, the same name."""
    supplier = order.supplier
    if seller.get("registry_code") or seller.get("vat_number"):
        return any(
            seller.get(field) and seller[field] == getattr(supplier, field)
            for field in ("registry_code", "vat_number")
        )
    return seller.get("name", "").casefold() == supplier.name.casefold()


@contextmanager
def _located(places: XmlPlaces) -> Iterator[None]:
    """Name the XML element (and line id) of each located refusal of the services."""
    try:
        yield
    except ValidationFailed as exc:
        raise ValidationFailed([places.relocate(e) for e in exc.errors]) from None
    except FieldError as exc:
        raise ValidationFailed([places.relocate(exc)]) from None
