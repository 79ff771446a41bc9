"""Seller and buyer (BG-4, BG-7) with their addresses, and the payment means (BG-16)."""

from __future__ import annotations

from lxml import etree

from payables.einvoice.model import Address, Party, PaymentMeans
from payables.einvoice.ubl.reading import scheme, string
from payables.einvoice.ubl.syntax import NS
from payables.einvoice.values import Children, Parent, find_at, findall_at
from payables.einvoice.xmlsafe import text


def party(found: etree._Element | None) -> Party:
    """A ``cac:Party``; its absence reads as an empty Party."""
    if found is None:
        return Party()
    element = Children(found)
    vat_id = tax_registration_id = ""
    for tax_scheme in findall_at(element, "cac:PartyTaxScheme", NS):
        company_id = string(tax_scheme, "cbc:CompanyID")
        scheme_id = string(tax_scheme, "cac:TaxScheme/cbc:ID").upper()
        if scheme_id in {"VAT", ""}:
            vat_id = vat_id or company_id  # BT-31 / BT-48
        else:
            tax_registration_id = tax_registration_id or company_id  # BT-32
    legal = Children(find_at(element, "cac:PartyLegalEntity", NS))
    trading_name = string(element, "cac:PartyName/cbc:Name")  # BT-28 / BT-45
    contact = find_at(element, "cac:Contact", NS)
    return Party(
        # BT-27 / BT-44; documents that lack it (BR-06) fall back to the trading name.
        name=string(legal, "cbc:RegistrationName") or trading_name,
        trading_name=trading_name,
        registry_id=string(legal, "cbc:CompanyID"),  # BT-30 / BT-47
        registry_scheme=scheme(legal, "cbc:CompanyID"),
        vat_id=vat_id,
        tax_registration_id=tax_registration_id,
        identifiers=tuple(  # BT-29 / BT-46
            (text(e), (e.get("schemeID") or "").strip())
            for e in findall_at(element, "cac:PartyIdentification/cbc:ID", NS)
            if text(e)
        ),
        electronic_address=string(element, "cbc:EndpointID"),  # BT-34 / BT-49
        electronic_address_scheme=scheme(element, "cbc:EndpointID"),
        address=_address(find_at(element, "cac:PostalAddress", NS)),  # BG-5 / BG-8
        contact_name=string(contact, "cbc:Name"),  # BT-41 / BT-56
        contact_phone=string(contact, "cbc:Telephone"),  # BT-42 / BT-57
        contact_email=string(contact, "cbc:ElectronicMail"),  # BT-43 / BT-58
    )


def _address(found: etree._Element | None) -> Address:
    if found is None:
        return Address()
    element = Children(found)
    lines = [
        string(element, "cbc:StreetName"),  # BT-35 / BT-50
        string(element, "cbc:AdditionalStreetName"),  # BT-36 / BT-51
        *(text(e) for e in findall_at(element, "cac:AddressLine/cbc:Line", NS)),  # BT-162 / BT-163
    ]
    return Address(
        lines=tuple(filter(None, lines)),
        city=string(element, "cbc:CityName"),  # BT-37 / BT-52
        postal_code=string(element, "cbc:PostalZone"),  # BT-38 / BT-53
        subdivision=string(element, "cbc:CountrySubentity"),  # BT-39 / BT-54
        country=string(element, "cac:Country/cbc:IdentificationCode"),  # BT-40 / BT-55
    )


def payment_means(root: Parent) -> tuple[PaymentMeans, ...]:
    """Every ``cac:PaymentMeans`` that carries more than a credit note's due date."""
    found = []
    for means_element in findall_at(root, "cac:PaymentMeans", NS):
        element = Children(means_element)
        account = Children(find_at(element, "cac:PayeeFinancialAccount", NS))
        means = PaymentMeans(
            code=string(element, "cbc:PaymentMeansCode"),  # BT-81
            iban=string(account, "cbc:ID"),  # BT-84
            account_name=string(account, "cbc:Name"),  # BT-85
            bic=(  # BT-86 (Peppol: branch ID; older CEN examples: the institution's)
                string(account, "cac:FinancialInstitutionBranch/cbc:ID")
                or string(account, "cac:FinancialInstitutionBranch/cac:FinancialInstitution/cbc:ID")
            ),
            payment_reference=string(element, "cbc:PaymentID"),  # BT-83
        )
        # An empty one only carries a credit note's due date (see the writer).
        if means != PaymentMeans():
            found.append(means)
    return tuple(found)
