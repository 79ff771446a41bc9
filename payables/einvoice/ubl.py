"""UBL 2.1 Invoice and CreditNote (EN 16931, Peppol BIS Billing 3.0, XRechnung UBL).

Mapping: EN 16931-3-2 (UBL syntax binding) and Peppol BIS Billing 3.0
(https://docs.peppol.eu/poacc/billing/3.0/); element order from the OASIS UBL 2.1 schemas
(http://docs.oasis-open.org/ubl/os-UBL-2.1/). ``render`` writes Peppol BIS Billing 3.0 and
carries every model field, so that ``parse(render(invoice))`` gives the invoice back.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date
from decimal import Decimal

from lxml import etree

from payables.einvoice.errors import LimitExceeded, MalformedDocument, UnsupportedFormat
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
from payables.einvoice.xmlsafe import local_name, parse_xml, path_of, root_tag, text, to_decimal

FORMAT = "ubl"

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
_NS = {"cac": NS_CAC, "cbc": NS_CBC}

PEPPOL_CUSTOMIZATION_ID = (
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
)
PEPPOL_PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

# Peppol: a credit note carries the project reference (BT-11) as a document reference of
# type 50; type 130 is the invoiced object identifier (BT-18), not a supporting document.
_PROJECT_DOCUMENT_TYPE = "50"
_INVOICED_OBJECT_DOCUMENT_TYPE = "130"
# Peppol: an order reference (BT-13) is mandatory beside a sales order reference (BT-14).
_NO_ORDER_REFERENCE = "NA"

_UBL_NAMESPACE = re.compile(
    rb"urn:oasis:names:specification:ubl:schema:xsd:(?:Invoice|CreditNote)-2"
)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?")
_NOT_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def detect(data: bytes) -> bool:
    """True for a UBL 2.1 ``Invoice`` or ``CreditNote`` document: root and namespace."""
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.removeprefix(b"\xef\xbb\xbf")
    # A DOCTYPE is skipped here so that the safe parser, not "unsupported format", refuses it.
    local = root_tag(head).rsplit(":", 1)[-1]
    return local in {"Invoice", "CreditNote"} and bool(_UBL_NAMESPACE.search(head))


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
    reader = _Reader(limits)
    invoice = reader.invoice(root, is_credit_note=kind == "CreditNote")
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
        version=reader.string(root, "cbc:UBLVersionID") or "2.1",
        profile=profile,
        invoices=(invoice,),
        findings=tuple(reader.findings),
        is_header_only=not invoice.lines,
    )


def _profile(customization_id: str) -> str:
    """A short name for the specification identifier (BT-24).

    >>> _profile("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0")
    'xrechnung'
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


class _Reader:
    """Reads one document; collects findings and refuses unreadable values with a location."""

    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits
        self.findings: list[Finding] = []

    def note(self, rule_id: str, severity: str, message: str, location: str = "") -> None:
        self.findings.append(Finding(rule_id, severity, message, location))

    # Values -------------------------------------------------------------------------------

    @staticmethod
    def string(element: etree._Element | None, path: str) -> str:
        return "" if element is None else text(element.find(path, _NS))

    @staticmethod
    def joined(element: etree._Element | None, path: str) -> str:
        """Repeatable text elements that the model holds as one string, one per line."""
        if element is None:
            return ""
        return "\n".join(filter(None, (text(e) for e in element.findall(path, _NS))))

    @staticmethod
    def scheme(element: etree._Element | None, path: str) -> str:
        found = None if element is None else element.find(path, _NS)
        return "" if found is None else (found.get("schemeID") or "").strip()

    @staticmethod
    def decimal(element: etree._Element | None, path: str) -> Decimal | None:
        found = None if element is None else element.find(path, _NS)
        value = text(found)
        return to_decimal(value, where=path_of(found)) if value else None

    def required_decimal(self, element: etree._Element, path: str) -> Decimal:
        value = self.decimal(element, path)
        if value is None:
            where = f"{path_of(element)}/{path}"
            raise MalformedDocument(f"{path} is missing or empty", location=where)
        return value

    @staticmethod
    def day(element: etree._Element | None, path: str) -> date | None:
        found = None if element is None else element.find(path, _NS)
        value = text(found)
        if not value:
            return None
        match = _DATE.fullmatch(value)
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
        raise MalformedDocument(f"Not a date (YYYY-MM-DD): {value!r}", location=path_of(found))

    def currency(self, element: etree._Element, path: str) -> str:
        value = self.string(element, path)
        if value != value.upper():
            self.note(
                "PAY-UBL-CURRENCY",
                "warning",
                f"Currency code {value!r} is not upper case; read as {value.upper()!r}",
                f"/*/{path}",
            )
        return value.upper()

    # Document -----------------------------------------------------------------------------

    def invoice(self, root: etree._Element, *, is_credit_note: bool) -> Invoice:
        type_tag = "cbc:CreditNoteTypeCode" if is_credit_note else "cbc:InvoiceTypeCode"
        type_element = root.find(type_tag, _NS)  # BT-3
        currency = self.currency(root, "cbc:DocumentCurrencyCode")  # BT-5
        tax_currency = self.currency(root, "cbc:TaxCurrencyCode")  # BT-6
        project, attachments = self.document_references(root)
        tax_total, tax_total_accounting, vat_breakdown = self.tax_totals(root, currency)
        order = root.find("cac:OrderReference", _NS)
        order_id = self.string(order, "cbc:ID")  # BT-13
        sales_order_id = self.string(order, "cbc:SalesOrderID")  # BT-14
        if order_id == _NO_ORDER_REFERENCE and sales_order_id:
            order_id = ""
        preceding = [
            text(e)
            for e in root.findall("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", _NS)
        ]
        if len(preceding) > 1:
            self.note(
                "PAY-UBL-PRECEDING",
                "info",
                f"{len(preceding)} preceding invoice references; the first is kept",
                "/*/cac:BillingReference",
            )
        due_date = None if is_credit_note else self.day(root, "cbc:DueDate")  # BT-9
        for means in root.findall("cac:PaymentMeans", _NS):
            # Peppol CreditNote (no DueDate in UBL 2.1) carries BT-9 in PaymentMeans.
            due_date = due_date or self.day(means, "cbc:PaymentDueDate")
        delivery_dates = [
            self.day(d, "cbc:ActualDeliveryDate") for d in root.findall("cac:Delivery", _NS)
        ]
        return Invoice(
            number=self.string(root, "cbc:ID"),  # BT-1
            issue_date=self.day(root, "cbc:IssueDate"),  # BT-2
            # BT-3: the UBL root says invoice or credit note when the code is absent.
            type_code=text(type_element) or ("381" if is_credit_note else "380"),
            currency=currency,
            tax_currency=tax_currency,
            tax_point_date=self.day(root, "cbc:TaxPointDate"),  # BT-7
            due_date=due_date,
            buyer_reference=self.string(root, "cbc:BuyerReference"),  # BT-10
            project_reference=self.string(root, "cac:ProjectReference/cbc:ID") or project,  # BT-11
            contract_reference=self.string(root, "cac:ContractDocumentReference/cbc:ID"),  # BT-12
            order_reference=order_id,
            sales_order_reference=sales_order_id,
            preceding_invoice=preceding[0] if preceding else "",  # BT-25
            accounting_cost=self.string(root, "cbc:AccountingCost"),  # BT-19
            customization_id=self.string(root, "cbc:CustomizationID"),  # BT-24
            profile_id=self.string(root, "cbc:ProfileID"),  # BT-23
            notes=tuple(filter(None, (text(e) for e in root.findall("cbc:Note", _NS)))),  # BT-22
            seller=self.party(root.find("cac:AccountingSupplierParty/cac:Party", _NS)),  # BG-4
            buyer=self.party(root.find("cac:AccountingCustomerParty/cac:Party", _NS)),  # BG-7
            payee_name=self.string(root, "cac:PayeeParty/cac:PartyName/cbc:Name"),  # BT-59
            payment_means=self.payment_means(root),  # BG-16
            payment_terms=self.joined(root, "cac:PaymentTerms/cbc:Note"),  # BT-20
            delivery_date=next(filter(None, delivery_dates), None),  # BT-72
            lines=self.lines(root, is_credit_note=is_credit_note),  # BG-25
            allowances_charges=tuple(  # BG-20 / BG-21
                self.allowance_charge(e) for e in root.findall("cac:AllowanceCharge", _NS)
            ),
            vat_breakdown=vat_breakdown,  # BG-23
            totals=self.totals(
                root.find("cac:LegalMonetaryTotal", _NS), tax_total, tax_total_accounting
            ),
            attachments=attachments,  # BG-24
        )

    def party(self, party: etree._Element | None) -> Party:
        if party is None:
            return Party()
        vat_id = tax_registration_id = ""
        for tax_scheme in party.findall("cac:PartyTaxScheme", _NS):
            company_id = self.string(tax_scheme, "cbc:CompanyID")
            scheme = self.string(tax_scheme, "cac:TaxScheme/cbc:ID").upper()
            if scheme in {"VAT", ""}:
                vat_id = vat_id or company_id  # BT-31 / BT-48
            else:
                tax_registration_id = tax_registration_id or company_id  # BT-32
        legal = party.find("cac:PartyLegalEntity", _NS)
        trading_name = self.string(party, "cac:PartyName/cbc:Name")  # BT-28 / BT-45
        contact = party.find("cac:Contact", _NS)
        return Party(
            # BT-27 / BT-44; documents that lack it (BR-06) fall back to the trading name.
            name=self.string(legal, "cbc:RegistrationName") or trading_name,
            trading_name=trading_name,
            registry_id=self.string(legal, "cbc:CompanyID"),  # BT-30 / BT-47
            registry_scheme=self.scheme(legal, "cbc:CompanyID"),
            vat_id=vat_id,
            tax_registration_id=tax_registration_id,
            identifiers=tuple(  # BT-29 / BT-46
                (text(e), (e.get("schemeID") or "").strip())
                for e in party.findall("cac:PartyIdentification/cbc:ID", _NS)
                if text(e)
            ),
            electronic_address=self.string(party, "cbc:EndpointID"),  # BT-34 / BT-49
            electronic_address_scheme=self.scheme(party, "cbc:EndpointID"),
            address=self.address(party.find("cac:PostalAddress", _NS)),  # BG-5 / BG-8
            contact_name=self.string(contact, "cbc:Name"),  # BT-41 / BT-56
            contact_phone=self.string(contact, "cbc:Telephone"),  # BT-42 / BT-57
            contact_email=self.string(contact, "cbc:ElectronicMail"),  # BT-43 / BT-58
        )

    def address(self, element: etree._Element | None) -> Address:
        if element is None:
            return Address()
        lines = [
            self.string(element, "cbc:StreetName"),  # BT-35 / BT-50
            self.string(element, "cbc:AdditionalStreetName"),  # BT-36 / BT-51
            *(text(e) for e in element.findall("cac:AddressLine/cbc:Line", _NS)),  # BT-162 / BT-163
        ]
        return Address(
            lines=tuple(filter(None, lines)),
            city=self.string(element, "cbc:CityName"),  # BT-37 / BT-52
            postal_code=self.string(element, "cbc:PostalZone"),  # BT-38 / BT-53
            subdivision=self.string(element, "cbc:CountrySubentity"),  # BT-39 / BT-54
            country=self.string(element, "cac:Country/cbc:IdentificationCode"),  # BT-40 / BT-55
        )

    def payment_means(self, root: etree._Element) -> tuple[PaymentMeans, ...]:
        found = []
        for element in root.findall("cac:PaymentMeans", _NS):
            account = element.find("cac:PayeeFinancialAccount", _NS)
            means = PaymentMeans(
                code=self.string(element, "cbc:PaymentMeansCode"),  # BT-81
                iban=self.string(account, "cbc:ID"),  # BT-84
                account_name=self.string(account, "cbc:Name"),  # BT-85
                bic=(  # BT-86 (Peppol: branch ID; older CEN examples: the institution's)
                    self.string(account, "cac:FinancialInstitutionBranch/cbc:ID")
                    or self.string(
                        account, "cac:FinancialInstitutionBranch/cac:FinancialInstitution/cbc:ID"
                    )
                ),
                payment_reference=self.string(element, "cbc:PaymentID"),  # BT-83
            )
            # An empty one only carries a credit note's due date (see render).
            if means != PaymentMeans():
                found.append(means)
        return tuple(found)

    def document_references(self, root: etree._Element) -> tuple[str, tuple[Attachment, ...]]:
        """Split AdditionalDocumentReference into the project reference and BG-24."""
        project, attachments = "", []
        for reference in root.findall("cac:AdditionalDocumentReference", _NS):
            type_code = self.string(reference, "cbc:DocumentTypeCode")
            if type_code == _PROJECT_DOCUMENT_TYPE:
                project = project or self.string(reference, "cbc:ID")
                continue
            if type_code == _INVOICED_OBJECT_DOCUMENT_TYPE:
                continue  # BT-18 is not in the model
            attachments.append(self.attachment(reference))
        return project, tuple(attachments)

    def attachment(self, reference: etree._Element) -> Attachment:
        binary = reference.find("cac:Attachment/cbc:EmbeddedDocumentBinaryObject", _NS)
        external = reference.find("cac:Attachment/cac:ExternalReference", _NS)
        filename = mime_code = ""
        if binary is not None:
            filename = (binary.get("filename") or "").strip()
            mime_code = (binary.get("mimeCode") or "").strip()
        return Attachment(
            id=self.string(reference, "cbc:ID"),  # BT-122
            description=self.joined(reference, "cbc:DocumentDescription"),  # BT-123
            filename=filename or self.string(external, "cbc:FileName"),  # BT-125 filename
            mime_code=mime_code or self.string(external, "cbc:MimeCode"),  # BT-125 mimeCode
            content=None if binary is None else self.binary(binary),  # BT-125
            uri=self.string(external, "cbc:URI"),  # BT-124
        )

    def binary(self, element: etree._Element) -> bytes:
        encoded = re.sub(r"\s+", "", element.text or "")
        if len(encoded) // 4 * 3 > self.limits.max_attachment_bytes:
            raise LimitExceeded(
                f"An embedded attachment is larger than {self.limits.max_attachment_bytes} bytes",
                location=path_of(element),
            )
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedDocument(
                "An embedded attachment is not valid base64", location=path_of(element)
            ) from None

    def tax_totals(
        self, root: etree._Element, currency: str
    ) -> tuple[Decimal | None, Decimal | None, tuple[VatBreakdown, ...]]:
        """BT-110 and BG-23 from the TaxTotal in the document currency; BT-111 from the other."""
        totals = root.findall("cac:TaxTotal", _NS)
        if not totals:
            return None, None, ()

        def in_currency(total: etree._Element) -> bool:
            amount = total.find("cbc:TaxAmount", _NS)
            code = "" if amount is None else (amount.get("currencyID") or "").strip().upper()
            return code in {"", currency} or not currency

        candidates = [t for t in totals if in_currency(t)] or totals
        main = next(
            (t for t in candidates if t.find("cac:TaxSubtotal", _NS) is not None), candidates[0]
        )
        others = [t for t in totals if t is not main]
        if not in_currency(main):
            self.note(
                "PAY-UBL-TAXTOTAL",
                "warning",
                "No TaxTotal is in the document currency; the first one is read as BT-110",
                path_of(main),
            )
        breakdown = tuple(self.vat_breakdown(e) for e in main.findall("cac:TaxSubtotal", _NS))
        accounting = self.decimal(others[0], "cbc:TaxAmount") if others else None
        return self.decimal(main, "cbc:TaxAmount"), accounting, breakdown

    def vat_breakdown(self, subtotal: etree._Element) -> VatBreakdown:
        category = subtotal.find("cac:TaxCategory", _NS)
        rate = self.decimal(category, "cbc:Percent")
        return VatBreakdown(
            category=self.string(category, "cbc:ID"),  # BT-118
            taxable_amount=self.required_decimal(subtotal, "cbc:TaxableAmount"),  # BT-116
            tax_amount=self.required_decimal(subtotal, "cbc:TaxAmount"),  # BT-117
            rate=rate if rate is not None else self.decimal(subtotal, "cbc:Percent"),  # BT-119
            exemption_reason=self.joined(category, "cbc:TaxExemptionReason"),  # BT-120
            exemption_reason_code=self.string(category, "cbc:TaxExemptionReasonCode"),  # BT-121
        )

    def totals(
        self, total: etree._Element | None, tax: Decimal | None, tax_accounting: Decimal | None
    ) -> Totals:
        return Totals(
            line_net_total=self.decimal(total, "cbc:LineExtensionAmount"),  # BT-106
            allowance_total=self.decimal(total, "cbc:AllowanceTotalAmount"),  # BT-107
            charge_total=self.decimal(total, "cbc:ChargeTotalAmount"),  # BT-108
            tax_exclusive=self.decimal(total, "cbc:TaxExclusiveAmount"),  # BT-109
            tax_total=tax,  # BT-110
            tax_total_accounting=tax_accounting,  # BT-111
            tax_inclusive=self.decimal(total, "cbc:TaxInclusiveAmount"),  # BT-112
            prepaid=self.decimal(total, "cbc:PrepaidAmount"),  # BT-113
            rounding=self.decimal(total, "cbc:PayableRoundingAmount"),  # BT-114
            payable=self.decimal(total, "cbc:PayableAmount"),  # BT-115
        )

    def allowance_charge(self, element: etree._Element) -> AllowanceCharge:
        indicator = self.string(element, "cbc:ChargeIndicator").lower()
        if indicator not in {"true", "false", "1", "0"}:
            raise MalformedDocument(
                f"ChargeIndicator must be true or false, not {indicator!r}",
                location=f"{path_of(element)}/cbc:ChargeIndicator",
            )
        category = element.find("cac:TaxCategory", _NS)
        return AllowanceCharge(
            is_charge=indicator in {"true", "1"},
            amount=self.required_decimal(element, "cbc:Amount"),  # BT-92 / BT-99 / BT-136 / BT-141
            base_amount=self.decimal(element, "cbc:BaseAmount"),  # BT-93 / BT-100 / BT-137 / BT-142
            percentage=self.decimal(element, "cbc:MultiplierFactorNumeric"),  # BT-94 / BT-101 / ...
            vat_category=self.string(category, "cbc:ID"),  # BT-95 / BT-102
            vat_rate=self.decimal(category, "cbc:Percent"),  # BT-96 / BT-103
            reason=self.joined(element, "cbc:AllowanceChargeReason"),  # BT-97 / BT-104 / ...
            # BT-98 / BT-105 / BT-140 / BT-145
            reason_code=self.string(element, "cbc:AllowanceChargeReasonCode"),
        )

    def lines(self, root: etree._Element, *, is_credit_note: bool) -> tuple[Line, ...]:
        tag = "cac:CreditNoteLine" if is_credit_note else "cac:InvoiceLine"
        quantity_tag = "cbc:CreditedQuantity" if is_credit_note else "cbc:InvoicedQuantity"
        lines = []
        for element in root.findall(tag, _NS):
            sub_lines = element.findall("cac:SubInvoiceLine", _NS) + element.findall(
                "cac:SubCreditNoteLine", _NS
            )
            if sub_lines:
                # XRechnung extension: the parent line's amount already covers its sub-lines.
                self.note(
                    "PAY-UBL-SUBLINES",
                    "info",
                    f"{len(sub_lines)} sub-lines of line {self.string(element, 'cbc:ID')!r} are "
                    "included in that line's amount and not read as lines of their own",
                    path_of(element),
                )
            lines.append(self.line(element, quantity_tag))
        return tuple(lines)

    def line(self, element: etree._Element, quantity_tag: str) -> Line:
        quantity = element.find(quantity_tag, _NS)
        item = element.find("cac:Item", _NS)
        price = element.find("cac:Price", _NS)
        price_discount = None if price is None else price.find("cac:AllowanceCharge", _NS)
        category = None if item is None else item.find("cac:ClassifiedTaxCategory", _NS)
        return Line(
            id=self.string(element, "cbc:ID"),  # BT-126
            line_net=self.required_decimal(element, "cbc:LineExtensionAmount"),  # BT-131
            quantity=self.decimal(element, quantity_tag),  # BT-129
            unit_code=(quantity.get("unitCode") or "").strip() if quantity is not None else "",
            net_price=self.decimal(price, "cbc:PriceAmount"),  # BT-146
            price_base_quantity=self.decimal(price, "cbc:BaseQuantity"),  # BT-149
            gross_price=self.decimal(price_discount, "cbc:BaseAmount"),  # BT-148
            name=self.string(item, "cbc:Name"),  # BT-153
            description=self.joined(item, "cbc:Description"),  # BT-154
            seller_item_id=self.string(item, "cac:SellersItemIdentification/cbc:ID"),  # BT-155
            buyer_item_id=self.string(item, "cac:BuyersItemIdentification/cbc:ID"),  # BT-156
            standard_item_id=self.string(item, "cac:StandardItemIdentification/cbc:ID"),  # BT-157
            standard_item_scheme=self.scheme(item, "cac:StandardItemIdentification/cbc:ID"),
            vat_category=self.string(category, "cbc:ID"),  # BT-151
            vat_rate=self.decimal(category, "cbc:Percent"),  # BT-152
            allowances_charges=tuple(  # BG-27 / BG-28
                self.allowance_charge(e) for e in element.findall("cac:AllowanceCharge", _NS)
            ),
            accounting_cost=self.string(element, "cbc:AccountingCost"),  # BT-133
            note=self.joined(element, "cbc:Note"),  # BT-127
            # BT-132
            order_line_reference=self.string(element, "cac:OrderLineReference/cbc:LineID"),
        )


# Render ------------------------------------------------------------------------------------


def render(invoice: Invoice) -> bytes:
    """Write the invoice as Peppol BIS Billing 3.0 UBL (CreditNote for credit note codes).

    Values the invoice lacks are left out rather than invented, so a header-only invoice
    renders without lines (not schema-valid UBL, but nothing is made up).
    """
    return _Writer(invoice).document()


class _Writer:
    def __init__(self, invoice: Invoice) -> None:
        self.invoice = invoice
        self.credit = invoice.is_credit_note
        self.currency = invoice.currency

    # Elements -----------------------------------------------------------------------------

    @staticmethod
    def element(
        parent: etree._Element, name: str, value: str | None = None, **attrib: str
    ) -> etree._Element:
        prefix, local = name.split(":")
        attributes = {key: _xml_text(value) for key, value in attrib.items()}
        child = etree.SubElement(parent, f"{{{_NS[prefix]}}}{local}", attributes)
        if value is not None:
            child.text = _xml_text(value)
        return child

    def text(self, parent: etree._Element, name: str, value: str, **attrib: str) -> None:
        if value:
            self.element(parent, name, value, **{k: v for k, v in attrib.items() if v})

    def identifier(self, parent: etree._Element, name: str, value: str, scheme: str) -> None:
        """An identifier with its scheme, written when either is known (even one alone)."""
        if value or scheme:
            self.element(parent, name, value, **({"schemeID": scheme} if scheme else {}))

    def amount(
        self, parent: etree._Element, name: str, value: Decimal | None, currency: str | None = None
    ) -> None:
        if value is not None:
            self.element(
                parent,
                name,
                _decimal(value),
                currencyID=self.currency if currency is None else currency,
            )

    def number(self, parent: etree._Element, name: str, value: Decimal | None) -> None:
        if value is not None:
            self.element(parent, name, _decimal(value))

    def day(self, parent: etree._Element, name: str, value: date | None) -> None:
        if value is not None:
            self.element(parent, name, value.isoformat())

    # Document -----------------------------------------------------------------------------

    def document(self) -> bytes:
        invoice, credit = self.invoice, self.credit
        root_ns = NS_CREDIT_NOTE if credit else NS_INVOICE
        root = etree.Element(
            f"{{{root_ns}}}{'CreditNote' if credit else 'Invoice'}",
            nsmap={None: root_ns, "cac": NS_CAC, "cbc": NS_CBC},
        )
        # BT-24 / BT-23: the invoice's own; Peppol's only for an invoice that names no
        # specification (e.g. from Finvoice), so that a UBL or CII source keeps its own.
        self.text(root, "cbc:CustomizationID", invoice.customization_id or PEPPOL_CUSTOMIZATION_ID)
        default_profile = "" if invoice.customization_id else PEPPOL_PROFILE_ID
        self.text(root, "cbc:ProfileID", invoice.profile_id or default_profile)
        self.element(root, "cbc:ID", invoice.number)
        self.day(root, "cbc:IssueDate", invoice.issue_date)
        if credit:
            self.day(root, "cbc:TaxPointDate", invoice.tax_point_date)
            self.element(root, "cbc:CreditNoteTypeCode", invoice.type_code)
        else:
            self.day(root, "cbc:DueDate", invoice.due_date)
            self.element(root, "cbc:InvoiceTypeCode", invoice.type_code)
        for note in invoice.notes:
            self.text(root, "cbc:Note", note)
        if not credit:
            self.day(root, "cbc:TaxPointDate", invoice.tax_point_date)
        self.text(root, "cbc:DocumentCurrencyCode", invoice.currency)
        self.text(root, "cbc:TaxCurrencyCode", invoice.tax_currency)
        self.text(root, "cbc:AccountingCost", invoice.accounting_cost)
        self.text(root, "cbc:BuyerReference", invoice.buyer_reference)
        if invoice.order_reference or invoice.sales_order_reference:
            order = self.element(root, "cac:OrderReference")
            self.element(order, "cbc:ID", invoice.order_reference or _NO_ORDER_REFERENCE)
            self.text(order, "cbc:SalesOrderID", invoice.sales_order_reference)
        if invoice.preceding_invoice:
            billing = self.element(root, "cac:BillingReference")
            self.text(
                self.element(billing, "cac:InvoiceDocumentReference"),
                "cbc:ID",
                invoice.preceding_invoice,
            )
        if invoice.contract_reference:
            self.text(
                self.element(root, "cac:ContractDocumentReference"),
                "cbc:ID",
                invoice.contract_reference,
            )
        if credit and invoice.project_reference:
            reference = self.element(root, "cac:AdditionalDocumentReference")
            self.element(reference, "cbc:ID", invoice.project_reference)
            self.element(reference, "cbc:DocumentTypeCode", _PROJECT_DOCUMENT_TYPE)
        for attachment in invoice.attachments:
            self.attachment(root, attachment)
        if not credit and invoice.project_reference:
            self.text(
                self.element(root, "cac:ProjectReference"), "cbc:ID", invoice.project_reference
            )
        self.party(self.element(root, "cac:AccountingSupplierParty"), invoice.seller)
        self.party(self.element(root, "cac:AccountingCustomerParty"), invoice.buyer)
        if invoice.payee_name:
            payee = self.element(root, "cac:PayeeParty")
            self.text(self.element(payee, "cac:PartyName"), "cbc:Name", invoice.payee_name)
        if invoice.delivery_date:
            self.day(
                self.element(root, "cac:Delivery"), "cbc:ActualDeliveryDate", invoice.delivery_date
            )
        self.payment_means(root)
        if invoice.payment_terms:
            self.text(self.element(root, "cac:PaymentTerms"), "cbc:Note", invoice.payment_terms)
        for allowance_charge in invoice.allowances_charges:
            self.allowance_charge(root, allowance_charge)
        self.tax_totals(root)
        self.totals(root)
        for line in invoice.lines:
            self.line(root, line)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def party(self, parent: etree._Element, party: Party) -> None:
        element = self.element(parent, "cac:Party")
        self.identifier(
            element, "cbc:EndpointID", party.electronic_address, party.electronic_address_scheme
        )
        for identifier, scheme in party.identifiers:
            self.text(
                self.element(element, "cac:PartyIdentification"),
                "cbc:ID",
                identifier,
                schemeID=scheme,
            )
        if party.trading_name:
            self.text(self.element(element, "cac:PartyName"), "cbc:Name", party.trading_name)
        if party.address != Address():
            self.address(self.element(element, "cac:PostalAddress"), party.address)
        for company_id, scheme in ((party.vat_id, "VAT"), (party.tax_registration_id, "TAX")):
            if company_id:
                tax_scheme = self.element(element, "cac:PartyTaxScheme")
                self.element(tax_scheme, "cbc:CompanyID", company_id)
                self.element(self.element(tax_scheme, "cac:TaxScheme"), "cbc:ID", scheme)
        if party.name or party.registry_id or party.registry_scheme:
            legal = self.element(element, "cac:PartyLegalEntity")
            self.text(legal, "cbc:RegistrationName", party.name)
            self.identifier(legal, "cbc:CompanyID", party.registry_id, party.registry_scheme)
        if party.contact_name or party.contact_phone or party.contact_email:
            contact = self.element(element, "cac:Contact")
            self.text(contact, "cbc:Name", party.contact_name)
            self.text(contact, "cbc:Telephone", party.contact_phone)
            self.text(contact, "cbc:ElectronicMail", party.contact_email)

    def address(self, element: etree._Element, address: Address) -> None:
        lines = [line for line in address.lines if line]
        self.text(element, "cbc:StreetName", lines[0] if lines else "")
        self.text(element, "cbc:AdditionalStreetName", lines[1] if len(lines) > 1 else "")
        self.text(element, "cbc:CityName", address.city)
        self.text(element, "cbc:PostalZone", address.postal_code)
        self.text(element, "cbc:CountrySubentity", address.subdivision)
        for line in lines[2:]:
            self.text(self.element(element, "cac:AddressLine"), "cbc:Line", line)
        if address.country:
            self.text(
                self.element(element, "cac:Country"), "cbc:IdentificationCode", address.country
            )

    def payment_means(self, root: etree._Element) -> None:
        invoice = self.invoice
        means_list = list(invoice.payment_means)
        # UBL 2.1 CreditNote has no DueDate: Peppol puts BT-9 in PaymentMeans; with no
        # payment means, an empty one carries it (the parser skips empty ones).
        due_date = invoice.due_date if self.credit else None
        if due_date and not means_list:
            means_list.append(PaymentMeans())
        for index, means in enumerate(means_list):
            element = self.element(root, "cac:PaymentMeans")
            self.element(element, "cbc:PaymentMeansCode", means.code)
            if index == 0:
                self.day(element, "cbc:PaymentDueDate", due_date)
            self.text(element, "cbc:PaymentID", means.payment_reference)
            if means.iban or means.account_name or means.bic:
                account = self.element(element, "cac:PayeeFinancialAccount")
                self.text(account, "cbc:ID", means.iban)
                self.text(account, "cbc:Name", means.account_name)
                if means.bic:
                    self.text(
                        self.element(account, "cac:FinancialInstitutionBranch"), "cbc:ID", means.bic
                    )

    def attachment(self, root: etree._Element, attachment: Attachment) -> None:
        reference = self.element(root, "cac:AdditionalDocumentReference")
        self.element(reference, "cbc:ID", attachment.id)
        self.text(reference, "cbc:DocumentDescription", attachment.description)
        on_external = attachment.content is None and (attachment.filename or attachment.mime_code)
        if attachment.content is None and not attachment.uri and not on_external:
            return
        holder = self.element(reference, "cac:Attachment")
        if attachment.content is not None:
            binary = self.element(
                holder,
                "cbc:EmbeddedDocumentBinaryObject",
                base64.b64encode(attachment.content).decode("ascii"),
                mimeCode=attachment.mime_code,
            )
            if attachment.filename:
                binary.set("filename", _xml_text(attachment.filename))
        if attachment.uri or on_external:
            external = self.element(holder, "cac:ExternalReference")
            self.text(external, "cbc:URI", attachment.uri)
            if on_external:
                self.text(external, "cbc:MimeCode", attachment.mime_code)
                self.text(external, "cbc:FileName", attachment.filename)

    def allowance_charge(self, parent: etree._Element, allowance_charge: AllowanceCharge) -> None:
        element = self.element(parent, "cac:AllowanceCharge")
        self.element(
            element, "cbc:ChargeIndicator", "true" if allowance_charge.is_charge else "false"
        )
        self.text(element, "cbc:AllowanceChargeReasonCode", allowance_charge.reason_code)
        self.text(element, "cbc:AllowanceChargeReason", allowance_charge.reason)
        self.number(element, "cbc:MultiplierFactorNumeric", allowance_charge.percentage)
        self.amount(element, "cbc:Amount", allowance_charge.amount)
        self.amount(element, "cbc:BaseAmount", allowance_charge.base_amount)
        if allowance_charge.vat_category or allowance_charge.vat_rate is not None:
            self.tax_category(
                element, "cac:TaxCategory", allowance_charge.vat_category, allowance_charge.vat_rate
            )

    def tax_category(
        self,
        parent: etree._Element,
        name: str,
        category: str,
        rate: Decimal | None,
        exemption_code: str = "",
        exemption_reason: str = "",
    ) -> None:
        element = self.element(parent, name)
        self.text(element, "cbc:ID", category)
        self.number(element, "cbc:Percent", rate)
        self.text(element, "cbc:TaxExemptionReasonCode", exemption_code)
        self.text(element, "cbc:TaxExemptionReason", exemption_reason)
        self.element(self.element(element, "cac:TaxScheme"), "cbc:ID", "VAT")

    def tax_totals(self, root: etree._Element) -> None:
        invoice, totals = self.invoice, self.invoice.totals
        if (
            totals.tax_total is None
            and not invoice.vat_breakdown
            and totals.tax_total_accounting is None
        ):
            return
        # The document-currency TaxTotal comes first, even empty, so that BT-111 stays second.
        main = self.element(root, "cac:TaxTotal")
        self.amount(main, "cbc:TaxAmount", totals.tax_total)
        for vat in invoice.vat_breakdown:
            subtotal = self.element(main, "cac:TaxSubtotal")
            self.amount(subtotal, "cbc:TaxableAmount", vat.taxable_amount)
            self.amount(subtotal, "cbc:TaxAmount", vat.tax_amount)
            self.tax_category(
                subtotal,
                "cac:TaxCategory",
                vat.category,
                vat.rate,
                vat.exemption_reason_code,
                vat.exemption_reason,
            )
        if totals.tax_total_accounting is not None:
            accounting = self.element(root, "cac:TaxTotal")
            self.amount(
                accounting,
                "cbc:TaxAmount",
                totals.tax_total_accounting,
                invoice.tax_currency or invoice.currency,
            )

    def totals(self, root: etree._Element) -> None:
        totals = self.invoice.totals
        element = self.element(root, "cac:LegalMonetaryTotal")
        self.amount(element, "cbc:LineExtensionAmount", totals.line_net_total)
        self.amount(element, "cbc:TaxExclusiveAmount", totals.tax_exclusive)
        self.amount(element, "cbc:TaxInclusiveAmount", totals.tax_inclusive)
        self.amount(element, "cbc:AllowanceTotalAmount", totals.allowance_total)
        self.amount(element, "cbc:ChargeTotalAmount", totals.charge_total)
        self.amount(element, "cbc:PrepaidAmount", totals.prepaid)
        self.amount(element, "cbc:PayableRoundingAmount", totals.rounding)
        self.amount(element, "cbc:PayableAmount", totals.payable)

    def line(self, root: etree._Element, line: Line) -> None:
        element = self.element(root, "cac:CreditNoteLine" if self.credit else "cac:InvoiceLine")
        self.element(element, "cbc:ID", line.id)
        self.text(element, "cbc:Note", line.note)
        if line.quantity is not None:
            quantity_tag = "cbc:CreditedQuantity" if self.credit else "cbc:InvoicedQuantity"
            quantity = self.element(element, quantity_tag, _decimal(line.quantity))
            if line.unit_code:
                quantity.set("unitCode", _xml_text(line.unit_code))
        self.amount(element, "cbc:LineExtensionAmount", line.line_net)
        self.text(element, "cbc:AccountingCost", line.accounting_cost)
        if line.order_line_reference:
            self.text(
                self.element(element, "cac:OrderLineReference"),
                "cbc:LineID",
                line.order_line_reference,
            )
        for allowance_charge in line.allowances_charges:
            self.allowance_charge(element, allowance_charge)
        item = self.element(element, "cac:Item")
        self.text(item, "cbc:Description", line.description)
        self.text(item, "cbc:Name", line.name)
        for name, value in (
            ("cac:BuyersItemIdentification", line.buyer_item_id),
            ("cac:SellersItemIdentification", line.seller_item_id),
        ):
            if value:
                self.text(self.element(item, name), "cbc:ID", value)
        if line.standard_item_id or line.standard_item_scheme:
            self.identifier(
                self.element(item, "cac:StandardItemIdentification"),
                "cbc:ID",
                line.standard_item_id,
                line.standard_item_scheme,
            )
        if line.vat_category or line.vat_rate is not None:
            self.tax_category(item, "cac:ClassifiedTaxCategory", line.vat_category, line.vat_rate)
        self.price(element, line)

    def price(self, parent: etree._Element, line: Line) -> None:
        if line.net_price is None and line.price_base_quantity is None and line.gross_price is None:
            return
        price = self.element(parent, "cac:Price")
        self.amount(price, "cbc:PriceAmount", line.net_price)
        if line.price_base_quantity is not None:
            base = self.element(price, "cbc:BaseQuantity", _decimal(line.price_base_quantity))
            if line.unit_code:
                base.set("unitCode", _xml_text(line.unit_code))
        if line.gross_price is not None:
            # BT-147 (price discount) = gross price (BT-148) - net price (BT-146).
            discount = self.element(price, "cac:AllowanceCharge")
            self.element(discount, "cbc:ChargeIndicator", "false")
            self.amount(discount, "cbc:Amount", line.gross_price - (line.net_price or Decimal(0)))
            self.amount(discount, "cbc:BaseAmount", line.gross_price)


def _decimal(value: Decimal) -> str:
    """xsd:decimal text: fixed point, never an exponent, trailing zeros kept.

    >>> _decimal(Decimal("1.5E+3")), _decimal(Decimal("10.50")), _decimal(Decimal("-0.001"))
    ('1500', '10.50', '-0.001')
    """
    return format(value, "f")


def _xml_text(value: str) -> str:
    """Drop characters XML 1.0 cannot hold (lxml refuses them) from model strings."""
    return _NOT_XML_CHARS.sub("", value)
