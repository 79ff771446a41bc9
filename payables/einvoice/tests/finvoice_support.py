"""Shared helpers of the Finvoice tests: samples, parsing, and the document's own figures
read with plain lxml XPath, not with the parser.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from lxml import etree

from payables.einvoice import finvoice
from payables.einvoice.model import Invoice, ParsedDocument, ParseLimits
from payables.einvoice.tests.corpus import CORPUS_DIR, SAMPLES_DIR

LIMITS = ParseLimits()
CREDIT_NOTE = "finvoice-3.0-credit-note-iso-8859-15.xml"
WINDOWS_1252 = "finvoice-2.01-invoice-windows-1252.xml"
SUB_ROWS = "finvoice-2.01-invoice-sub-invoice-rows.xml"
UTF8_BOM = "finvoice-3.0-invoice-utf-8-bom.xml"
MISDECLARED = (
    "finvoice-3.0-invoice-utf-8-declared-iso-8859-15.xml",
    "finvoice-3.0-invoice-iso-8859-15-declared-utf-8.xml",
)
# The ebXML transmission frame Finnish banks and operators put before each Finvoice.
FRAME = (
    b'<?xml version="1.0" encoding="ISO-8859-15"?>\n'
    b'<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
    b'xmlns:eb="http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd">\n'
    b"  <SOAP-ENV:Header><eb:MessageHeader><eb:From><eb:PartyId>003723456789</eb:PartyId>"
    b"<eb:Role>Sender</eb:Role></eb:From></eb:MessageHeader></SOAP-ENV:Header>\n"
    b'  <SOAP-ENV:Body><eb:Manifest><eb:Reference eb:id="Finvoice"/></eb:Manifest>'
    b"</SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n"
)
ISO_DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-15"?>'


def sample(name: str) -> bytes:
    return (SAMPLES_DIR / name).read_bytes()


def parse(data: bytes) -> ParsedDocument:
    return finvoice.parse(data, limits=LIMITS)


def only_invoice(data: bytes) -> Invoice:
    (invoice,) = parse(data).invoices
    return invoice


def rule_ids(document: ParsedDocument) -> set[str]:
    return {finding.rule_id for finding in document.findings}


# --- the document's own figures, read without the parser ---------------------------------


def finvoice_root(data: bytes) -> etree._Element:
    """The Finvoice document of a file: everything from its last XML declaration on."""
    start = max(data.rfind(b"<?xml "), 0)
    return etree.fromstring(data[start:], etree.XMLParser(resolve_entities=False))


def amount(root: etree._Element, xpath: str) -> Decimal | None:
    values = root.xpath(f"{xpath}/text()")
    return Decimal(values[0].strip().replace(",", ".")) if values else None


def stated_totals(root: etree._Element) -> dict[str, Decimal | None]:
    details = "/Finvoice/InvoiceDetails"
    gross = amount(root, f"{details}/InvoiceTotalVatIncludedAmount")
    instructed = amount(
        root, "/Finvoice/EpiDetails/EpiPaymentInstructionDetails/EpiInstructedAmount"
    )
    row_nets = [
        Decimal(value.strip().replace(",", "."))
        for value in root.xpath("/Finvoice/InvoiceRow/RowVatExcludedAmount/text()")
    ]
    rows_total = amount(root, f"{details}/RowsTotalVatExcludedAmount")
    return {
        "line_net_total": rows_total if rows_total is not None else sum(row_nets, Decimal(0)),
        "tax_exclusive": amount(root, f"{details}/InvoiceTotalVatExcludedAmount"),
        "tax_total": amount(root, f"{details}/InvoiceTotalVatAmount"),
        "tax_inclusive": gross,
        "payable": instructed if instructed is not None else gross,
    }


def stated_vat(root: etree._Element) -> list[tuple[Decimal | None, ...]]:
    return [
        (
            amount(spec, "VatBaseAmount"),
            amount(spec, "VatRatePercent"),
            amount(spec, "VatRateAmount"),
        )
        for spec in root.xpath("/Finvoice/InvoiceDetails/VatSpecificationDetails")
    ]


def manifest_gross(row: dict[str, str]) -> Decimal:
    (note,) = [
        n for n in row["notes"].split("; ") if n.startswith("InvoiceTotalVatIncludedAmount=")
    ]
    return Decimal(note.split("=", 1)[1].replace(",", "."))


def without_routing(invoice: Invoice) -> Invoice:
    """The invoice without electronic addresses, which only MessageTransmissionDetails carry."""
    return replace(
        invoice,
        seller=replace(invoice.seller, electronic_address="", electronic_address_scheme=""),
        buyer=replace(invoice.buyer, electronic_address="", electronic_address_scheme=""),
    )


def corpus_pair(version: str) -> tuple[bytes, bytes]:
    folder = CORPUS_DIR / "finvoice" / "visma-maventa"
    bare = folder / f"anon_finvoice_{version}_invoice_with_MessageTransmissionDetails.xml"
    framed = folder / f"anon_finvoice_{version}_invoice_with_SOAP.xml"
    if not bare.exists() or not framed.exists():
        pytest.skip("the shared corpus is absent: expected at ../shared/corpus")
    return bare.read_bytes(), framed.read_bytes()
