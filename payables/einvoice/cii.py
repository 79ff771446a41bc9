"""UN/CEFACT Cross Industry Invoice D16B and ZUGFeRD 1.0 into the canonical model.

CII D16B follows the EN 16931-3-3 syntax binding (CEN/TS 16931-3-3:2017), as profiled by
Factur-X / ZUGFeRD 2.x (MINIMUM, BASIC WL, BASIC, EN16931, EXTENDED; https://fnfe-mpe.org/
factur-x/, https://www.ferd-net.de/) and XRechnung CII (https://xeinkauf.de/xrechnung/).
ZUGFeRD 1.0 (``CrossIndustryDocument``, urn:ferd:CrossIndustryDocument:invoice:1p0) has the
same structure under older element names, so one mapping reads both: elements are matched
by local name, and ``_Syntax`` names the few elements that differ.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lxml import etree

from payables.einvoice.errors import (
    EInvoiceError,
    LimitExceeded,
    MalformedDocument,
    UnsupportedFormat,
)
from payables.einvoice.model import (
    Address,
    AllowanceCharge,
    Attachment,
    Finding,
    Invoice,
    Line,
    ParsedDocument,
    ParseLimits,
    Party,
    PaymentMeans,
    Totals,
    VatBreakdown,
)
from payables.einvoice.xmlsafe import parse_xml, path_of, root_tag, text, to_decimal

FORMAT = "cii"

CII_NAMESPACE = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
ZUGFERD1_NAMESPACE = "urn:ferd:CrossIndustryDocument:invoice:1p0"

# Profiles whose invoices carry totals and VAT but no lines.
HEADER_ONLY_PROFILES = frozenset({"MINIMUM", "BASIC WL"})

# Line status reason codes (Factur-X EXTENDED, BT-X-8) of lines that the totals do not
# count: a GROUP line subtotals its DETAIL sub-lines, an INFORMATION line is for reading
# only. Reading them as lines would count amounts twice.
_NOT_COUNTED_LINE_STATUSES = frozenset({"GROUP", "INFORMATION"})

_HEAD = 64 * 1024
# The prolog (space, declaration, processing instructions, comments, a DOCTYPE), then the
# root. Each part ends at its first terminator: a lazy ``.*?`` would, on a non-CII root,
# retry every later "-->" in the document (a second on a commented UBL file). A DOCTYPE is
# matched so that ``parse`` gets the document and refuses it as unsafe, by name.
# CCYYMMDD (102), CCYYMMDDHHMM (203), CCYYMMDDHHMMSS (204) or ISO 8601 (ZUGFeRD 1.0 references).
_DAY = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:$|[T\s]|\d{4}(?:\d{2})?$)")


@dataclass(frozen=True)
class _Syntax:
    """Element names that differ between CII D16B and ZUGFeRD 1.0."""

    format: str
    version: str
    namespace: str
    context: str
    document: str
    transaction: str
    agreement: str
    delivery: str
    settlement: str
    header_summation: str
    line_agreement: str
    line_delivery: str
    line_settlement: str
    line_summation: str


_D16B = _Syntax(
    format="cii",
    version="D16B",
    namespace=CII_NAMESPACE,
    context="ExchangedDocumentContext",
    document="ExchangedDocument",
    transaction="SupplyChainTradeTransaction",
    agreement="ApplicableHeaderTradeAgreement",
    delivery="ApplicableHeaderTradeDelivery",
    settlement="ApplicableHeaderTradeSettlement",
    header_summation="SpecifiedTradeSettlementHeaderMonetarySummation",
    line_agreement="SpecifiedLineTradeAgreement",
    line_delivery="SpecifiedLineTradeDelivery",
    line_settlement="SpecifiedLineTradeSettlement",
    line_summation="SpecifiedTradeSettlementLineMonetarySummation",
)

_ZUGFERD1 = _Syntax(
    format="zugferd1",
    version="1.0",
    namespace=ZUGFERD1_NAMESPACE,
    context="SpecifiedExchangedDocumentContext",
    document="HeaderExchangedDocument",
    transaction="SpecifiedSupplyChainTradeTransaction",
    agreement="ApplicableSupplyChainTradeAgreement",
    delivery="ApplicableSupplyChainTradeDelivery",
    settlement="ApplicableSupplyChainTradeSettlement",
    header_summation="SpecifiedTradeSettlementMonetarySummation",
    line_agreement="SpecifiedSupplyChainTradeAgreement",
    line_delivery="SpecifiedSupplyChainTradeDelivery",
    line_settlement="SpecifiedSupplyChainTradeSettlement",
    line_summation="SpecifiedTradeSettlementMonetarySummation",
)

_SYNTAXES = {"CrossIndustryInvoice": _D16B, "CrossIndustryDocument": _ZUGFERD1}

# D16B says RateApplicablePercent and IssuerAssignedID where ZUGFeRD 1.0 says
# ApplicablePercent and ID; either is accepted in both.
_RATE = "RateApplicablePercent|ApplicablePercent"
_DOC_ID = "IssuerAssignedID|ID"


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
    local = root_tag(_head(data)).rsplit(":", 1)[-1]
    return local if local in {"CrossIndustryInvoice", "CrossIndustryDocument"} else ""


def _head(data: bytes) -> bytes:
    head = data[:_HEAD]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore").encode("utf-8")
    return head.removeprefix(b"\xef\xbb\xbf")


def parse(data: bytes, *, limits: ParseLimits) -> ParsedDocument:
    """Read a CII D16B or ZUGFeRD 1.0 invoice; refuse what cannot be read."""
    root = parse_xml(data, limits=limits)
    name = _local(root)
    syntax = _SYNTAXES.get(name)
    if syntax is None:
        raise UnsupportedFormat(
            f"Not a Cross Industry Invoice: the root element is {name}", location=path_of(root)
        )
    reader = _Reader(syntax, limits)
    try:
        invoice, profile = reader.invoice(root)
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


class _Reader:
    """Maps one parsed document to an Invoice, collecting findings on the way."""

    def __init__(self, syntax: _Syntax, limits: ParseLimits) -> None:
        self.s = syntax
        self.limits = limits
        self.findings: list[Finding] = []

    def note(
        self, rule_id: str, severity: str, message: str, element: etree._Element | None = None
    ) -> None:
        location = path_of(element) if element is not None else ""
        self.findings.append(Finding(rule_id, severity, message, location))

    # -- the document -----------------------------------------------------------------

    def invoice(self, root: etree._Element) -> tuple[Invoice, str]:
        s = self.s
        if etree.QName(root).namespace != s.namespace:
            self.note(
                "PAY-CII-NAMESPACE",
                "warning",
                f"The root element has namespace {etree.QName(root).namespace or 'none'!r}, "
                f"expected {s.namespace!r}; read by element names",
                root,
            )
        context = _child(root, s.context)
        document = _child(root, s.document)
        transaction = _child(root, s.transaction)
        if transaction is None:
            self.note(
                "PAY-CII-STRUCTURE",
                "warning",
                f"The document has no {s.transaction}: no parties, lines or totals",
                root,
            )
        agreement = _child(transaction, s.agreement)
        delivery = _child(transaction, s.delivery)
        settlement = _child(transaction, s.settlement)

        guideline = _text(context, "GuidelineSpecifiedDocumentContextParameter", "ID")
        profile = self.profile(guideline, context)
        currency = self.currency(settlement, "InvoiceCurrencyCode")
        tax_currency = self.currency(settlement, "TaxCurrencyCode")
        vat_breakdown, tax_point_date = self.vat_breakdown(settlement)
        due_date, payment_terms = self.payment_terms(settlement)
        invoice = Invoice(
            number=_text(document, "ID"),  # BT-1
            issue_date=self.date(_child(document, "IssueDateTime")),  # BT-2
            type_code=self.type_code(document),  # BT-3
            currency=currency,  # BT-5
            tax_currency=tax_currency,  # BT-6
            tax_point_date=tax_point_date,  # BT-7
            due_date=due_date,  # BT-9
            buyer_reference=_text(agreement, "BuyerReference"),  # BT-10
            project_reference=_text(agreement, "SpecifiedProcuringProject", "ID"),  # BT-11
            contract_reference=_text(agreement, "ContractReferencedDocument", _DOC_ID),  # BT-12
            order_reference=_text(agreement, "BuyerOrderReferencedDocument", _DOC_ID),  # BT-13
            sales_order_reference=_text(  # BT-14
                agreement, "SellerOrderReferencedDocument", _DOC_ID
            ),
            preceding_invoice=_text(settlement, "InvoiceReferencedDocument", _DOC_ID),  # BT-25
            accounting_cost=_text(  # BT-19
                settlement, "ReceivableSpecifiedTradeAccountingAccount", "ID"
            ),
            customization_id=guideline,  # BT-24
            profile_id=_text(  # BT-23
                context, "BusinessProcessSpecifiedDocumentContextParameter", "ID"
            ),
            notes=self.notes(document),  # BT-22
            seller=self.party(_child(agreement, "SellerTradeParty")),  # BG-4
            buyer=self.party(_child(agreement, "BuyerTradeParty")),  # BG-7
            payee_name=_text(settlement, "PayeeTradeParty", "Name"),  # BT-59
            payment_means=self.payment_means(settlement),  # BG-16
            payment_terms=payment_terms,  # BT-20
            delivery_date=self.date(  # BT-72
                _child(delivery, "ActualDeliverySupplyChainEvent", "OccurrenceDateTime")
            ),
            lines=self.lines(transaction, profile),  # BG-25
            allowances_charges=self.document_allowances_charges(settlement),  # BG-20 / BG-21
            vat_breakdown=vat_breakdown,  # BG-23
            totals=self.totals(settlement, currency),  # BG-22
            attachments=self.attachments(agreement),  # BG-24
        )
        return invoice, profile

    def profile(self, guideline: str, context: etree._Element | None) -> str:
        profile = profile_of(guideline)
        if not profile:
            self.note(
                "PAY-CII-PROFILE",
                "warning",
                f"Unknown specification identifier (BT-24) {guideline!r}: not a known "
                "Factur-X, ZUGFeRD or XRechnung invoice profile; read as EN 16931"
                if guideline
                else "The document names no specification identifier (BT-24); read as EN 16931",
                context,
            )
        elif profile in HEADER_ONLY_PROFILES:
            self.note(
                "PAY-CII-HEADER-ONLY",
                "info",
                f"{profile} profile: a header-only invoice with totals and VAT but no lines",
                context,
            )
        return profile

    def type_code(self, document: etree._Element | None) -> str:
        code = _text(document, "TypeCode")
        if not code:
            self.note(
                "PAY-CII-TYPE",
                "warning",
                "The document has no TypeCode (BT-3); read as a commercial invoice (380)",
                document,
            )
            return "380"
        return code

    def currency(self, settlement: etree._Element | None, name: str) -> str:
        element = _child(settlement, name)
        code = text(element)
        if code != code.upper():
            self.note(
                "PAY-CII-CURRENCY",
                "warning",
                f"Currency code {code!r} is not upper case; read as {code.upper()!r}",
                element,
            )
        return code.upper()

    def notes(self, document: etree._Element | None) -> tuple[str, ...]:
        notes = []
        for note in _children(document, "IncludedNote"):
            content = "\n".join(text(c) for c in _children(note, "Content") if text(c))
            if content:
                notes.append(content)
        return tuple(notes)

    # -- parties ----------------------------------------------------------------------

    def party(self, element: etree._Element | None) -> Party:
        if element is None:
            return Party()
        # BT-29 / BT-46: ID without a scheme, GlobalID with one, in document order.
        identifiers = tuple(
            (text(child), child.get("schemeID", "").strip())
            for child in element
            if _local(child) in ("ID", "GlobalID") and text(child)
        )
        legal = _child(element, "SpecifiedLegalOrganization", "ID")
        vat_id, tax_id = self.tax_registrations(element)
        contact = _child(element, "DefinedTradeContact")
        endpoint = _child(element, "URIUniversalCommunication", "URIID")
        return Party(
            name=_text(element, "Name"),  # BT-27 / BT-44
            trading_name=_text(  # BT-28 / BT-45
                element, "SpecifiedLegalOrganization", "TradingBusinessName"
            ),
            registry_id=text(legal),  # BT-30 / BT-47
            registry_scheme=_attr(legal, "schemeID"),
            vat_id=vat_id,  # BT-31 / BT-48
            tax_registration_id=tax_id,  # BT-32
            identifiers=identifiers,  # BT-29 / BT-46
            electronic_address=text(endpoint),  # BT-34 / BT-49
            electronic_address_scheme=_attr(endpoint, "schemeID"),
            address=self.address(_child(element, "PostalTradeAddress")),  # BG-5 / BG-8
            contact_name=_text(contact, "PersonName")  # BT-41 / BT-56
            or _text(contact, "DepartmentName"),
            contact_phone=_text(  # BT-42 / BT-57
                contact, "TelephoneUniversalCommunication", "CompleteNumber"
            ),
            contact_email=_text(  # BT-43 / BT-58
                contact, "EmailURIUniversalCommunication", "URIID"
            ),
        )

    def tax_registrations(self, party: etree._Element) -> tuple[str, str]:
        vat_id = tax_id = ""
        for registration in _all(party, "SpecifiedTaxRegistration", "ID"):
            value, scheme = text(registration), _attr(registration, "schemeID").upper()
            if not value:
                continue
            if scheme == "VAT":
                self.note(
                    "PAY-CII-TAX-SCHEME",
                    "warning",
                    f"Tax registration {value!r} has scheme 'VAT'; the code list says VA; "
                    "read as the VAT id",
                    registration,
                )
                scheme = "VA"
            if scheme == "VA" and not vat_id:
                vat_id = value  # BT-31 / BT-48
            elif scheme == "FC" and not tax_id:
                tax_id = value  # BT-32
            elif scheme not in ("VA", "FC"):
                self.note(
                    "PAY-CII-TAX-SCHEME",
                    "warning",
                    f"Tax registration {value!r} has scheme {scheme or 'none'!r}, neither VA "
                    "(VAT id) nor FC (tax number); ignored",
                    registration,
                )
        return vat_id, tax_id

    def address(self, element: etree._Element | None) -> Address:
        if element is None:
            return Address()
        lines = (_text(element, name) for name in ("LineOne", "LineTwo", "LineThree"))
        return Address(
            lines=tuple(line for line in lines if line),  # BT-35..37 / BT-50..52
            city=_text(element, "CityName"),  # BT-37 / BT-52
            postal_code=_text(element, "PostcodeCode"),  # BT-38 / BT-53
            subdivision=_text(element, "CountrySubDivisionName"),  # BT-39 / BT-54
            country=_text(element, "CountryID"),  # BT-40 / BT-55
        )

    # -- settlement -------------------------------------------------------------------

    def payment_means(self, settlement: etree._Element | None) -> tuple[PaymentMeans, ...]:
        reference = _text(settlement, "PaymentReference")  # BT-83
        means = []
        for element in _children(settlement, "SpecifiedTradeSettlementPaymentMeans"):
            account = _child(element, "PayeePartyCreditorFinancialAccount")
            means.append(
                PaymentMeans(
                    code=_text(element, "TypeCode"),  # BT-81
                    iban=_text(account, "IBANID") or _text(account, "ProprietaryID"),  # BT-84
                    account_name=_text(account, "AccountName"),  # BT-85
                    bic=_text(  # BT-86
                        element, "PayeeSpecifiedCreditorFinancialInstitution", "BICID"
                    ),
                    payment_reference=reference,
                )
            )
        if not means and reference:
            means.append(PaymentMeans(payment_reference=reference))
        return tuple(means)

    def payment_terms(self, settlement: etree._Element | None) -> tuple[date | None, str]:
        due_date, descriptions = None, []
        for terms in _children(settlement, "SpecifiedTradePaymentTerms"):
            description = _text(terms, "Description")  # BT-20
            if description:
                descriptions.append(description)
            if due_date is None:
                due_date = self.date(_child(terms, "DueDateDateTime"))  # BT-9
        return due_date, "\n".join(descriptions)

    def vat_breakdown(
        self, settlement: etree._Element | None
    ) -> tuple[tuple[VatBreakdown, ...], date | None]:
        breakdown, tax_point_date = [], None
        for tax in _children(settlement, "ApplicableTradeTax"):
            if tax_point_date is None:
                tax_point_date = self.date(_child(tax, "TaxPointDate"))  # BT-7
            basis = self.amount(_child(tax, "BasisAmount"))  # BT-116
            calculated = self.amount(_child(tax, "CalculatedAmount"))  # BT-117
            if basis is None or calculated is None:
                self.note(
                    "PAY-CII-VAT",
                    "warning",
                    "A VAT breakdown without BasisAmount (BT-116) or CalculatedAmount "
                    "(BT-117) is skipped",
                    tax,
                )
                continue
            breakdown.append(
                VatBreakdown(
                    category=_text(tax, "CategoryCode"),  # BT-118
                    taxable_amount=basis,
                    tax_amount=calculated,
                    rate=self.amount(_child(tax, _RATE)),  # BT-119
                    exemption_reason=_text(tax, "ExemptionReason"),  # BT-120
                    exemption_reason_code=_text(tax, "ExemptionReasonCode"),  # BT-121
                )
            )
        return tuple(breakdown), tax_point_date

    def document_allowances_charges(
        self, settlement: etree._Element | None
    ) -> tuple[AllowanceCharge, ...]:
        found = [
            self.allowance_charge(element)
            for element in _children(settlement, "SpecifiedTradeAllowanceCharge")
        ]
        # ZUGFeRD 1.0 and EXTENDED carry freight as logistics service charges; they count
        # in ChargeTotalAmount (BT-108), so they are document-level charges (BG-21).
        found.extend(
            self.logistics_charge(element)
            for element in _children(settlement, "SpecifiedLogisticsServiceCharge")
        )
        return tuple(item for item in found if item is not None)

    def allowance_charge(self, element: etree._Element) -> AllowanceCharge | None:
        indicator = _child(element, "ChargeIndicator", "Indicator")
        flag = text(indicator).lower()
        if flag not in ("true", "false", "1", "0"):
            self.note(
                "PAY-CII-ALLOWANCE",
                "warning",
                f"ChargeIndicator {flag!r} is neither true nor false; read as an allowance",
                element,
            )
        amount = self.amount(_child(element, "ActualAmount"))  # BT-92 / BT-99 / BT-136 / BT-141
        if amount is None:
            self.note(
                "PAY-CII-ALLOWANCE",
                "warning",
                "An allowance or charge without ActualAmount is skipped",
                element,
            )
            return None
        tax = _child(element, "CategoryTradeTax")
        return AllowanceCharge(
            is_charge=flag in ("true", "1"),
            amount=amount,
            base_amount=self.amount(_child(element, "BasisAmount")),  # BT-93 / BT-100
            percentage=self.amount(_child(element, "CalculationPercent")),  # BT-94 / BT-101
            vat_category=_text(tax, "CategoryCode"),  # BT-95 / BT-102
            vat_rate=self.amount(_child(tax, _RATE)),  # BT-96 / BT-103
            reason=_text(element, "Reason"),  # BT-97 / BT-104 / BT-139 / BT-144
            reason_code=_text(element, "ReasonCode"),  # BT-98 / BT-105 / BT-140 / BT-145
        )

    def logistics_charge(self, element: etree._Element) -> AllowanceCharge | None:
        amount = self.amount(_child(element, "AppliedAmount"))  # BT-99
        if amount is None:
            self.note(
                "PAY-CII-ALLOWANCE",
                "warning",
                "A logistics service charge without AppliedAmount is skipped",
                element,
            )
            return None
        tax = _child(element, "AppliedTradeTax")
        return AllowanceCharge(
            is_charge=True,
            amount=amount,
            vat_category=_text(tax, "CategoryCode"),  # BT-102
            vat_rate=self.amount(_child(tax, _RATE)),  # BT-103
            reason=_text(element, "Description"),  # BT-104
        )

    def totals(self, settlement: etree._Element | None, currency: str) -> Totals:
        summation = _child(settlement, self.s.header_summation)
        if summation is None:
            return Totals()
        tax_total = tax_total_accounting = None
        for element in _children(summation, "TaxTotalAmount"):
            value = self.amount(element)
            in_currency = _attr(element, "currencyID").upper()
            if tax_total is None and in_currency in ("", currency):
                tax_total = value  # BT-110
            elif tax_total_accounting is None:
                tax_total_accounting = value  # BT-111
            else:
                self.note("PAY-CII-TOTALS", "warning", "A third TaxTotalAmount is ignored", element)
        return Totals(
            line_net_total=self.amount(_child(summation, "LineTotalAmount")),  # BT-106
            allowance_total=self.amount(_child(summation, "AllowanceTotalAmount")),  # BT-107
            charge_total=self.amount(_child(summation, "ChargeTotalAmount")),  # BT-108
            tax_exclusive=self.amount(_child(summation, "TaxBasisTotalAmount")),  # BT-109
            tax_total=tax_total,
            tax_total_accounting=tax_total_accounting,
            tax_inclusive=self.amount(_child(summation, "GrandTotalAmount")),  # BT-112
            prepaid=self.amount(_child(summation, "TotalPrepaidAmount")),  # BT-113
            rounding=self.amount(_child(summation, "RoundingAmount")),  # BT-114
            payable=self.amount(_child(summation, "DuePayableAmount")),  # BT-115
        )

    def attachments(self, agreement: etree._Element | None) -> tuple[Attachment, ...]:
        found = []
        for reference in _children(agreement, "AdditionalReferencedDocument"):
            binary = _child(reference, "AttachmentBinaryObject")
            # TypeCode 916 is a supporting document (BG-24); 50 (tender, BT-17) and 130
            # (invoiced object, BT-18) are references, not attachments.
            if _text(reference, "TypeCode") != "916" and binary is None:
                continue
            found.append(
                Attachment(
                    id=_text(reference, _DOC_ID),  # BT-122
                    description=_text(reference, "Name"),  # BT-123
                    filename=_attr(binary, "filename"),  # BT-125
                    mime_code=_attr(binary, "mimeCode"),  # BT-125
                    content=self.binary(binary),  # BT-125
                    uri=_text(reference, "URIID"),  # BT-124
                )
            )
        return tuple(found)

    def binary(self, element: etree._Element | None) -> bytes | None:
        if element is None:
            return None
        encoded = "".join((element.text or "").split())
        if not encoded:
            return None
        if len(encoded) // 4 * 3 > self.limits.max_attachment_bytes:
            raise LimitExceeded(
                f"An embedded attachment has about {len(encoded) // 4 * 3} bytes; the limit "
                f"is {self.limits.max_attachment_bytes}",
                location=path_of(element),
            )
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            self.note(
                "PAY-CII-ATTACHMENT",
                "warning",
                "An embedded attachment is not valid base64; its content is dropped",
                element,
            )
            return None

    # -- lines ------------------------------------------------------------------------

    def lines(self, transaction: etree._Element | None, profile: str) -> tuple[Line, ...]:
        items = _children(transaction, "IncludedSupplyChainTradeLineItem")
        if profile in HEADER_ONLY_PROFILES:
            if items:
                self.note(
                    "PAY-CII-HEADER-ONLY",
                    "warning",
                    f"The {profile} profile has no lines; {len(items)} line items are ignored",
                    transaction,
                )
            return ()
        lines, unnumbered = [], []
        for position, item in enumerate(items, start=1):
            line = self.line(item, position)
            if line is None:
                continue
            if not _text(item, "AssociatedDocumentLineDocument", "LineID"):
                unnumbered.append(line.id)
            lines.append(line)
        if unnumbered:
            self.note(
                "PAY-CII-LINE-ID",
                "info",
                f"{len(unnumbered)} line(s) have no LineID (BT-126); they are numbered by "
                f"position: {', '.join(unnumbered)}",
                transaction,
            )
        return tuple(lines)

    def line(self, item: etree._Element, position: int) -> Line | None:
        s = self.s
        document = _child(item, "AssociatedDocumentLineDocument")
        note = "\n".join(
            text(content) for content in _all(document, "IncludedNote", "Content") if text(content)
        )
        status = _text(document, "LineStatusReasonCode").upper()
        if status in _NOT_COUNTED_LINE_STATUSES:
            self.note(
                "PAY-CII-SUBLINE",
                "info",
                f"Line item {position} is a {status} line that the totals do not count "
                "(its DETAIL sub-lines carry the amounts); skipped"
                if status == "GROUP"
                else f"Line item {position} is an INFORMATION line, not counted in the totals; "
                "skipped",
                item,
            )
            return None
        product = _child(item, "SpecifiedTradeProduct")
        agreement = _child(item, s.line_agreement)
        delivery = _child(item, s.line_delivery)
        settlement = _child(item, s.line_settlement)
        quantity = _child(delivery, "BilledQuantity")
        net = self.amount(_child(settlement, s.line_summation, "LineTotalAmount"))
        if net is None:
            if product is None and quantity is None:
                self.note(
                    "PAY-CII-TEXT-LINE",
                    "info",
                    f"Line item {position} carries only a note and no amount; skipped"
                    + (f": {note}" if note else ""),
                    item,
                )
                return None
            self.note(
                "PAY-CII-LINE",
                "warning",
                f"Line item {position} has no LineTotalAmount (BT-131); read as 0",
                item,
            )
            net = Decimal(0)
        net_price = _child(agreement, "NetPriceProductTradePrice")
        base_quantity = _child(net_price, "BasisQuantity")
        tax = _child(settlement, "ApplicableTradeTax")
        standard_id = _child(product, "GlobalID")
        return Line(
            id=_text(document, "LineID") or str(position),  # BT-126
            line_net=net,  # BT-131
            quantity=self.amount(quantity),  # BT-129
            unit_code=_attr(quantity, "unitCode"),  # BT-130
            net_price=self.amount(_child(net_price, "ChargeAmount")),  # BT-146
            price_base_quantity=self.amount(base_quantity),  # BT-149
            gross_price=self.amount(  # BT-148
                _child(agreement, "GrossPriceProductTradePrice", "ChargeAmount")
            ),
            name=_text(product, "Name"),  # BT-153
            description=_text(product, "Description"),  # BT-154
            seller_item_id=_text(product, "SellerAssignedID"),  # BT-155
            buyer_item_id=_text(product, "BuyerAssignedID"),  # BT-156
            standard_item_id=text(standard_id),  # BT-157
            standard_item_scheme=_attr(standard_id, "schemeID"),
            vat_category=_text(tax, "CategoryCode"),  # BT-151
            vat_rate=self.amount(_child(tax, _RATE)),  # BT-152
            allowances_charges=tuple(  # BG-27 / BG-28
                charge
                for element in _children(settlement, "SpecifiedTradeAllowanceCharge")
                if (charge := self.allowance_charge(element)) is not None
            ),
            accounting_cost=_text(  # BT-133
                settlement, "ReceivableSpecifiedTradeAccountingAccount", "ID"
            ),
            note=note,  # BT-127
            order_line_reference=_text(  # BT-132
                agreement, "BuyerOrderReferencedDocument", "LineID"
            ),
        )

    # -- values -----------------------------------------------------------------------

    def amount(self, element: etree._Element | None) -> Decimal | None:
        value = text(element)
        if not value:
            return None
        return to_decimal(value, where=path_of(element))

    def date(self, container: etree._Element | None) -> date | None:
        """Read a date held directly or in a DateTimeString / DateString child."""
        if container is None:
            return None
        holder = _child(container, "DateTimeString|DateString")
        if holder is None:
            holder = container
        value = text(holder)
        if not value:
            return None
        day = read_date(value, holder.get("format", "102"))
        if day is None:
            self.note(
                "PAY-CII-DATE",
                "warning",
                f"{value!r} is not a calendar day (format {holder.get('format', '102')}); "
                "the date is left empty",
                holder,
            )
        return day


def read_date(value: str, fmt: str = "102") -> date | None:
    """A calendar day from a CII date (format 102 = CCYYMMDD, or ISO 8601); None if none.

    >>> read_date("20180305"), read_date("2013-08-01T00:00:00", "")
    (datetime.date(2018, 3, 5), datetime.date(2013, 8, 1))
    >>> read_date("201803051230", "203"), read_date("201803", "610") is None
    (datetime.date(2018, 3, 5), True)
    >>> read_date("20181345") is None, read_date("2018030") is None
    (True, True)
    """
    if fmt not in ("102", "203", "204", ""):
        return None
    match = _DAY.match(value.strip())
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


# -- element helpers (namespace-blind, so ZUGFeRD 1.0 and D16B read alike) ---------------


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(element: etree._Element | None, names: str) -> list[etree._Element]:
    if element is None:
        return []
    wanted = names.split("|")
    return [child for child in element if _local(child) in wanted]


def _all(element: etree._Element | None, *path: str) -> list[etree._Element]:
    found = [element] if element is not None else []
    for step in path:
        found = [child for parent in found for child in _children(parent, step)]
    return found


def _child(element: etree._Element | None, *path: str) -> etree._Element | None:
    for step in path:
        if element is None:
            return None
        element = next(iter(_children(element, step)), None)
    return element


def _text(element: etree._Element | None, *path: str) -> str:
    return text(_child(element, *path))


def _attr(element: etree._Element | None, name: str) -> str:
    return "" if element is None else (element.get(name) or "").strip()
