"""Purchase order documents: Peppol BIS Order 3 (UBL Order 2.1) and the Estonian
e-invoice structure wrapped as ``Payload/PurchaseOrder/E_Invoice``.

Pure parsers like the rest of the engine (no Django, limits as arguments): each turns one
document into a ``ParsedOrder`` or refuses it with an ``EInvoiceError`` whose findings say
why and where (``NotAnOrder``, ``InvalidOrder``, and the XML refusals of ``xmlsafe``).
"""

from __future__ import annotations

import re

from payables.einvoice.errors import LimitExceeded, UnsafeDocument
from payables.einvoice.model import ParseLimits
from payables.einvoice.orders import ee_order, ubl_order
from payables.einvoice.orders.errors import InvalidOrder, NotAnOrder
from payables.einvoice.orders.model import (
    OrderLine,
    OrderParty,
    OrderTotals,
    ParsedOrder,
    Requester,
)
from payables.einvoice.sniff import head, root_name
from payables.einvoice.xmlsafe import has_doctype

FORMATS = (ubl_order, ee_order)
_PAYLOAD = re.compile(rb"<(?:[\w.-]+:)?Payload[\s/>]")


def parse_order(data: bytes, *, limits: ParseLimits | None = None) -> ParsedOrder:
    """Sniff the format from the root element and read the one order of the document.

    A bare ``E_Invoice`` is read as the Estonian order (the wrapper is the import API's,
    and some senders leave it out), and so is a request envelope with a ``Payload``
    (the import API's request fields beside it); any other root is refused as not an order.
    """
    limits = limits or ParseLimits()
    if len(data) > limits.max_bytes:
        raise LimitExceeded(f"The document has {len(data)} bytes; the limit is {limits.max_bytes}")
    for module in FORMATS:
        if module.detect(data):
            return module.parse(data, limits=limits)
    name = root_name(data)
    if name == "E_Invoice" or _PAYLOAD.search(head(data)):
        return ee_order.parse(data, limits=limits)
    if has_doctype(data):  # an entity attack on a root no format claims is still an attack
        raise UnsafeDocument("XML with a DOCTYPE (DTD or entities) is refused")
    if name in {"Order", ""}:
        # An Order outside the UBL namespace, or bytes that are not XML: let the parser
        # say exactly what is wrong, with its location.
        return (ubl_order if name else ee_order).parse(data, limits=limits)
    raise NotAnOrder(
        f"Not a purchase order: the root element is {name!r}; expected a Peppol UBL Order "
        "or Payload/PurchaseOrder/E_Invoice",
        location=f"/{name}",
    )


__all__ = [
    "InvalidOrder",
    "NotAnOrder",
    "OrderLine",
    "OrderParty",
    "OrderTotals",
    "ParsedOrder",
    "Requester",
    "parse_order",
]
