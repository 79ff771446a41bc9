"""Which document a validation layer looks at: the XML bytes, the root, and its family.

The XSD and the official rules to apply depend on the root element and, for CII, on the
guideline id (BT-24): a Factur-X MINIMUM document must not be held to EN 16931.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from payables.einvoice.model import ParsedDocument

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
ZUGFERD1 = "urn:ferd:CrossIndustryDocument:invoice:1p0"
ZUGFERD1_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"

# Factur-X / ZUGFeRD 2 profiles by guideline id (BT-24); EN16931 and every other CIUS
# (XRechnung, Peppol) are plain CII D16B held to the EN 16931 rules.
FACTURX_PROFILES = ("minimum", "basicwl", "basic", "en16931", "extended")
HEADER_ONLY_PROFILES = frozenset({"minimum", "basicwl"})

_XML_DECLARATION = re.compile(rb"<\?xml[\s?]")
_EXTERNAL_FINVOICE_DOCTYPE = re.compile(
    rb"<!DOCTYPE\s+Finvoice\s+(?:SYSTEM|PUBLIC)(?:\s+(?:\"[^\"]*\"|'[^']*'))+\s*>"
)
_CII_GUIDELINE = (
    "./rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
)


@dataclass(frozen=True)
class Document:
    """The XML a validation layer checks, and what kind of document it is."""

    # "ubl-invoice", "ubl-credit-note", "cii", "zugferd1", "finvoice", "ee-einvoice" or ""
    family: str
    version: str = ""  # Finvoice @Version, Estonian Header/Version
    profile: str = ""  # CII: one of FACTURX_PROFILES, or "" for plain CII D16B
    guideline: str = ""  # BT-24 as the document states it
    is_hybrid: bool = False  # the XML came out of a PDF, so it is Factur-X / ZUGFeRD


def xml_payload(data: bytes, parsed: ParsedDocument) -> bytes:
    """The XML that was parsed: the embedded XML of a PDF, or the Finvoice after its frame.

    A Finvoice SOAP/ebXML transmission frame and the invoice are two XML documents in one
    file; the invoice starts at the first XML declaration that does not open the file (the
    frame may or may not have a declaration of its own).
    """
    if parsed.xml is not None:
        return parsed.xml
    if parsed.format != "finvoice":
        return data
    for match in _XML_DECLARATION.finditer(data):
        if data[: match.start()].strip(b"\xef\xbb\xbf \t\r\n"):
            data = data[match.start() :]
            break
    # Finvoice 1.x points at Finvoice.dtd: an external DOCTYPE declares no entities and is
    # never loaded, so it is dropped as the parser drops it; parse_xml refuses any other.
    doctype = _EXTERNAL_FINVOICE_DOCTYPE.search(data, 0, 4096)
    return data[: doctype.start()] + data[doctype.end() :] if doctype else data


def identify(root: etree._Element, *, is_hybrid: bool = False) -> Document:
    """Classify a parsed root element for schema and rule selection."""
    qname = etree.QName(root)
    if qname.namespace == UBL_INVOICE and qname.localname == "Invoice":
        return Document("ubl-invoice")
    if qname.namespace == UBL_CREDIT_NOTE and qname.localname == "CreditNote":
        return Document("ubl-credit-note")
    if qname.namespace == CII and qname.localname == "CrossIndustryInvoice":
        guideline = _first_text(root, _CII_GUIDELINE, {"rsm": CII, "ram": RAM})
        profile = facturx_profile(guideline)
        return Document("cii", profile=profile, guideline=guideline, is_hybrid=is_hybrid)
    if qname.localname == "CrossIndustryDocument":
        return Document("zugferd1")
    if qname.namespace is None and qname.localname == "Finvoice":
        return Document("finvoice", version=(root.get("Version") or "").strip())
    if qname.namespace is None and qname.localname == "E_Invoice":
        return Document("ee-einvoice", version=_first_text(root, "./Header/Version", {}))
    return Document("")


def facturx_profile(guideline: str) -> str:
    """The Factur-X / ZUGFeRD 2 profile a CII guideline id names; "" for other CIUS.

    >>> facturx_profile("urn:factur-x.eu:1p0:basicwl"), facturx_profile("urn:cen.eu:en16931:2017")
    ('basicwl', 'en16931')
    >>> facturx_profile("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0")
    ''
    """
    value = guideline.strip().lower()
    if value == "urn:cen.eu:en16931:2017":
        return "en16931"
    if not any(marker in value for marker in ("factur-x", "zugferd")):
        return ""
    for profile in ("minimum", "basicwl", "extended"):
        if value.endswith(profile):
            return profile
    if value.endswith("basic"):
        return "basic"
    return "en16931" if value.startswith("urn:cen.eu:en16931:2017") else ""


def _first_text(root: etree._Element, path: str, namespaces: dict[str, str]) -> str:
    found = root.xpath(path, namespaces=namespaces)
    return (found[0].text or "").strip() if found else ""


# Conventional prefixes, to write locations and messages the way people read them.
PREFIXES = {
    UBL_INVOICE: "ubl",
    UBL_CREDIT_NOTE: "cn",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2": "cac",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2": "cbc",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2": "ext",
    CII: "rsm",
    RAM: "ram",
    "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100": "udt",
    "urn:un:unece:uncefact:data:standard:QualifiedDataType:100": "qdt",
    ZUGFERD1: "rsm",
    ZUGFERD1_RAM: "ram",
    "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15": "udt",
}

_CLARK = re.compile(r"\{([^}]*)\}")


def readable(message: str) -> str:
    """Write Clark names ``{uri}Name`` as ``prefix:Name``.

    >>> readable("Element '{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}X'")
    "Element 'rsm:X'"
    """
    return _CLARK.sub(lambda match: _prefix(match.group(1)), message)


def _prefix(uri: str) -> str:
    prefix = PREFIXES.get(uri)
    return f"{prefix}:" if prefix else ""
