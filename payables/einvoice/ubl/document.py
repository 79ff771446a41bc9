"""Detect and parse a UBL document: its root, header, references and attachments (BG-24)."""

from __future__ import annotations

import base64
import binascii
import re

from lxml import etree

from payables.einvoice.errors import LimitExceeded, MalformedDocument, UnsupportedFormat
from payables.einvoice.model import Attachment, Invoice, ParsedDocument, ParseLimits
from payables.einvoice.reader import DocumentReader
from payables.einvoice.sniff import head
from payables.einvoice.ubl.lines import allowance_charge, lines
from payables.einvoice.ubl.parties import party, payment_means
from payables.einvoice.ubl.reading import day, joined, string
from payables.einvoice.ubl.syntax import (
    FORMAT,
    INVOICED_OBJECT_DOCUMENT_TYPE,
    NO_ORDER_REFERENCE,
    NS,
    NS_CREDIT_NOTE,
    NS_INVOICE,
    PROJECT_DOCUMENT_TYPE,
)
from payables.einvoice.ubl.totals import tax_totals, totals
from payables.einvoice.values import Children, Parent, find_at, findall_at, texts_at
from payables.einvoice.xmlsafe import local_name, parse_xml, path_of, root_tag, text

_UBL_NAMESPACE = re.compile(
    rb"urn:oasis:names:specification:ubl:schema:xsd:(?:Invoice|CreditNote)-2"
)


def detect(data: bytes) -> bool:
    """True for a UBL 2.1 ``Invoice`` or ``CreditNote`` document: root and namespace."""
    start = head(data)
    # A DOCTYPE is skipped here so that the safe parser, not "unsupported format", refuses it.
    local = root_tag(start).rsplit(":", 1)[-1]
    return local in {"Invoice", "CreditNote"} and bool(_UBL_NAMESPACE.search(start))


def parse(data: bytes, *, limits: ParseLimits) -> ParsedDocument:
    """Read one UBL Invoice or CreditNote into the canonical model."""
    root = parse_xml(data, limits=limits)
    namespace = etree.QName(root).namespace or ""
    kind = local_name(root)
    if (kind, namespace) not in {("Invoice", NS_INVOICE), ("CreditNote", NS_CREDIT_NOTE)}:
        raise UnsupportedFormat(
            f"Not a UBL 2.1 Invoice or CreditNote: the root element is {kind!r} in namespace "
            f"{namespace!r}",
            location=f"/{kind}",
        )
    reader = DocumentReader(limits)
    invoice = _invoice(reader, root, is_credit_note=kind == "CreditNote")
    profile = _profile(invoice.customization_id)
    if not profile:
        reader.note(
            "PAY-UBL-PROFILE",
            "info",
            f"Unknown specification identifier (BT-24) {invoice.customization_id!r}: read "
            "as EN 16931",
            "/*/cbc:CustomizationID",
        )
    if not invoice.lines:
        reader.note("PAY-UBL-LINES", "warning", "The document has no invoice lines", f"/{kind}")
    return ParsedDocument(
        format=FORMAT,
        version=string(root, "cbc:UBLVersionID") or "2.1",
        profile=profile,
        invoices=(invoice,),
        findings=tuple(reader.findings),
        is_header_only=not invoice.lines,
    )


def _profile(customization_id: str) -> str:
    """A short name for the specification identifier (BT-24).

    >>> _profile("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0")
    'xrechnung'
    >>> from payables.einvoice.ubl.syntax import PEPPOL_CUSTOMIZATION_ID
    >>> _profile(PEPPOL_CUSTOMIZATION_ID), _profile("urn:cen.eu:en16931:2017"), _profile("")
    ('peppol-bis-3', 'en16931', '')
    """
    value = customization_id.lower()
    if "xrechnung" in value:
        return "xrechnung"
    if "peppol.eu:2017:poacc:billing" in value:
        return "peppol-bis-3"
    if value.startswith("urn:peppol:pint:billing"):
        return "peppol-pint"
    if value.startswith("urn:cen.eu:en16931:2017"):
        return "en16931"
    return ""


def _invoice(reader: DocumentReader, element: etree._Element, *, is_credit_note: bool) -> Invoice:
    root = Children(element)  # the header: some 25 values read from the root's children
    type_tag = "cbc:CreditNoteTypeCode" if is_credit_note else "cbc:InvoiceTypeCode"
    type_element = find_at(root, type_tag, NS)  # BT-3
    currency = _currency(reader, root, "cbc:DocumentCurrencyCode")  # BT-5
    tax_currency = _currency(reader, root, "cbc:TaxCurrencyCode")  # BT-6
    project, attachments = _document_references(reader, root)
    tax_total, tax_total_accounting, vat_breakdown = tax_totals(reader, root, currency)
    order = find_at(root, "cac:OrderReference", NS)
    order_id = string(order, "cbc:ID")  # BT-13
    sales_order_id = string(order, "cbc:SalesOrderID")  # BT-14
    if order_id == NO_ORDER_REFERENCE and sales_order_id:
        order_id = ""
    preceding = [
        text(e)
        for e in findall_at(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", NS)
    ]
    if len(preceding) > 1:
        reader.note(
            "PAY-UBL-PRECEDING",
            "info",
            f"{len(preceding)} preceding invoice references; the first is kept",
            "/*/cac:BillingReference",
        )
    due_date = None if is_credit_note else day(root, "cbc:DueDate")  # BT-9
    for means in findall_at(root, "cac:PaymentMeans", NS):
        # Peppol CreditNote (no DueDate in UBL 2.1) carries BT-9 in PaymentMeans.
        due_date = due_date or day(means, "cbc:PaymentDueDate")
    delivery_dates = [
        day(d, "cbc:ActualDeliveryDate") for d in findall_at(root, "cac:Delivery", NS)
    ]
    return Invoice(
        number=string(root, "cbc:ID"),  # BT-1
        issue_date=day(root, "cbc:IssueDate"),  # BT-2
        # BT-3: the UBL root says invoice or credit note when the code is absent.
        type_code=text(type_element) or ("381" if is_credit_note else "380"),
        currency=currency,
        tax_currency=tax_currency,
        tax_point_date=day(root, "cbc:TaxPointDate"),  # BT-7
        due_date=due_date,
        buyer_reference=string(root, "cbc:BuyerReference"),  # BT-10
        project_reference=string(root, "cac:ProjectReference/cbc:ID") or project,  # BT-11
        contract_reference=string(root, "cac:ContractDocumentReference/cbc:ID"),  # BT-12
        order_reference=order_id,
        sales_order_reference=sales_order_id,
        preceding_invoice=preceding[0] if preceding else "",  # BT-25
        accounting_cost=string(root, "cbc:AccountingCost"),  # BT-19
        customization_id=string(root, "cbc:CustomizationID"),  # BT-24
        profile_id=string(root, "cbc:ProfileID"),  # BT-23
        notes=tuple(texts_at(root, "cbc:Note", NS)),  # BT-22
        seller=party(find_at(root, "cac:AccountingSupplierParty/cac:Party", NS)),  # BG-4
        buyer=party(find_at(root, "cac:AccountingCustomerParty/cac:Party", NS)),  # BG-7
        payee_name=string(root, "cac:PayeeParty/cac:PartyName/cbc:Name"),  # BT-59
        payment_means=payment_means(root),  # BG-16
        payment_terms=joined(root, "cac:PaymentTerms/cbc:Note"),  # BT-20
        delivery_date=next(filter(None, delivery_dates), None),  # BT-72
        lines=lines(reader, root, is_credit_note=is_credit_note),  # BG-25
        allowances_charges=tuple(  # BG-20 / BG-21
            allowance_charge(e) for e in findall_at(root, "cac:AllowanceCharge", NS)
        ),
        vat_breakdown=vat_breakdown,  # BG-23
        totals=totals(find_at(root, "cac:LegalMonetaryTotal", NS), tax_total, tax_total_accounting),
        attachments=attachments,  # BG-24
    )


def _currency(reader: DocumentReader, element: Parent, path: str) -> str:
    value = string(element, path)
    if value != value.upper():
        reader.note(
            "PAY-UBL-CURRENCY",
            "warning",
            f"Currency code {value!r} is not upper case; read as {value.upper()!r}",
            f"/*/{path}",
        )
    return value.upper()


def _document_references(
    reader: DocumentReader, root: Parent
) -> tuple[str, tuple[Attachment, ...]]:
    """Split AdditionalDocumentReference into the project reference and BG-24."""
    project, attachments = "", []
    for reference in findall_at(root, "cac:AdditionalDocumentReference", NS):
        type_code = string(reference, "cbc:DocumentTypeCode")
        if type_code == PROJECT_DOCUMENT_TYPE:
            project = project or string(reference, "cbc:ID")
            continue
        if type_code == INVOICED_OBJECT_DOCUMENT_TYPE:
            continue  # BT-18 is not in the model
        attachments.append(_attachment(reader, reference))
    return project, tuple(attachments)


def _attachment(reader: DocumentReader, reference: etree._Element) -> Attachment:
    binary = find_at(reference, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject", NS)
    external = find_at(reference, "cac:Attachment/cac:ExternalReference", NS)
    filename = mime_code = ""
    if binary is not None:
        filename = (binary.get("filename") or "").strip()
        mime_code = (binary.get("mimeCode") or "").strip()
    return Attachment(
        id=string(reference, "cbc:ID"),  # BT-122
        description=joined(reference, "cbc:DocumentDescription"),  # BT-123
        filename=filename or string(external, "cbc:FileName"),  # BT-125 filename
        mime_code=mime_code or string(external, "cbc:MimeCode"),  # BT-125 mimeCode
        content=None if binary is None else _binary(reader, binary),  # BT-125
        uri=string(external, "cbc:URI"),  # BT-124
    )


def _binary(reader: DocumentReader, element: etree._Element) -> bytes:
    encoded = "".join((element.text or "").split())  # drops all that \s+ matched
    if len(encoded) // 4 * 3 > reader.limits.max_attachment_bytes:
        raise LimitExceeded(
            f"An embedded attachment is larger than {reader.limits.max_attachment_bytes} bytes",
            location=path_of(element),
        )
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedDocument(
            "An embedded attachment is not valid base64", location=path_of(element)
        ) from None
