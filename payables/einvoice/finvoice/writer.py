"""Write an invoice as Finvoice 3.0 (Finanssiala ry), in the element order of Finvoice3.0.xsd.

The mapping is the one the reader (``invoice``, ``rows``, ``totals``) applies, reversed, so
that ``parse(render(invoice))`` gives back what Finvoice can hold. A credit note is INV02
with negative amounts and quantities, as Finvoice writes them; one stated with positive
amounts (UBL's convention, payables' ``to_canonical``) is negated, prices and rates kept.

Finvoice requires some values an EN 16931 invoice may lack; the writer fills them so the
document stays schema-valid, and says so here:

- ``EpiDateOptionDate`` (the payment date): the due date, else the issue date (payable at once);
- ``EpiAccountID``: the first payment account, else ``-`` (BBAN), which the reader reads as
  none (card, direct debit and cash invoices name no account);
- ``EpiInstructedAmount``: the amount due, else the gross total, in exactly two decimals.

Limits of the format, each left out rather than invented:

- a party's postal address needs street, town and post code together: a partial one (a
  country alone) is left out;
- a remittance reference that is neither a Finnish reference number nor an RF reference;
  account names, BICs and codes the schema's patterns refuse; a second buyer code; a
  further payment account without a BIC (SellerAccountDetails requires one);
- embedded attachments: Finvoice carries files in a separate attachment message, not in the
  invoice, so only links (``InvoiceUrlText``) are written;
- routing (``MessageTransmissionDetails``: electronic addresses BT-34/BT-49, the
  specification BT-24) belongs to the transmission, and needs the operators' ids;
- the payee (BT-59), the seller's tax registration id (BT-32), the process (BT-23), line
  dimensions, and a line's account code over four characters;
- the VAT accounting currency (BT-6) without its VAT total (BT-111), which carries it.

Text longer than its element is split over the element's repetitions where Finvoice repeats
it (names, notes, payment terms, VAT and row free texts), else cut; an identifier is never
cut but left out, except the invoice number, written whole (over 20 characters the schema
refuses it). Amounts keep up to five decimals, prices more by a larger base quantity.
Finvoice lists discounts before charges, in the document and in each row.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from payables.einvoice.finvoice.builder import (
    ACCOUNT,
    BIC,
    CODE,
    COUNTRY,
    EXEMPTION_CODE,
    FINNISH_REFERENCE,
    IBAN,
    RF_REFERENCE,
    SCHEME,
    UNIT_CODE,
    Builder,
    epi_amount_text,
    pieces,
    quantity_text,
)
from payables.einvoice.model import AllowanceCharge, Invoice, Line, Party, PaymentMeans

NO_ACCOUNT = "-"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MAX_PRICE_PLACES = 5


def render(invoice: Invoice) -> bytes:
    """Write the invoice as a Finvoice 3.0 document (UTF-8); INV02 for a credit note."""
    return _Writer(invoice).document()


def negated(invoice: Invoice) -> bool:
    """Whether the invoice's amounts change sign in Finvoice: a credit note stated positive.

    >>> from datetime import date
    >>> from payables.einvoice.model import Totals
    >>> credit = Invoice("1", date(2024, 1, 2), "381", totals=Totals(tax_inclusive=Decimal(5)))
    >>> negated(credit), negated(Invoice("1", date(2024, 1, 2), "380"))
    (True, False)
    """
    totals = invoice.totals
    stated = totals.tax_inclusive if totals.tax_inclusive is not None else totals.payable
    return invoice.is_credit_note and stated is not None and stated > 0


class _Writer(Builder):
    def __init__(self, invoice: Invoice) -> None:
        super().__init__(invoice.currency)
        self.invoice = invoice
        self.sign = Decimal(-1) if negated(invoice) else Decimal(1)

    def signed(self, value: Decimal | None) -> Decimal | None:
        return None if value is None else value * self.sign

    def money(self, parent: etree._Element, name: str, value: Decimal | None) -> None:
        self.amount(parent, name, self.signed(value))

    # Document -----------------------------------------------------------------------------

    def document(self) -> bytes:
        invoice = self.invoice
        root = etree.Element("Finvoice", {"Version": "3.0"}, nsmap={"xsi": XSI})
        root.set(f"{{{XSI}}}noNamespaceSchemaLocation", "Finvoice3.0.xsd")
        self.party(root, invoice.seller, "Seller")
        self.seller_accounts(root)
        self.party(root, invoice.buyer, "Buyer")
        if invoice.delivery_date:
            self.day(self.element(root, "DeliveryDetails"), "DeliveryDate", invoice.delivery_date)
        self.details(self.element(root, "InvoiceDetails"))
        for line in invoice.lines:
            self.row(self.element(root, "InvoiceRow"), line)
        if not invoice.lines:
            self.element(root, "InvoiceRow")  # one is required; without amounts it is no line
        self.epi(self.element(root, "EpiDetails"))
        links = [a for a in invoice.attachments if a.uri]
        for link in links:  # names and addresses pair up by position
            self.element(root, "InvoiceUrlNameText", (link.id or link.description)[:512])
        for link in links:
            self.element(root, "InvoiceUrlText", link.uri[:512])
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    # Parties (BG-4, BG-7) -----------------------------------------------------------------

    def party(self, root: etree._Element, party: Party, role: str) -> None:
        details = self.element(root, f"{role}PartyDetails")
        scheme = party.registry_scheme if SCHEME.fullmatch(party.registry_scheme) else ""
        self.identifier(details, f"{role}PartyIdentifier", party.registry_id, 35, SchemeID=scheme)
        self.texts(details, f"{role}OrganisationName", party.name, 70)
        self.text(details, f"{role}OrganisationTradingName", party.trading_name, 70)
        self.identifier(details, f"{role}OrganisationTaxCode", party.vat_id, 35)
        # BT-29 / BT-46: an id without a scheme is the OVT code (OrganisationUnitNumber, as
        # the reader maps it), the others party codes: the seller's first one only, so their
        # order stays; Finvoice lists one buyer code, so the buyer's first one wherever it is.
        codes = list(party.identifiers)
        unscoped = [i for i, (_, scheme) in enumerate(codes) if not scheme]
        unit = ""
        if unscoped and (unscoped[0] == 0 or role == "Buyer"):
            unit = codes.pop(unscoped[0])[0]
        for code, code_scheme in codes[: None if role == "Seller" else 1]:
            # An ISO 6523 ICD is a SchemeID; another scheme (SEPA) the IdentifierType.
            icd = SCHEME.fullmatch(code_scheme)
            self.identifier(
                details,
                f"{role}Code",
                code,
                70,
                SchemeID=code_scheme if icd else "",
                IdentifierType="" if icd else _token(code_scheme, 20),
            )
        self.address(details, party, role)
        self.identifier(root, f"{role}OrganisationUnitNumber", unit, 35)
        self.text(root, f"{role}ContactPersonName", party.contact_name, 70)
        if party.contact_phone or party.contact_email:
            communication = self.element(root, f"{role}CommunicationDetails")
            self.identifier(communication, f"{role}PhoneNumberIdentifier", party.contact_phone, 35)
            self.identifier(communication, f"{role}EmailaddressIdentifier", party.contact_email, 70)

    def address(self, details: etree._Element, party: Party, role: str) -> None:
        address = party.address
        lines = [line for line in address.lines if line.strip()]
        if not (lines and address.city.strip() and address.postal_code.strip()):
            return  # street, town and post code are all required
        element = self.element(details, f"{role}PostalAddressDetails")
        for line in lines[:3]:
            self.text(element, f"{role}StreetName", line, 35)
        self.text(element, f"{role}TownName", address.city, 35)
        self.text(element, f"{role}PostCodeIdentifier", address.postal_code, 35)
        self.text(element, f"{role}CountrySubdivision", address.subdivision, 35)
        self.code(element, "CountryCode", address.country, COUNTRY)
        if len(lines) > 3:  # the reader adds the post office box to the lines
            self.text(element, f"{role}PostOfficeBoxIdentifier", lines[3], 35)

    def seller_accounts(self, root: etree._Element) -> None:
        """Every account with a BIC (SellerBic is required), the payment order's first."""
        accounts = [m for m in self.invoice.payment_means if _account(m) and BIC.fullmatch(m.bic)]
        if not accounts:
            return
        information = self.element(root, "SellerInformationDetails")
        for means in accounts:
            number, scheme = _account(means) or ("", "")
            account = self.element(information, "SellerAccountDetails")
            self.element(account, "SellerAccountID", number, IdentificationSchemeName=scheme)
            self.element(account, "SellerBic", means.bic, IdentificationSchemeName="BIC")
            self.text(account, "SellerAccountName", means.account_name, 70)

    # Invoice details ----------------------------------------------------------------------

    def details(self, details: etree._Element) -> None:
        invoice, totals = self.invoice, self.invoice.totals
        credit = invoice.is_credit_note
        self.element(details, "InvoiceTypeCode", "INV02" if credit else "INV01")
        self.code(details, "InvoiceTypeCodeUN", invoice.type_code, CODE)
        self.element(details, "InvoiceTypeText", "HYVITYSLASKU" if credit else "LASKU")
        self.element(details, "OriginCode", "Original")
        self.element(details, "InvoiceNumber", invoice.number)  # whole, even when too long
        self.day(details, "InvoiceDate", invoice.issue_date)
        self.identifier(details, "OriginalInvoiceNumber", invoice.preceding_invoice, 20)
        self.identifier(details, "OrderIdentifier", invoice.order_reference, 70)
        self.identifier(details, "OrderConfirmationIdentifier", invoice.sales_order_reference, 70)
        self.identifier(details, "AgreementIdentifier", invoice.contract_reference, 70)
        self.identifier(details, "BuyerReferenceIdentifier", invoice.buyer_reference, 70)
        self.identifier(details, "ProjectReferenceIdentifier", invoice.project_reference, 70)
        self.money(details, "RowsTotalVatExcludedAmount", totals.line_net_total)
        self.money(details, "DiscountsTotalVatExcludedAmount", totals.allowance_total)
        self.money(details, "ChargesTotalVatExcludedAmount", totals.charge_total)
        self.money(details, "InvoiceTotalVatExcludedAmount", totals.tax_exclusive)
        self.money(details, "InvoiceTotalVatAmount", totals.tax_total)
        self.amount(
            details,
            "InvoiceTotalVatAccountingAmount",
            self.signed(totals.tax_total_accounting),
            invoice.tax_currency,
        )
        self.money(details, "InvoiceTotalVatIncludedAmount", totals.tax_inclusive)
        self.money(details, "InvoiceTotalRoundoffAmount", totals.rounding)
        self.money(details, "InvoicePaidAmount", totals.prepaid)
        self.text(details, "AccountDimensionText", invoice.accounting_cost, 35)
        if invoice.tax_point_date:
            self.day(self.element(details, "VatPoint"), "VatPointDate", invoice.tax_point_date)
        for vat in invoice.vat_breakdown:
            spec = self.element(details, "VatSpecificationDetails")
            self.money(spec, "VatBaseAmount", vat.taxable_amount)
            self.percent(spec, "VatRatePercent", vat.rate)
            self.code(spec, "VatCode", vat.category, CODE)
            self.money(spec, "VatRateAmount", vat.tax_amount)
            for text in pieces(vat.exemption_reason, 70)[:3]:
                self.element(spec, "VatFreeText", text)
            self.code(spec, "VatExemptionReasonCode", vat.exemption_reason_code, EXEMPTION_CODE)
        for note in invoice.notes:
            self.texts(details, "InvoiceFreeText", note, 512)
        self.payment_terms(details)
        for allowance in (ac for ac in invoice.allowances_charges if not ac.is_charge):
            self.allowance_charge(self.element(details, "DiscountDetails"), allowance, "FreeText")
        for charge in (ac for ac in invoice.allowances_charges if ac.is_charge):
            self.allowance_charge(self.element(details, "ChargeDetails"), charge, "ReasonText")

    def payment_terms(self, details: etree._Element) -> None:
        """BT-20 two texts at a time (the reader joins them with line breaks), BT-9 first."""
        texts = [p for line in self.invoice.payment_terms.splitlines() for p in pieces(line, 70)]
        due_date = self.invoice.due_date
        first = True
        while texts or (first and due_date):
            terms = self.element(details, "PaymentTermsDetails")
            for text in texts[:2]:
                self.element(terms, "PaymentTermsFreeText", text)
            if first:
                self.day(terms, "InvoiceDueDate", due_date)
            texts, first = texts[2:], False

    def allowance_charge(self, element: etree._Element, ac: AllowanceCharge, reason: str) -> None:
        self.text(element, reason, ac.reason, 70)
        self.code(element, "ReasonCode", ac.reason_code, CODE)
        self.percent(element, "Percent", ac.percentage)
        self.money(element, "Amount", ac.amount)
        self.money(element, "BaseAmount", ac.base_amount)
        self.code(element, "VatCategoryCode", ac.vat_category, CODE)
        self.percent(element, "VatRatePercent", ac.vat_rate)

    # Rows (BG-25) -------------------------------------------------------------------------

    def row(self, row: etree._Element, line: Line) -> None:
        self.identifier(row, "ArticleIdentifier", line.seller_item_id, 70)
        self.text(row, "ArticleName", line.name, 100)
        self.text(row, "ArticleDescription", line.description, 512)
        self.identifier(row, "BuyerArticleIdentifier", line.buyer_item_id, 70)
        scheme = line.standard_item_scheme
        if not scheme or SCHEME.fullmatch(scheme):  # without a scheme the reader says GTIN
            self.identifier(row, "EanCode", line.standard_item_id, 35, SchemeID=scheme)
        if line.quantity is not None:
            unit = line.unit_code.strip()
            self.element(
                row,
                "InvoicedQuantity",
                quantity_text(line.quantity * self.sign),
                **({"QuantityUnitCodeUN": unit} if UNIT_CODE.fullmatch(unit) else {}),
                **(
                    {"QuantityUnitCode": unit[:14]}
                    if unit and not UNIT_CODE.fullmatch(unit)
                    else {}
                ),
            )
        self.prices(row, line)
        self.identifier(row, "RowOrderPositionIdentifier", line.order_line_reference, 35)
        self.identifier(row, "RowPositionIdentifier", line.id, 35)
        if ACCOUNT.fullmatch(line.account_code) and len(line.account_code) <= 4:
            self.element(row, "RowNormalProposedAccountIdentifier", line.account_code)
        self.text(row, "RowAccountDimensionText", line.accounting_cost, 35)
        for text in line.note.splitlines():
            self.texts(row, "RowFreeText", text, 512)
        allowances = [ac for ac in line.allowances_charges if not ac.is_charge]
        if allowances:
            self.row_discount(row, allowances[0])
        for allowance in allowances[1:]:
            self.row_discount(self.element(row, "RowProgressiveDiscountDetails"), allowance)
        for charge in (ac for ac in line.allowances_charges if ac.is_charge):
            element = self.element(row, "RowChargeDetails")
            self.text(element, "ReasonText", charge.reason, 70)
            self.code(element, "ReasonCode", charge.reason_code, CODE)
            self.percent(element, "Percent", charge.percentage)
            self.money(element, "Amount", charge.amount)
            self.money(element, "BaseAmount", charge.base_amount)
        self.percent(row, "RowVatRatePercent", line.vat_rate)
        self.code(row, "RowVatCode", line.vat_category, CODE)
        self.money(row, "RowVatAmount", line.vat_amount)
        self.money(row, "RowVatExcludedAmount", line.line_net)
        if line.vat_amount is not None:
            self.money(row, "RowAmount", line.line_net + line.vat_amount)

    def prices(self, row: etree._Element, line: Line) -> None:
        """BT-148 and BT-146 (UnitPriceAmount is the gross price beside a net price), BT-149.

        Prices past five decimals are stated per a larger base quantity: 0.0012345 per
        unit is 1.2345 per 1,000, exactly.
        """
        net, gross, base = line.net_price, line.gross_price, line.price_base_quantity
        places = max(
            (-p.normalize().as_tuple().exponent for p in (net, gross) if p is not None),
            default=0,
        )
        if places > MAX_PRICE_PLACES:
            scale = Decimal(10) ** (places - MAX_PRICE_PLACES)
            net, gross = (None if p is None else p * scale for p in (net, gross))
            base = (base if base is not None else Decimal(1)) * scale
        if gross is not None and net is not None:
            self.amount(row, "UnitPriceAmount", gross)
            self.amount(row, "UnitPriceNetAmount", net)
        else:
            self.amount(row, "UnitPriceAmount", net if net is not None else gross)
        if base is not None:
            self.element(row, "UnitPriceBaseQuantity", quantity_text(base))

    def row_discount(self, element: etree._Element, ac: AllowanceCharge) -> None:
        """The row's first discount in the row, the others as progressive discounts."""
        self.percent(element, "RowDiscountPercent", ac.percentage)
        self.money(element, "RowDiscountAmount", ac.amount)
        self.money(element, "RowDiscountBaseAmount", ac.base_amount)
        self.code(element, "RowDiscountTypeCode", ac.reason_code, CODE)
        self.text(element, "RowDiscountTypeText", ac.reason, 35)

    # Payment (EPI, BG-16) -----------------------------------------------------------------

    def epi(self, epi: etree._Element) -> None:
        invoice, totals = self.invoice, self.invoice.totals
        means = invoice.payment_means[0] if invoice.payment_means else PaymentMeans()
        identification = self.element(epi, "EpiIdentificationDetails")
        self.day(identification, "EpiDate", invoice.issue_date)
        self.element(identification, "EpiReference", "")
        parties = self.element(epi, "EpiPartyDetails")
        bank = self.element(parties, "EpiBfiPartyDetails")
        if BIC.fullmatch(means.bic):
            self.element(bank, "EpiBfiIdentifier", means.bic, IdentificationSchemeName="BIC")
        beneficiary = self.element(parties, "EpiBeneficiaryPartyDetails")
        name = " ".join(means.account_name.split())
        if 2 <= len(name) <= 35:
            self.element(beneficiary, "EpiNameAddressDetails", name)
        number, scheme = _account(means) or (NO_ACCOUNT, "BBAN")
        self.element(beneficiary, "EpiAccountID", number, IdentificationSchemeName=scheme)
        instruction = self.element(epi, "EpiPaymentInstructionDetails")
        reference = means.payment_reference.replace(" ", "")
        if FINNISH_REFERENCE.fullmatch(reference) or RF_REFERENCE.fullmatch(reference):
            scheme = "SPY" if reference.isdigit() else "ISO"
            self.element(
                instruction,
                "EpiRemittanceInfoIdentifier",
                reference,
                IdentificationSchemeName=scheme,
            )
        due = totals.payable if totals.payable is not None else totals.tax_inclusive
        self.element(
            instruction,
            "EpiInstructedAmount",
            epi_amount_text(self.signed(due) or Decimal(0)),
            AmountCurrencyIdentifier=self.currency,
        )
        self.element(instruction, "EpiCharge", "SHA", ChargeOption="SHA")
        self.day(instruction, "EpiDateOptionDate", invoice.due_date or invoice.issue_date)
        self.code(instruction, "EpiPaymentMeansCode", means.code, CODE)


def _account(means: PaymentMeans) -> tuple[str, str] | None:
    """The account (spaces dropped) with its scheme, IBAN or else BBAN; None when the schema
    cannot hold it."""
    number = means.iban.replace(" ", "")
    if IBAN.fullmatch(number.upper()):
        return number.upper(), "IBAN"
    if ACCOUNT.fullmatch(number) and any(c.isalnum() for c in number) and len(number) > 1:
        return number, "BBAN"
    return None


def _token(value: str, limit: int) -> str:
    """The value as an xs:token of at most ``limit`` characters, else ""."""
    value = " ".join(value.split())
    return value if len(value) <= limit else ""
