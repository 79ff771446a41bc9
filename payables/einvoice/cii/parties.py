"""Seller and buyer (BG-4, BG-7): identifiers, tax registrations, address, contact."""

from __future__ import annotations

from lxml import etree

from payables.einvoice.cii.elements import all_at, attr, child, child_text, wildcards
from payables.einvoice.cii.reader import Reader
from payables.einvoice.model import Address, Party
from payables.einvoice.xmlsafe import text


def party(reader: Reader, element: etree._Element | None) -> Party:
    if element is None:
        return Party()
    # BT-29 / BT-46: ID without a scheme, GlobalID with one, in document order.
    identifiers = tuple(
        (text(node), node.get("schemeID", "").strip())
        for node in element.iterchildren(*wildcards("ID|GlobalID"))
        if text(node)
    )
    legal = child(element, "SpecifiedLegalOrganization", "ID")
    vat_id, tax_id = _tax_registrations(reader, element)
    contact = child(element, "DefinedTradeContact")
    endpoint = child(element, "URIUniversalCommunication", "URIID")
    return Party(
        name=child_text(element, "Name"),  # BT-27 / BT-44
        trading_name=child_text(  # BT-28 / BT-45
            element, "SpecifiedLegalOrganization", "TradingBusinessName"
        ),
        registry_id=text(legal),  # BT-30 / BT-47
        registry_scheme=attr(legal, "schemeID"),
        vat_id=vat_id,  # BT-31 / BT-48
        tax_registration_id=tax_id,  # BT-32
        identifiers=identifiers,  # BT-29 / BT-46
        electronic_address=text(endpoint),  # BT-34 / BT-49
        electronic_address_scheme=attr(endpoint, "schemeID"),
        address=_address(child(element, "PostalTradeAddress")),  # BG-5 / BG-8
        contact_name=child_text(contact, "PersonName")  # BT-41 / BT-56
        or child_text(contact, "DepartmentName"),
        contact_phone=child_text(  # BT-42 / BT-57
            contact, "TelephoneUniversalCommunication", "CompleteNumber"
        ),
        contact_email=child_text(  # BT-43 / BT-58
            contact, "EmailURIUniversalCommunication", "URIID"
        ),
    )


def _tax_registrations(reader: Reader, element: etree._Element) -> tuple[str, str]:
    vat_id = tax_id = ""
    for registration in all_at(element, "SpecifiedTaxRegistration", "ID"):
        value, scheme = text(registration), attr(registration, "schemeID").upper()
        if not value:
            continue
        if scheme == "VAT":
            reader.note(
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
            reader.note(
                "PAY-CII-TAX-SCHEME",
                "warning",
                f"Tax registration {value!r} has scheme {scheme or 'none'!r}, neither VA "
                "(VAT id) nor FC (tax number); ignored",
                registration,
            )
    return vat_id, tax_id


def _address(element: etree._Element | None) -> Address:
    if element is None:
        return Address()
    lines = (child_text(element, name) for name in ("LineOne", "LineTwo", "LineThree"))
    return Address(
        lines=tuple(line for line in lines if line),  # BT-35..37 / BT-50..52
        city=child_text(element, "CityName"),  # BT-37 / BT-52
        postal_code=child_text(element, "PostcodeCode"),  # BT-38 / BT-53
        subdivision=child_text(element, "CountrySubDivisionName"),  # BT-39 / BT-54
        country=child_text(element, "CountryID"),  # BT-40 / BT-55
    )
