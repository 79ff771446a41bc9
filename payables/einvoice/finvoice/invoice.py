"""The invoice: header, parties (BG-4, BG-7), payment means (BG-16) and links (BG-24)."""

from __future__ import annotations

from datetime import date
from itertools import zip_longest

from lxml import etree

from payables.einvoice.errors import MalformedDocument
from payables.einvoice.finvoice.codes import type_code
from payables.einvoice.finvoice.rows import lines
from payables.einvoice.finvoice.totals import document_allowances, totals, vat_breakdown
from payables.einvoice.model import (
    Address,
    Attachment,
    Finding,
    Invoice,
    Party,
    PaymentMeans,
)
from payables.einvoice.values import Children, find_at, findall_at, text_at, texts_at
from payables.einvoice.xmlsafe import path_of, text


def _date(parent: etree._Element | None, path: str, findings: list[Finding]) -> date | None:
    """A ``Format="CCYYMMDD"`` date; a bad one is reported and read as absent."""
    element = find_at(parent, path)
    value = text(element)
    if not value:
        return None
    try:
        return date.fromisoformat(value)  # reads the basic CCYYMMDD form too (Python 3.11)
    except ValueError:
        findings.append(
            Finding("FINVOICE-DATE", "warning", f"Not a CCYYMMDD date: {value!r}", path_of(element))
        )
        return None


def read_invoice(root: etree._Element, findings: list[Finding]) -> Invoice:
    """One Finvoice document as an invoice; a missing InvoiceDetails refuses it."""
    found = find_at(root, "InvoiceDetails")
    if found is None:
        raise MalformedDocument("The Finvoice document has no InvoiceDetails", location="/Finvoice")
    details = Children(found)  # some 30 values are read from its children
    epi = find_at(root, "EpiDetails")
    instruction = find_at(epi, "EpiPaymentInstructionDetails")
    terms = findall_at(details, "PaymentTermsDetails")
    due_dates = [d for t in terms if (d := _date(t, "InvoiceDueDate", findings))]
    rows = lines(root, findings)
    allowances = document_allowances(details, findings)
    accounting_total = find_at(details, "InvoiceTotalVatAccountingAmount")
    return Invoice(
        number=text_at(details, "InvoiceNumber"),  # BT-1
        issue_date=_date(details, "InvoiceDate", findings),  # BT-2
        type_code=type_code(details, findings),  # BT-3
        currency=_currency(details),  # BT-5
        tax_currency=(  # BT-6
            accounting_total.get("AmountCurrencyIdentifier", "").strip().upper()
            if accounting_total is not None
            else ""
        ),
        tax_point_date=_date(details, "VatPoint/VatPointDate", findings),  # BT-7
        # BT-9: the due date of the terms, else the payment date of the instruction.
        due_date=due_dates[0] if due_dates else _date(instruction, "EpiDateOptionDate", findings),
        buyer_reference=text_at(details, "BuyerReferenceIdentifier"),  # BT-10
        project_reference=text_at(details, "ProjectReferenceIdentifier"),  # BT-11
        contract_reference=text_at(details, "AgreementIdentifier"),  # BT-12
        order_reference=text_at(details, "OrderIdentifier"),  # BT-13
        sales_order_reference=text_at(details, "OrderConfirmationIdentifier"),  # BT-14
        preceding_invoice=(  # BT-25
            text_at(details, "OriginalInvoiceNumber")
            or text_at(details, "OriginalInvoiceReference/InvoiceNumber")
        ),
        accounting_cost=text_at(details, "AccountDimensionText"),  # BT-19
        customization_id=text_at(  # BT-24 (3.0: "EN16931")
            root, "MessageTransmissionDetails/MessageDetails/SpecificationIdentifier"
        ),
        notes=tuple(texts_at(details, "InvoiceFreeText")),  # BT-22
        # The SOAP frame is routing, not the invoice: electronic addresses come only from
        # the document's own MessageTransmissionDetails (3.0 gives them a SchemeID).
        seller=_party(root, "Seller", address_path="MessageSenderDetails/FromIdentifier"),
        buyer=_party(root, "Buyer", address_path="MessageReceiverDetails/ToIdentifier"),
        payment_means=_payment_means(root, epi, instruction),  # BG-16
        payment_terms="\n".join(  # BT-20
            value for t in terms for value in texts_at(t, "PaymentTermsFreeText")
        ),
        delivery_date=_date(root, "DeliveryDetails/DeliveryDate", findings),  # BT-72
        lines=rows,  # BG-25
        allowances_charges=allowances,  # BG-20 / BG-21
        vat_breakdown=vat_breakdown(details, findings),  # BG-23
        totals=totals(details, instruction, rows, allowances),  # BG-22
        attachments=_attachments(root),  # BG-24
    )


def _currency(details: Children) -> str:
    """The currency of the gross total, else of any amount: Finvoice has no currency field."""
    total = find_at(details, "InvoiceTotalVatIncludedAmount")
    if total is not None and (currency := total.get("AmountCurrencyIdentifier", "").strip()):
        return currency.upper()
    for element in details.element.xpath(".//*[@AmountCurrencyIdentifier]"):
        if currency := element.get("AmountCurrencyIdentifier", "").strip():
            return currency.upper()
    return ""


def _party(root: etree._Element, role: str, *, address_path: str) -> Party:
    """Seller (BG-4) or buyer (BG-7): Finvoice names both the same way."""
    details = find_at(root, f"{role}PartyDetails")
    electronic = find_at(root, f"MessageTransmissionDetails/{address_path}")
    registry = find_at(details, f"{role}PartyIdentifier")
    communication = find_at(root, f"{role}CommunicationDetails")
    unit_number = text_at(root, f"{role}OrganisationUnitNumber")
    codes = details.findall(f"{role}Code") if details is not None else []
    return Party(
        name=" ".join(texts_at(details, f"{role}OrganisationName")),  # BT-27 / BT-44
        trading_name=text_at(details, f"{role}OrganisationTradingName"),  # BT-28 / BT-45
        registry_id=text(registry),  # BT-30 / BT-47 (Finnish Y-tunnus)
        registry_scheme=(registry.get("SchemeID", "").strip() if registry is not None else ""),
        vat_id=text_at(details, f"{role}OrganisationTaxCode"),  # BT-31 / BT-48
        # BT-29 / BT-46: the OVT code, then the party's codes (3.0), each with its scheme:
        # an ISO 6523 ICD, else the IdentifierType (SEPA for a creditor id).
        identifiers=(((unit_number, ""),) if unit_number else ())
        + tuple(
            (text(c), (c.get("SchemeID") or c.get("IdentifierType") or "").strip())
            for c in codes
            if text(c)
        ),
        electronic_address=text(electronic),  # BT-34 / BT-49
        electronic_address_scheme=(
            electronic.get("SchemeID", "").strip() if electronic is not None else ""
        ),
        address=_address(details, role),  # BG-5 / BG-8
        contact_name=text_at(root, f"{role}ContactPersonName"),  # BT-41 / BT-56
        contact_phone=text_at(communication, f"{role}PhoneNumberIdentifier"),  # BT-42 / BT-57
        contact_email=text_at(communication, f"{role}EmailaddressIdentifier"),  # BT-43 / BT-58
    )


def _address(details: etree._Element | None, role: str) -> Address:
    element = find_at(details, f"{role}PostalAddressDetails")
    if element is None:
        return Address()
    lines = texts_at(element, f"{role}StreetName") + texts_at(
        element, f"{role}PostOfficeBoxIdentifier"
    )
    return Address(
        lines=tuple(lines),  # BT-35..36 / BT-50..51
        city=text_at(element, f"{role}TownName"),  # BT-37 / BT-52
        postal_code=text_at(element, f"{role}PostCodeIdentifier"),  # BT-38 / BT-53
        subdivision=text_at(element, f"{role}CountrySubdivision"),  # BT-39 / BT-54
        country=text_at(element, "CountryCode").upper(),  # BT-40 / BT-55
    )


def _payment_means(
    root: etree._Element, epi: etree._Element | None, instruction: etree._Element | None
) -> tuple[PaymentMeans, ...]:
    """The EPI payment instruction first, then the seller's other accounts (BG-16, BG-17)."""
    parties = find_at(epi, "EpiPartyDetails")
    beneficiary = find_at(parties, "EpiBeneficiaryPartyDetails")
    code = text_at(instruction, "EpiPaymentMeansCode")  # BT-81 (3.0)
    reference = text_at(instruction, "EpiRemittanceInfoIdentifier")  # BT-83
    means = []
    iban = text_at(beneficiary, "EpiAccountID")  # BT-84
    if not any(character.isalnum() for character in iban):
        iban = ""  # Finvoice requires an account: "-" is how a writer says there is none
    bic = text_at(parties, "EpiBfiPartyDetails/EpiBfiIdentifier")  # BT-86
    if iban or bic or reference or code:  # a code alone: a card or direct debit (3.0)
        means.append(
            PaymentMeans(
                code=code,
                iban=iban,
                account_name=text_at(beneficiary, "EpiNameAddressDetails"),  # BT-85
                bic=bic,
                payment_reference=reference,
            )
        )
    seen = {(m.iban, m.bic) for m in means}
    for account in findall_at(root, "SellerInformationDetails/SellerAccountDetails"):
        iban, bic = text_at(account, "SellerAccountID"), text_at(account, "SellerBic")
        if iban and (iban, bic) not in seen:
            seen.add((iban, bic))
            means.append(
                PaymentMeans(
                    code=code,
                    iban=iban,  # BT-84
                    account_name=text_at(account, "SellerAccountName"),  # BT-85
                    bic=bic,  # BT-86
                    payment_reference=reference,  # BT-83
                )
            )
    return tuple(means)


def _attachments(root: etree._Element) -> tuple[Attachment, ...]:
    """Links to supporting documents (InvoiceUrlNameText / InvoiceUrlText pairs)."""
    names = [text(e) for e in findall_at(root, "InvoiceUrlNameText")]
    urls = [text(e) for e in findall_at(root, "InvoiceUrlText")]
    return tuple(
        Attachment(id=name or url, uri=url)  # BT-122, BT-124
        for name, url in zip_longest(names, urls, fillvalue="")
        if url
    )
