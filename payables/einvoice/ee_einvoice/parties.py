"""Seller and buyer (BG-4, BG-7) with their addresses, the payment means (BG-16) and terms."""

from __future__ import annotations

import re

from lxml import etree

from payables.einvoice.ee_einvoice.reader import Reader
from payables.einvoice.model import Address, Party, PaymentMeans
from payables.einvoice.values import Parent, element_of, find_at, findall_at, text_at
from payables.einvoice.xmlsafe import path_of

_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
# BT-40 / BT-55: country names the description allows in place of a code.
_COUNTRIES = {
    "eesti": "EE",
    "estonia": "EE",
    "läti": "LV",
    "latvia": "LV",
    "leedu": "LT",
    "lithuania": "LT",
    "soome": "FI",
    "finland": "FI",
    "rootsi": "SE",
    "sweden": "SE",
    "saksamaa": "DE",
    "germany": "DE",
}


def party(parties: etree._Element | None, role: str, *, fallback_id: str | None) -> Party:
    element = find_at(parties, role)
    registry_id = text_at(element, "RegNumber") or (fallback_id or "").strip()  # BT-30/47
    contact = find_at(element, "ContactData")
    gln = text_at(element, "GLN")
    return Party(
        name=text_at(element, "Name"),  # BT-27 / BT-44
        registry_id=registry_id,
        # ISO 6523 ICD 0191: the Estonian business register (8-digit registrikood).
        registry_scheme="0191" if re.fullmatch(r"[1-9]\d{7}", registry_id) else "",
        vat_id=text_at(element, "VATRegNumber"),  # BT-31 / BT-48
        identifiers=((gln, "0088"),) if gln else (),  # BT-29 / BT-46 (GLN)
        address=_address(contact),  # BG-5 / BG-8
        contact_name=text_at(contact, "ContactName"),  # BT-41 / BT-56
        contact_phone=text_at(contact, "PhoneNumber"),  # BT-42 / BT-57
        contact_email=text_at(contact, "E-mailAddress"),  # BT-43 / BT-58
    )


def _address(contact: etree._Element | None) -> Address:
    element = find_at(contact, "LegalAddress")
    if element is None and contact is not None:
        element = find_at(contact, "MailAddress")
    if element is None:
        return Address()
    country = text_at(element, "Country")
    code = country.upper() if len(country) == 2 else _COUNTRIES.get(country.lower(), country)
    return Address(
        lines=tuple(  # BT-35 / BT-36
            line for line in (text_at(element, f"PostalAddress{n}") for n in (1, 2)) if line
        ),
        city=text_at(element, "City"),  # BT-37
        postal_code=text_at(element, "PostalCode"),  # BT-38
        country=code,  # BT-40
    )


def payment_means(
    reader: Reader,
    element: etree._Element,
    info: Parent,
    payment: Parent,
    parties: etree._Element | None,
) -> tuple[PaymentMeans, ...]:
    """PayToAccount first, then the seller's other accounts (AccountInfo)."""
    reference = (  # BT-83: the Estonian reference number (viitenumber)
        text_at(payment, "PaymentRefId")
        or text_at(info, "PaymentReferenceNumber")
        or text_at(payment, "PaymentDescription")
    )
    if text_at(payment, "Payable").upper() == "NO":
        reader.note(
            "EE-NOT-PAYABLE",
            "info",
            "PaymentInfo says the invoice is not to be paid",
            path_of(element_of(payment)),
        )
    accounts: list[tuple[str, str, str]] = []
    pay_to = text_at(payment, "PayToAccount")  # BT-84
    if pay_to:
        accounts.append((pay_to, text_at(payment, "PayToName"), text_at(payment, "PayToBIC")))
    seller = find_at(parties, "SellerParty")
    for account in findall_at(seller, "AccountInfo"):
        number = text_at(account, "IBAN") or text_at(account, "AccountNumber")
        if number and number not in {a[0] for a in accounts}:
            accounts.append((number, "", text_at(account, "BIC")))
    header = find_at(element.getparent(), "Header")
    payee = text_at(header, "PayeeAccountNumber")
    if not accounts and payee:
        accounts.append((payee, "", ""))
    if not accounts and reference:
        accounts.append(("", "", ""))
    return tuple(
        PaymentMeans(
            # BT-81: 58 SEPA credit transfer to an IBAN, 30 credit transfer otherwise.
            code="58" if _IBAN.fullmatch(number) else ("30" if number else ""),
            iban=number,
            account_name=name,  # BT-85
            bic=bic,  # BT-86
            payment_reference=reference,
        )
        for number, name, bic in accounts
    )


def payment_terms(info: Parent) -> str:
    terms = [text_at(info, "PaymentTerm")]
    fine = text_at(info, "FineRatePerDay")
    if fine:
        terms.append(f"Penalty interest {fine} % per day")
    return "; ".join(t for t in terms if t)
