"""The e-invoice engine: detect, parse, validate and render e-invoice documents.

Pure Python (lxml, pypdf, saxonche): no Django import anywhere in this package, and
limits come in as arguments (``ParseLimits``), never from settings. Every format
module has the same function set:

- ``FORMAT``: its name;
- ``detect(data: bytes) -> bool``: a cheap look at the bytes;
- ``parse(data: bytes, *, limits: ParseLimits) -> ParsedDocument``;
- ``render(invoice) -> bytes`` where the format is written (UBL, Finvoice 3.0).
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from types import ModuleType

from payables.einvoice.errors import (
    EInvoiceError,
    LimitExceeded,
    MalformedDocument,
    UnsafeDocument,
    UnsupportedFormat,
)
from payables.einvoice.model import Finding, Invoice, ParsedDocument, ParseLimits
from payables.einvoice.xmlsafe import has_doctype

# Detection order matters: a PDF may embed CII, and a SOAP frame mentions Finvoice.
_MODULES = (
    "payables.einvoice.facturx_pdf",
    "payables.einvoice.finvoice",
    "payables.einvoice.ee_einvoice",
    "payables.einvoice.ubl",
    "payables.einvoice.cii",
)


@cache
def format_modules() -> tuple[ModuleType, ...]:
    """The format modules, in detection order (imported on first use, once)."""
    return tuple(import_module(name) for name in _MODULES)


def detect(data: bytes) -> ModuleType:
    """Return the module that reads these bytes, or refuse them."""
    for module in format_modules():
        if module.detect(data):
            return module
    if has_doctype(data):  # an entity attack on a root no format claims is still an attack
        raise UnsafeDocument("XML with a DOCTYPE (DTD or entities) is refused")
    raise UnsupportedFormat(
        "Not a supported e-invoice: expected UBL, CII, ZUGFeRD/Factur-X PDF, Finvoice or "
        "Estonian e-invoice"
    )


def parse(data: bytes, *, limits: ParseLimits | None = None) -> ParsedDocument:
    """Detect the format and parse the document into canonical invoices."""
    limits = limits or ParseLimits()
    if len(data) > limits.max_bytes:
        raise LimitExceeded(f"The document has {len(data)} bytes; the limit is {limits.max_bytes}")
    parsed = detect(data).parse(data, limits=limits)
    if len(parsed.invoices) > limits.max_invoices:  # each format bounds this earlier too
        raise LimitExceeded(
            f"The document holds {len(parsed.invoices)} invoices; the limit is "
            f"{limits.max_invoices}"
        )
    return parsed


def render_ubl(invoice: Invoice) -> bytes:
    """Write the invoice as Peppol BIS Billing 3.0 UBL."""
    return import_module("payables.einvoice.ubl").render(invoice)


def render_finvoice(invoice: Invoice) -> bytes:
    """Write the invoice as Finvoice 3.0."""
    return import_module("payables.einvoice.finvoice").render(invoice)


__all__ = [
    "EInvoiceError",
    "Finding",
    "Invoice",
    "LimitExceeded",
    "MalformedDocument",
    "ParseLimits",
    "ParsedDocument",
    "UnsafeDocument",
    "UnsupportedFormat",
    "detect",
    "format_modules",
    "parse",
    "render_finvoice",
    "render_ubl",
]
