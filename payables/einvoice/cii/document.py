"""Detect and parse a CII document: its root, profile (BT-24) and header."""

from __future__ import annotations

import re

from lxml import etree

from payables.einvoice.cii.attachments import attachments
from payables.einvoice.cii.elements import child, child_text, children, local
from payables.einvoice.cii.lines import lines
from payables.einvoice.cii.parties import party
from payables.einvoice.cii.reader import Reader
from payables.einvoice.cii.settlement import (
    document_allowances_charges,
    payment_means,
    payment_terms,
    totals,
    vat_breakdown,
)
from payables.einvoice.cii.syntax import DOC_ID, HEADER_ONLY_PROFILES, SYNTAXES
from payables.einvoice.errors import EInvoiceError, MalformedDocument, UnsupportedFormat
from payables.einvoice.model import Invoice, ParsedDocument, ParseLimits
from payables.einvoice.sniff import root_name
from payables.einvoice.xmlsafe import parse_xml, path_of, text


def detect(data: bytes) -> bool:
    """True when the root element is a CII ``CrossIndustryInvoice`` or ZUGFeRD 1.0 document.

    >>> detect(b'<?xml version="1.0"?><rsm:CrossIndustryInvoice xmlns:rsm="urn:x"/>')
    True
    >>> detect(b"<Invoice><CrossIndustryInvoice/></Invoice>")
    False
    """
    return bool(root_element(data))


def root_element(data: bytes) -> str:
    """The root's local name if it is ``CrossIndustryInvoice`` or ``CrossIndustryDocument``.

    A cheap sniff for callers that must tell ZUGFeRD 1.0 from 2.x before parsing.

    >>> root_element(b"<CrossIndustryDocument/>"), root_element(b"<Invoice/>")
    ('CrossIndustryDocument', '')
    """
    name = root_name(data)
    return name if name in {"CrossIndustryInvoice", "CrossIndustryDocument"} else ""


def parse(data: bytes, *, limits: ParseLimits) -> ParsedDocument:
    """Read a CII D16B or ZUGFeRD 1.0 invoice; refuse what cannot be read."""
    root = parse_xml(data, limits=limits)
    name = local(root)
    syntax = SYNTAXES.get(name)
    if syntax is None:
        raise UnsupportedFormat(
            f"Not a Cross Industry Invoice: the root element is {name}", location=path_of(root)
        )
    reader = Reader(syntax, limits)
    try:
        invoice, profile = _invoice(reader, root)
    except EInvoiceError:
        raise
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
        # A last guard for hostile shapes the mapping did not foresee: the caller gets a
        # clear refusal instead of a crash.
        raise MalformedDocument(
            f"The {syntax.format.upper()} document cannot be read ({type(exc).__name__})"
        ) from exc
    return ParsedDocument(
        format=syntax.format,
        version=syntax.version,
        profile=profile,
        invoices=(invoice,),
        findings=tuple(reader.findings),
        is_header_only=profile in HEADER_ONLY_PROFILES,
    )


def profile_of(guideline: str) -> str:
    """Name the Factur-X / ZUGFeRD / XRechnung profile of a guideline id (BT-24).

    >>> profile_of("urn:factur-x.eu:1p0:basicwl"), profile_of("urn:cen.eu:en16931:2017")
    ('BASIC WL', 'EN16931')
    >>> profile_of("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0")
    'xrechnung'
    >>> profile_of("urn:ferd:CrossIndustryDocument:invoice:1p0:comfort")
    'COMFORT'
    """
    value = guideline.strip().lower()
    if "xrechnung" in value:
        return "xrechnung"
    if "peppol" in value:
        return "peppol-bis-3"
    if "order" in value.split(":"):
        return ""  # an Order-X / ZUGFeRD order, not an invoice profile
    last = re.split(r"[:#]", value)[-1]
    known = {
        "minimum": "MINIMUM",
        "basicwl": "BASIC WL",
        "basic-wl": "BASIC WL",
        "basic": "BASIC",
        "comfort": "COMFORT",
        "extended": "EXTENDED",
    }
    if last in known:
        return known[last]
    if value.startswith("urn:cen.eu:en16931:2017"):
        return "EN16931"
    return ""


def _invoice(reader: Reader, root: etree._Element) -> tuple[Invoice, str]:
    s = reader.s
    if etree.QName(root).namespace != s.namespace:
        reader.note(
            "PAY-CII-NAMESPACE",
            "warning",
            f"The root element has namespace {etree.QName(root).namespace or 'none'!r}, "
            f"expected {s.namespace!r}; read by element names",
            root,
        )
    context = child(root, s.context)
    document = child(root, s.document)
    transaction = child(root, s.transaction)
    if transaction is None:
        reader.note(
            "PAY-CII-STRUCTURE",
            "warning",
            f"The document has no {s.transaction}: no parties, lines or totals",
            root,
        )
    agreement = child(transaction, s.agreement)
    delivery = child(transaction, s.delivery)
    settlement = child(transaction, s.settlement)

    guideline = child_text(context, "GuidelineSpecifiedDocumentContextParameter", "ID")
    profile = _profile(reader, guideline, context)
    currency = _currency(reader, settlement, "InvoiceCurrencyCode")
    tax_currency = _currency(reader, settlement, "TaxCurrencyCode")
    breakdown, tax_point_date = vat_breakdown(reader, settlement)
    due_date, terms = payment_terms(reader, settlement)
    invoice = Invoice(
        number=child_text(document, "ID"),  # BT-1
        issue_date=reader.date(child(document, "IssueDateTime")),  # BT-2
        type_code=_type_code(reader, document),  # BT-3
        currency=currency,  # BT-5
        tax_currency=tax_currency,  # BT-6
        tax_point_date=tax_point_date,  # BT-7
        due_date=due_date,  # BT-9
        buyer_reference=child_text(agreement, "BuyerReference"),  # BT-10
        project_reference=child_text(agreement, "SpecifiedProcuringProject", "ID"),  # BT-11
        contract_reference=child_text(  # BT-12
            agreement, "ContractReferencedDocument", DOC_ID
        ),
        order_reference=child_text(agreement, "BuyerOrderReferencedDocument", DOC_ID),  # BT-13
        sales_order_reference=child_text(  # BT-14
            agreement, "SellerOrderReferencedDocument", DOC_ID
        ),
        preceding_invoice=child_text(  # BT-25
            settlement, "InvoiceReferencedDocument", DOC_ID
        ),
        accounting_cost=child_text(  # BT-19
            settlement, "ReceivableSpecifiedTradeAccountingAccount", "ID"
        ),
        customization_id=guideline,  # BT-24
        profile_id=child_text(  # BT-23
            context, "BusinessProcessSpecifiedDocumentContextParameter", "ID"
        ),
        notes=_notes(document),  # BT-22
        seller=party(reader, child(agreement, "SellerTradeParty")),  # BG-4
        buyer=party(reader, child(agreement, "BuyerTradeParty")),  # BG-7
        payee_name=child_text(settlement, "PayeeTradeParty", "Name"),  # BT-59
        payment_means=payment_means(settlement),  # BG-16
        payment_terms=terms,  # BT-20
        delivery_date=reader.date(  # BT-72
            child(delivery, "ActualDeliverySupplyChainEvent", "OccurrenceDateTime")
        ),
        lines=lines(reader, transaction, profile),  # BG-25
        allowances_charges=document_allowances_charges(reader, settlement),  # BG-20 / BG-21
        vat_breakdown=breakdown,  # BG-23
        totals=totals(reader, settlement, currency),  # BG-22
        attachments=attachments(reader, agreement),  # BG-24
    )
    return invoice, profile


def _profile(reader: Reader, guideline: str, context: etree._Element | None) -> str:
    profile = profile_of(guideline)
    if not profile:
        reader.note(
            "PAY-CII-PROFILE",
            "warning",
            f"Unknown specification identifier (BT-24) {guideline!r}: not a known "
            "Factur-X, ZUGFeRD or XRechnung invoice profile; read as EN 16931"
            if guideline
            else "The document names no specification identifier (BT-24); read as EN 16931",
            context,
        )
    elif profile in HEADER_ONLY_PROFILES:
        reader.note(
            "PAY-CII-HEADER-ONLY",
            "info",
            f"{profile} profile: a header-only invoice with totals and VAT but no lines",
            context,
        )
    return profile


def _type_code(reader: Reader, document: etree._Element | None) -> str:
    code = child_text(document, "TypeCode")
    if not code:
        reader.note(
            "PAY-CII-TYPE",
            "warning",
            "The document has no TypeCode (BT-3); read as a commercial invoice (380)",
            document,
        )
        return "380"
    return code


def _currency(reader: Reader, settlement: etree._Element | None, name: str) -> str:
    element = child(settlement, name)
    code = text(element)
    if code != code.upper():
        reader.note(
            "PAY-CII-CURRENCY",
            "warning",
            f"Currency code {code!r} is not upper case; read as {code.upper()!r}",
            element,
        )
    return code.upper()


def _notes(document: etree._Element | None) -> tuple[str, ...]:
    notes = []
    for note in children(document, "IncludedNote"):
        content = "\n".join(text(c) for c in children(note, "Content") if text(c))
        if content:
            notes.append(content)
    return tuple(notes)
