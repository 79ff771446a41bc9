"""Is an e-invoice addressed to this company? Its buyer (BG-7) against the company's ids.

The buyer's VAT identifier (BT-48) is compared with the company's VAT number, and its
legal registration identifier (BT-47) with the company's registry code, each written
compactly (no spaces, dots or dashes, upper case; a country prefix on one side only is
left out, EL being Greece). A legal registration identifier in a scheme that is not the
company's national business register (a GLN, a DUNS number) is not compared. One equal
identifier makes the buyer the company; identifiers compared and none equal make it
another buyer: ``PAY-BUYER``, an error the company's ``einvoice_other_buyer_policy``
turns into a review or a refusal. Nothing to compare is an info.
"""

from __future__ import annotations

from payables.einvoice.model import Finding
from payables.einvoice.model import Invoice as EInvoice
from payables.tenancy.models import Company

RULE_ID = "PAY-BUYER"
LOCATION = "buyer (BT-44, BT-47, BT-48)"
# ISO 6523 ICD codes of national business registers, by the company's country: a buyer
# registration id in one of these schemes (or in none) is the company's registry code.
REGISTER_SCHEMES = {
    "BE": {"0208"},  # Crossroads Bank for Enterprises
    "DK": {"0184"},  # CVR
    "EE": {"0191"},  # Centre of Registers and Information Systems
    "FI": {"0212"},  # Finnish organisation identifier (Y-tunnus)
    "FR": {"0002", "0009"},  # SIRENE, SIRET
    "IS": {"0196"},  # Kennitala
    "IT": {"0210", "0211"},  # Codice fiscale, Partita IVA
    "LT": {"0200"},  # Legal entity code
    "NL": {"0106"},  # Chamber of Commerce
    "NO": {"0192"},  # Enhetsregisteret
    "SE": {"0007"},  # Organisationsnummer
}


def buyer_findings(invoice: EInvoice, company: Company, *, label: str = "") -> tuple[Finding, ...]:
    """``PAY-BUYER`` error when the buyer's ids name another company, else an info or nothing."""
    buyer = invoice.buyer
    compared, agreeing = [], []
    if buyer.vat_id and company.vat_number:
        same = _same_vat(buyer.vat_id, company.vat_number)
        compared.append(f"VAT id {buyer.vat_id} (BT-48) against {company.vat_number}")
        agreeing.append(same)
    registry = buyer.registry_id if _is_register(buyer.registry_scheme, company.country) else ""
    if registry and company.registry_code:
        same = _same_registry(registry, company.registry_code, company.country)
        compared.append(f"registration id {registry} (BT-47) against {company.registry_code}")
        agreeing.append(same)
    prefix = f"Invoice {label}: " if label else ""
    if any(agreeing):
        return ()
    if compared:
        message = (
            f"{prefix}the invoice is addressed to another buyer: {buyer.name or 'the buyer'}"
            f" has {' and '.join(compared)}, the identifiers of {company.name}. Check that "
            "it was sent to the right company before booking it."
        )
        return (Finding(RULE_ID, "error", message, LOCATION),)
    if buyer.vat_id or buyer.registry_id:
        why = (
            f"{company.name} has no VAT number or registry code of the kind the document "
            "gives (or the registration id is in another scheme) to compare them with"
        )
    else:
        why = "the document gives the buyer no VAT or registration id"
    name = f" {buyer.name!r}" if buyer.name else ""
    message = f"{prefix}the buyer{name} was not checked: {why}"
    return (Finding(RULE_ID, "info", message, LOCATION),)


def _compact(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


def _same_vat(theirs: str, ours: str) -> bool:
    """Equal VAT numbers, with or without their country prefix (EL is GR).

    >>> _same_vat("EE 100 931 558", "EE100931558"), _same_vat("100931558", "EE100931558")
    (True, True)
    >>> _same_vat("EL094259216", "GR094259216"), _same_vat("FI20774740", "EE100931558")
    (True, False)
    """
    a, b = _vat(theirs), _vat(ours)
    if a == b:
        return True
    return _bare(a) == _bare(b) and not (_has_prefix(a) and _has_prefix(b))


def _vat(value: str) -> str:
    compact = _compact(value)
    return "GR" + compact[2:] if compact.startswith("EL") else compact


def _same_registry(theirs: str, ours: str, country: str) -> bool:
    """Equal registry codes, written with or without separators or the country prefix.

    >>> _same_registry("23064613", "2306461-3", "FI")
    True
    >>> _same_registry("EE10137319", "10137319", "EE")
    True
    >>> _same_registry("10137319", "10137300", "EE")
    False
    """
    a, b = _compact(theirs), _compact(ours)
    prefix = country.upper()
    return a == b or a.removeprefix(prefix) == b.removeprefix(prefix)


def _is_register(scheme: str, country: str) -> bool:
    """A registration id without a scheme, or in the company's national register's."""
    return not scheme.strip() or scheme.strip() in REGISTER_SCHEMES.get(country.upper(), set())


def _has_prefix(vat: str) -> bool:
    return vat[:2].isalpha()


def _bare(vat: str) -> str:
    return vat[2:] if _has_prefix(vat) else vat
