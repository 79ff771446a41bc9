"""The largest documents the limits let through."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from lxml import etree

# -- the largest documents the limits let through ----------------------------------------
# Not attacks: what costs the most among documents that pass every limit, so the bench
# shows that reading (and refusing or importing) them stays within the budget too.

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
UBL_SAMPLE = SAMPLES / "validation-ubl-invoice-two-vat-rates.xml"
CII_SAMPLE = SAMPLES / "validation-cii-en16931-invoice-two-vat-rates.xml"
UBL_NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CII_NS = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
}


@dataclass(frozen=True)
class EdgeCase:
    """A document at the limits; ``outcome`` is what the import makes of it."""

    name: str
    what: str
    build: Callable[[], bytes]
    outcome: str  # "imported" or "refused" (by validation, as any invalid invoice)


def _with_copies(data: bytes, path: str, copies: int, namespaces: dict[str, str]) -> bytes:
    root = etree.fromstring(data)
    element = root.xpath(path, namespaces=namespaces)[0]
    parent, index = element.getparent(), element.getparent().index(element)
    for _ in range(copies):
        parent.insert(index, deepcopy(element))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def failing_lines() -> bytes:
    """1,000 lines, each failing a business rule (a third decimal): the rules write every
    failure's location by counting its preceding lines."""
    amount = b">100.00</cbc:LineExtensionAmount>"
    data = UBL_SAMPLE.read_bytes().replace(amount, amount.replace(b"00<", b"001<"), 1)
    return _with_copies(data, "//cac:InvoiceLine", 998, UBL_NS)


def failing_line_charges() -> bytes:
    """460 lines of 10 allowances each, every allowance failing two rules: as many
    failures, each written with its location, as 20,000 elements can hold."""
    charge = (
        b"<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>"
        b'<cbc:Amount currencyID="EUR">1.999</cbc:Amount></cac:AllowanceCharge>'
    )
    anchor = b'<cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>'
    data = UBL_SAMPLE.read_bytes().replace(anchor, anchor + charge * 10, 1)
    return _with_copies(data, "//cac:InvoiceLine", 458, UBL_NS)


def wrapped_failing_amounts() -> bytes:
    """40 unknown wrappers of 490 amounts with three decimals (98 of each of five kinds):
    not schema-valid, yet every amount fails a rule."""
    kinds = (b"Amount", b"BaseAmount", b"PriceAmount", b"TaxAmount", b"TaxableAmount")
    group = b"".join(b'<cbc:%s currencyID="EUR">1.999</cbc:%s>' % (kind, kind) for kind in kinds)
    wrappers = b"".join(b"<w%d>%s</w%d>" % (n, group * 98, n) for n in range(40))
    return UBL_SAMPLE.read_bytes().replace(b"<cac:TaxTotal>", wrappers + b"<cac:TaxTotal>", 1)


def lines_and_vat_groups() -> bytes:
    """1,000 lines and 90 VAT breakdowns: the rules sum every line for each breakdown."""
    line = "//ram:IncludedSupplyChainTradeLineItem"
    data = _with_copies(CII_SAMPLE.read_bytes(), line, 996, CII_NS)
    header_tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    return _with_copies(data, header_tax, 88, CII_NS)


def large_attachments() -> bytes:
    """A valid invoice carrying three attachments of 4.8 MB each: just under 20 MiB."""
    blob = base64.b64encode(bytes(range(256)) * 19_500)
    references = b"".join(
        b"<cac:AdditionalDocumentReference><cbc:ID>A%d</cbc:ID><cac:Attachment>"
        b'<cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="a%d.pdf">'
        b"%s</cbc:EmbeddedDocumentBinaryObject></cac:Attachment>"
        b"</cac:AdditionalDocumentReference>" % (n, n, blob)
        for n in range(3)
    )
    anchor = b"<cac:AccountingSupplierParty>"
    return UBL_SAMPLE.read_bytes().replace(anchor, references + anchor, 1)


def long_invoice() -> bytes:
    """A valid invoice of 1,000 lines (the line limit), rendered as UBL."""
    from payables.einvoice import parse, render_ubl
    from payables.einvoice.model import Totals, VatBreakdown

    invoice = parse(UBL_SAMPLE.read_bytes()).invoices[0]
    line = dataclasses.replace(
        invoice.lines[0], line_net=Decimal("10.00"), quantity=Decimal(1),
        net_price=Decimal("10.00"), vat_category="S", vat_rate=Decimal(24),
    )  # fmt: skip
    count = 1_000
    net = Decimal("10.00") * count
    vat = (net * Decimal("0.24")).quantize(Decimal("0.01"))
    invoice = dataclasses.replace(
        invoice,
        number="LONG-1000",
        lines=tuple(dataclasses.replace(line, id=str(n + 1)) for n in range(count)),
        allowances_charges=(),
        vat_breakdown=(VatBreakdown("S", net, vat, Decimal(24)),),
        totals=Totals(
            line_net_total=net, tax_exclusive=net, tax_total=vat, tax_inclusive=net + vat,
            payable=net + vat,
        ),
    )  # fmt: skip
    return render_ubl(invoice)


def estonian_batch() -> bytes:
    """An Estonian e-invoice file of 99 invoices (the per-file limit is 100): the
    sample's three, 33 times, each copy with its own numbers, and the Footer to match."""
    root = etree.fromstring((SAMPLES / "ee-1.2-three-invoices-22-24-9-0-percent.xml").read_bytes())
    footer = root.find("Footer")
    originals = root.findall("Invoice")
    for copy in range(1, 33):
        for invoice in originals:
            twin = deepcopy(invoice)
            twin.set("invoiceId", f"{copy}-{twin.get('invoiceId')}")
            number = twin.find(".//InvoiceNumber")
            number.text = f"{number.text}-{copy}"
            footer.addprevious(twin)
    footer.find("TotalNumberInvoices").text = str(3 * 33)
    footer.find("TotalAmount").text = str(Decimal(footer.find("TotalAmount").text) * 33)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


EDGE_CASES = (
    EdgeCase("edge-long-invoice", "valid invoice of 1,000 lines", long_invoice, "imported"),
    EdgeCase("edge-estonian-batch", "Estonian file of 99 invoices", estonian_batch, "imported"),
    EdgeCase(
        "edge-large-attachments",
        "valid invoice with 3 x 4.8 MB attachments",
        large_attachments,
        "imported",
    ),
    EdgeCase("edge-failing-lines", "1,000 lines, each failing a rule", failing_lines, "refused"),
    EdgeCase(
        "edge-failing-line-charges",
        "460 lines of 10 failing allowances",
        failing_line_charges,
        "refused",
    ),
    EdgeCase(
        "edge-wrapped-failing-amounts",
        "19,600 failing amounts in unknown wrappers",
        wrapped_failing_amounts,
        "refused",
    ),
    EdgeCase(
        "edge-lines-and-vat-groups",
        "1,000 lines and 90 VAT breakdowns",
        lines_and_vat_groups,
        "refused",
    ),
)
