"""Which specification, version, profile and CIUS a document declares.

The XML schema and rules that apply follow from the specification identifier (BT-24: CII
``GuidelineSpecifiedDocumentContextParameter/ID``, UBL ``CustomizationID``) and, for a
hybrid PDF, from the embedded file's name:

- ZUGFeRD 1.0 (``CrossIndustryDocument``): ``urn:ferd:CrossIndustryDocument:invoice:1p0:``
  ``basic``, ``comfort`` or ``extended``; any other id is not a ZUGFeRD 1.0 invoice.
- ZUGFeRD 2.0 (``zugferd-invoice.xml``): ``urn:zugferd.de:2p0:minimum`` / ``basicwl``,
  ``urn:cen.eu:en16931:2017#compliant#urn:zugferd.de:2p0:basic``,
  ``urn:cen.eu:en16931:2017`` (EN16931), ``...#conformant#urn:zugferd.de:2p0:extended``.
- Factur-X 1.0 = ZUGFeRD 2.1 and later (``factur-x.xml``): the same with
  ``urn:factur-x.eu:1p0:`` ids. The XML does not tell Factur-X 1.0.05 from 1.0.07 or
  ZUGFeRD 2.1 from 2.3: they share their ids, and the current rules check them all.
- CIUS on top of EN 16931, in UBL, CII or a PDF: XRechnung
  (``urn:xeinkauf.de:kosit:xrechnung_3.0``, ``urn:xoev-de:kosit:standard:xrechnung_2.x``)
  and Peppol BIS Billing 3 (``urn:fdc:peppol.eu:2017:poacc:billing:3.0``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EN16931 = "urn:cen.eu:en16931:2017"
ZUGFERD1_PROFILES = {
    "urn:ferd:CrossIndustryDocument:invoice:1p0:basic": "basic",
    "urn:ferd:CrossIndustryDocument:invoice:1p0:comfort": "comfort",
    "urn:ferd:CrossIndustryDocument:invoice:1p0:extended": "extended",
}
# Factur-X 1.0 / ZUGFeRD 2.1+ and ZUGFeRD 2.0 guideline ids, and the profile each names.
FACTURX_IDS = {
    "urn:factur-x.eu:1p0:minimum": "minimum",
    "urn:factur-x.eu:1p0:basicwl": "basicwl",
    f"{EN16931}#compliant#urn:factur-x.eu:1p0:basic": "basic",
    f"{EN16931}#conformant#urn:factur-x.eu:1p0:extended": "extended",
}
ZUGFERD2_IDS = {
    "urn:zugferd.de:2p0:minimum": "minimum",
    "urn:zugferd.de:2p0:basicwl": "basicwl",
    f"{EN16931}#compliant#urn:zugferd.de:2p0:basic": "basic",
    f"{EN16931}#conformant#urn:zugferd.de:2p0:extended": "extended",
}
FACTURX_PROFILES = ("minimum", "basicwl", "basic", "en16931", "extended")
HEADER_ONLY_PROFILES = frozenset({"minimum", "basicwl"})
# Embedded file names of hybrid PDFs (lower case) and the standard each names.
ZUGFERD2_FILENAME = "zugferd-invoice.xml"
FACTURX_FILENAME = "factur-x.xml"

_XRECHNUNG = re.compile(r"kosit:(?:standard:)?xrechnung_(\d+\.\d+)", re.IGNORECASE)
_PEPPOL = re.compile(r"urn:fdc:peppol\.eu:2017:poacc:billing:(\d+\.\d+)", re.IGNORECASE)
# Ids from Factur-X drafts and writers that are not those of any released version, such
# as "urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:basic": still Factur-X.
_FACTURX_LIKE = re.compile(r"factur-?x|zugferd", re.IGNORECASE)


@dataclass(frozen=True)
class Declared:
    """What a document declares: standard, its version, the profile and the CIUS."""

    standard: str = ""  # "EN 16931", "Factur-X", "ZUGFeRD", "" (unknown)
    version: str = ""  # "1.0" (ZUGFeRD 1.0 or Factur-X 1.0), "2.0" (ZUGFeRD 2.0)
    profile: str = ""  # one of FACTURX_PROFILES, or "comfort" (ZUGFeRD 1.0); "" else
    cius: str = ""  # "xrechnung", "peppol-bis3" or ""
    cius_version: str = ""  # "3.0", "2.3", ...
    known_id: bool = True  # False: an id no released version of the standard defines

    @property
    def is_facturx(self) -> bool:
        """Factur-X / ZUGFeRD: its own profile rules apply, not bare EN 16931 ones."""
        return self.standard in {"Factur-X", "ZUGFeRD"}

    @property
    def label(self) -> str:
        """How people name it: "ZUGFeRD 2.0 EXTENDED", "XRechnung 3.0", "EN 16931"."""
        if self.cius:
            name = {"xrechnung": "XRechnung", "peppol-bis3": "Peppol BIS Billing"}[self.cius]
            return f"{name} {self.cius_version}".strip()
        profile = {"basicwl": "BASIC WL", "en16931": "EN16931"}.get(self.profile, "")
        profile = profile or self.profile.upper()
        return " ".join(filter(None, (self.standard, self.version, profile)))


def declared_cii(guideline: str, *, xml_filename: str = "", is_hybrid: bool = False) -> Declared:
    """What a CII D16B document declares by its guideline id and embedded file name.

    >>> declared_cii("urn:factur-x.eu:1p0:basicwl").label
    'Factur-X 1.0 BASIC WL'
    >>> declared_cii(EN16931, xml_filename="zugferd-invoice.xml", is_hybrid=True).label
    'ZUGFeRD 2.0 EN16931'
    >>> declared_cii(EN16931).label
    'EN 16931'
    """
    value = guideline.strip()
    cius = _cius(value)
    if cius.cius:
        return cius
    if value in ZUGFERD2_IDS:
        return Declared("ZUGFeRD", "2.0", ZUGFERD2_IDS[value])
    if value in FACTURX_IDS:
        return Declared("Factur-X", "1.0", FACTURX_IDS[value])
    if value == EN16931:
        if not is_hybrid:
            return Declared("EN 16931")
        # The EN16931 profile's id is EN 16931's own: the file name tells the version.
        if xml_filename.lower() == ZUGFERD2_FILENAME:
            return Declared("ZUGFeRD", "2.0", "en16931")
        return Declared("Factur-X", "1.0", "en16931")
    if _FACTURX_LIKE.search(value):
        profile = next((p for p in reversed(FACTURX_PROFILES) if value.lower().endswith(p)), "")
        version = "2.0" if "2p0" in value.lower() else "1.0"
        standard = "ZUGFeRD" if "zugferd" in value.lower() else "Factur-X"
        return Declared(standard, version, profile or "en16931", known_id=False)
    if is_hybrid:  # a Factur-X PDF whose XML names something else: held to Factur-X
        return Declared("Factur-X", "1.0", "en16931", known_id=False)
    return Declared("EN 16931", known_id=value.startswith(EN16931))


def declared_ubl(customization_id: str) -> Declared:
    """What a UBL document declares: EN 16931, possibly with a CIUS.

    >>> declared_ubl("urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:"
    ...              "billing:3.0").label
    'Peppol BIS Billing 3.0'
    """
    value = customization_id.strip()
    return _cius(value) if _cius(value).cius else Declared("EN 16931")


def declared_zugferd1(guideline: str) -> Declared:
    """ZUGFeRD 1.0 and its profile; an unknown id (an order, a draft) is marked so.

    >>> declared_zugferd1("urn:ferd:CrossIndustryDocument:invoice:1p0:comfort").label
    'ZUGFeRD 1.0 COMFORT'
    >>> declared_zugferd1("urn:ferd:CrossIndustryDocument:order:1p0:extended").known_id
    False
    """
    profile = ZUGFERD1_PROFILES.get(guideline.strip(), "")
    return Declared("ZUGFeRD", "1.0", profile, known_id=bool(profile))


def _cius(value: str) -> Declared:
    xrechnung = _XRECHNUNG.search(value)
    if xrechnung:
        return Declared("EN 16931", cius="xrechnung", cius_version=xrechnung.group(1))
    peppol = _PEPPOL.search(value)
    if peppol:
        return Declared("EN 16931", cius="peppol-bis3", cius_version=peppol.group(1))
    return Declared()
