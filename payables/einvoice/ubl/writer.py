"""Write an invoice as Peppol BIS Billing 3.0 UBL; carries every model field.

Element order follows the OASIS UBL 2.1 schemas, so that ``parse(render(invoice))`` gives
the invoice back.
"""

from __future__ import annotations

import base64
from decimal import Decimal

from lxml import etree

from payables.einvoice.model import (
    Address,
    AllowanceCharge,
    Attachment,
    Invoice,
    Line,
    Party,
    PaymentMeans,
)
from payables.einvoice.ubl.builder import Builder, xml_text, xsd_decimal
from payables.einvoice.ubl.syntax import (
    NO_ORDER_REFERENCE,
    NS_CAC,
    NS_CBC,
    NS_CREDIT_NOTE,
    NS_INVOICE,
    PEPPOL_CUSTOMIZATION_ID,
    PEPPOL_PROFILE_ID,
    PROJECT_DOCUMENT_TYPE,
)


def render(invoice: Invoice) -> bytes:
    """Write the invoice as Peppol BIS Billing 3.0 UBL (CreditNote for credit note codes).

    Values the invoice lacks are left out rather than invented, so a header-only invoice
    renders without lines (not schema-valid UBL, but nothing is made up).
    """
    return _Writer(invoice).document()


class _Writer(Builder):
    def __init__(self, invoice: Invoice) -> None:
        super().__init__(invoice.currency)
        self.invoice = invoice
        self.credit = invoice.is_credit_note

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
            self.element(order, "cbc:ID", invoice.order_reference or NO_ORDER_REFERENCE)
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
            self.element(reference, "cbc:DocumentTypeCode", PROJECT_DOCUMENT_TYPE)
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
                binary.set("filename", xml_text(attachment.filename))
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
            quantity = self.element(element, quantity_tag, xsd_decimal(line.quantity))
            if line.unit_code:
                quantity.set("unitCode", xml_text(line.unit_code))
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
            base = self.element(price, "cbc:BaseQuantity", xsd_decimal(line.price_base_quantity))
            if line.unit_code:
                base.set("unitCode", xml_text(line.unit_code))
        if line.gross_price is not None:
            # BT-147 (price discount) = gross price (BT-148) - net price (BT-146).
            discount = self.element(price, "cac:AllowanceCharge")
            self.element(discount, "cbc:ChargeIndicator", "false")
            self.amount(discount, "cbc:Amount", line.gross_price - (line.net_price or Decimal(0)))
            self.amount(discount, "cbc:BaseAmount", line.gross_price)
