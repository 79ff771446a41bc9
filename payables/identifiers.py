"""Business identifiers: VAT numbers, registry codes, IBAN and BIC.

Validated with python-stdnum where the country is supported and with schwifty for
bank identifiers. Each function returns the compact form or raises ``ValueError``
with a message a person can act on.
"""

from __future__ import annotations

from importlib import import_module

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import get_cc_module

# Company registry numbers per country (stdnum module names).
_REGISTRY_MODULES = {
    "BE": "stdnum.be.vat",  # the enterprise number is the VAT number
    "DK": "stdnum.dk.cvr",
    "EE": "stdnum.ee.registrikood",
    "FI": "stdnum.fi.ytunnus",
    "FR": "stdnum.fr.siren",
    "NO": "stdnum.no.orgnr",
    "PL": "stdnum.pl.regon",
    "SE": "stdnum.se.orgnr",
}


def validate_vat_number(number: str, country: str) -> str:
    """Check a VAT number for the country (a country prefix is allowed) and compact it.

    >>> validate_vat_number("EE 100 931 558", "EE")
    'EE100931558'
    >>> validate_vat_number("100931558", "EE")
    'EE100931558'
    >>> validate_vat_number("FI20774740", "EE")  # an Estonian seller's Finnish registration
    'FI20774740'
    >>> validate_vat_number("EE100931559", "EE")
    Traceback (most recent call last):
    ...
    ValueError: EE100931559 is not a valid VAT number for EE (bad checksum)
    """
    cc = country.upper()
    compact = "".join(number.split()).upper().replace("-", "").replace(".", "")
    # A company may hold another country's VAT registration: its prefix decides.
    own_prefix = compact[:2]
    if own_prefix.isalpha() and own_prefix in _EU_PREFIXED | {"EL"} and own_prefix != cc:
        cc = "GR" if own_prefix == "EL" else own_prefix
    prefix = "EL" if cc == "GR" else cc
    module = get_cc_module(cc.lower(), "vat")
    if module is None:
        return compact
    candidate = compact if compact.startswith(prefix) else prefix + compact
    try:
        module.validate(candidate)
    except StdnumError as exc:
        reason = _reason(exc)
        raise ValueError(f"{candidate} is not a valid VAT number for {cc} ({reason})") from None
    return candidate if cc in _EU_PREFIXED else compact


# Countries whose VAT numbers carry their country prefix in the compact form.
_EU_PREFIXED = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip


def validate_registry_code(code: str, country: str) -> str:
    """Check a company registry code where the country's format is known.

    >>> validate_registry_code("10137319", "EE")
    '10137319'
    >>> validate_registry_code("2077474-0", "FI")
    '2077474-0'
    >>> validate_registry_code("10137318", "EE")
    Traceback (most recent call last):
    ...
    ValueError: 10137318 is not a valid registry code for EE (bad checksum)
    """
    code = code.strip()
    module_name = _REGISTRY_MODULES.get(country.upper())
    if module_name is None:
        return code
    module = import_module(module_name)
    try:
        module.validate(code)
    except StdnumError as exc:
        raise ValueError(
            f"{code} is not a valid registry code for {country.upper()} ({_reason(exc)})"
        ) from None
    return code


def validate_iban(iban: str) -> str:
    """Check an IBAN (country format and checksum) and return it compact.

    >>> validate_iban("EE38 2200 2210 2014 5685")
    'EE382200221020145685'
    >>> validate_iban("EE38 2200 2210 2014 5686")
    Traceback (most recent call last):
    ...
    ValueError: EE382200221020145686 is not a valid IBAN (Invalid checksum digits)
    """
    compact = "".join(iban.split()).upper()
    try:
        return str(IBAN(compact).compact)
    except SchwiftyException as exc:
        raise ValueError(f"{compact} is not a valid IBAN ({exc})") from None


def validate_bic(bic: str) -> str:
    """Check a BIC's structure and country and return it compact.

    >>> validate_bic("HABAEE2X")
    'HABAEE2X'
    """
    compact = "".join(bic.split()).upper()
    try:
        return str(BIC(compact, allow_invalid=False).compact)
    except SchwiftyException as exc:
        raise ValueError(f"{compact} is not a valid BIC ({exc})") from None


def _reason(exc: StdnumError) -> str:
    if isinstance(exc, InvalidChecksum):
        return "bad checksum"
    return str(exc.message if hasattr(exc, "message") else exc).rstrip(".").lower()
