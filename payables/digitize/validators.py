"""Checks that decide confidence: VAT and registry ids (python-stdnum), IBAN and BIC
(schwifty), payment references (Estonian/Finnish 7-3-1, RF creditor reference).

Each ``check_*`` returns ``(value, valid)``: the compact value and whether its checksum or
structure holds. A failing VAT or registry checksum lowers confidence, it never drops the
value; an IBAN failing its checksum is never returned as valid.
"""

from __future__ import annotations

import re
from importlib import import_module

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import iso11649
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

# Country prefixes of VAT ids (EU, with Greece's EL) and their body patterns, loosely.
VAT_ID = re.compile(
    r"(?<![A-Z0-9])(?P<cc>AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GB|HR|HU|IE|IT|LT|LU|LV|MT|NL|"
    r"NO|PL|PT|RO|SE|SI|SK|XI|CHE)[\s.\-]?(?P<body>(?:[0-9A-Z][\s.\-]?){7,13}[0-9A-Z])"
    r"(?![A-Za-z0-9])"
)
# IBAN: two letters, two check digits, then 11–30 letters or digits, printed in groups.
IBAN_TEXT = re.compile(r"(?<![A-Z0-9])[A-Z]{2}\s?[0-9O][0-9OIlSB]\s?(?:[0-9A-Z]\s?){10,30}")
BIC_TEXT = re.compile(r"(?<![A-Z0-9])[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?(?![A-Za-z0-9])")
RF_TEXT = re.compile(r"(?<![A-Z0-9])RF\s?\d{2}(?:\s?[0-9A-Z]){1,21}(?![A-Za-z0-9])")

# Registry-code modules per country (python-stdnum).
_REGISTRY_MODULES = {
    "EE": "stdnum.ee.registrikood",
    "FI": "stdnum.fi.ytunnus",
    "LV": "stdnum.lv.pvn",
    "PL": "stdnum.pl.regon",
    "SE": "stdnum.se.orgnr",
    "FR": "stdnum.fr.siret",
    "DK": "stdnum.dk.cvr",
    "NO": "stdnum.no.orgnr",
    "BE": "stdnum.be.vat",
}
# OCR reads digits as these letters; an IBAN's check digits and most BBANs are digits.
_AS_DIGIT = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "S": "5", "B": "8"})


def compact(text: str) -> str:
    return re.sub(r"[\s.\-/]", "", text).upper()


def check_vat_id(text: str) -> tuple[str, bool]:
    """A VAT id, compact, and whether its country's checksum holds.

    >>> check_vat_id("EE 100 931 558"), check_vat_id("EE100931559")
    (('EE100931558', True), ('EE100931559', False))
    """
    value = compact(text)
    try:
        return str(eu_vat.compact(value)), bool(eu_vat.is_valid(value))
    except (ValidationError, KeyError, ValueError):
        return value, False


def check_registry_code(text: str, country: str) -> tuple[str, bool | None]:
    """A registry code and whether it validates (None: no checksum known for the country)."""
    value = re.sub(r"\s", "", text)
    module_name = _REGISTRY_MODULES.get(country)
    if module_name is None:
        return value, None
    module = import_module(module_name)
    try:
        return str(module.validate(value)), True
    except ValidationError:
        return value, False


def check_iban(text: str) -> tuple[str, bool]:
    """An IBAN compact and valid, trying OCR's usual letter-for-digit misreadings.

    >>> check_iban("EE38 2200 2210 2014 5685"), check_iban("EE38 22OO 2210 2014 5685")
    (('EE382200221020145685', True), ('EE382200221020145685', True))
    >>> check_iban("EE38 2200 2210 2014 5686")
    ('EE382200221020145686', False)
    """
    value = re.sub(r"\s", "", text)
    for attempt in (value.upper(), value[:2].upper() + value[2:].translate(_AS_DIGIT).upper()):
        try:
            return str(IBAN(attempt).compact), True
        except SchwiftyException:
            continue
    return value.upper(), False


def longest_iban(text: str) -> tuple[str, bool, int, int] | None:
    """The first valid IBAN in ``text`` (tries shorter runs: groups may run into other text)."""
    for match in IBAN_TEXT.finditer(text):
        run = match.group(0).rstrip()
        while len(compact(run)) >= 15:
            value, valid = check_iban(run)
            if valid:
                return value, True, match.start(), match.start() + len(run)
            run = run[:-1].rstrip()
        bare = compact(match.group(0))
        if 15 <= len(bare) <= 34 and sum(ch.isdigit() for ch in bare) >= 12:
            return bare, False, match.start(), match.end()
    return None


def check_bic(text: str) -> tuple[str, bool]:
    """A BIC and whether its structure and country are valid.

    >>> check_bic("COBADEFFXXX"), check_bic("COBAXXFF")
    (('COBADEFFXXX', True), ('COBAXXFF', False))
    """
    value = compact(text)
    try:
        return str(BIC(value, allow_invalid=False).compact), True
    except SchwiftyException:
        return value, False


def check_reference(text: str) -> tuple[str, bool]:
    """A payment reference: RF creditor reference (ISO 11649) or Estonian/Finnish 7-3-1.

    >>> check_reference("RF18 5390 0754 7034"), check_reference("1234561"), check_reference("1234")
    (('RF18539007547034', True), ('1234561', True), ('1234', False))
    """
    value = re.sub(r"\s", "", text).upper()
    if value.startswith("RF"):
        return value, bool(iso11649.is_valid(value))
    if value.isdigit() and 2 <= len(value) <= 20:
        return value, _check_731(value)
    return value, False


def _check_731(number: str) -> bool:
    """The 7-3-1 check digit (Estonian viitenumber, Finnish viitenumero)."""
    weights = (7, 3, 1)
    body, check = number[:-1], int(number[-1])
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check and len(number) >= 4 and set(body) != {"0"}
