"""Which document a validation layer looks at: the XML bytes, the root, and its family.

The XSD and the official rules to apply depend on the root element and on what the
document declares (``versions``): a Factur-X MINIMUM document must not be held to
EN 16931, a ZUGFeRD 2.0 one not to Factur-X 1.0.9, an XRechnung to XRechnung's rules too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from payables.einvoice.model import ParsedDocument
from payables.einvoice.validation.versions import (
    Declared,
    declared_cii,
    declared_ubl,
    declared_zugferd1,
)

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
ZUGFERD1 = "urn:ferd:CrossIndustryDocument:invoice:1p0"
ZUGFERD1_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"

_XML_DECLARATION = re.compile(rb"<\?xml[\s?]")
_EXTERNAL_FINVOICE_DOCTYPE = re.compile(
    rb"<!DOCTYPE\s+Finvoice\s+(?:SYSTEM|PUBLIC)(?:\s+(?:\"[^\"]*\"|'[^']*'))+\s*>"
)
_CII_GUIDELINE = (
    "./rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
)


@dataclass(frozen=True)
class Document:
    """The XML a validation layer checks, and what kind of document it declares to be."""

    # "ubl-invoice", "ubl-credit-note", "cii", "zugferd1", "finvoice", "ee-einvoice" or ""
    family: str
    version: str = ""  # of the standard below; Finvoice @Version, Estonian Header/Version
    profile: str = ""  # Factur-X / ZUGFeRD: one of FACTURX_PROFILES or "comfort"; else ""
    guideline: str = ""  # BT-24 as the document states it
    is_hybrid: bool = False  # the XML came out of a PDF
    standard: str = ""  # "EN 16931", "Factur-X", "ZUGFeRD" ("" for Finvoice, Estonian)
    cius: str = ""  # "xrechnung", "peppol-bis3" or ""
    cius_version: str = ""
    known_id: bool = True  # False: BT-24 is no id the declared standard defines
    xml_filename: str = ""  # the embedded file's name, for a hybrid PDF

    @property
    def syntax(self) -> str:
        """The XML syntax: "UBL", "CII" (D16B), "ZUGFeRD 1.0 CII", "Finvoice", "EE"."""
        return _SYNTAXES.get(self.family, "")

    @property
    def is_facturx(self) -> bool:
        """Factur-X / ZUGFeRD 2 or 1: held to its own profile rules, not bare EN 16931."""
        return self.standard in {"Factur-X", "ZUGFeRD"}

    @property
    def label(self) -> str:
        """What it is, as people name it: "ZUGFeRD 2.0 EXTENDED", "XRechnung 3.0 (UBL)"."""
        if self.family in {"finvoice", "ee-einvoice"}:
            return f"{self.syntax} {self.version}".strip()
        declared = Declared(
            self.standard, self.version, self.profile, self.cius, self.cius_version
        ).label
        return f"{declared} ({self.syntax})" if declared else self.syntax


_SYNTAXES = {
    "ubl-invoice": "UBL",
    "ubl-credit-note": "UBL",
    "cii": "CII",
    "zugferd1": "ZUGFeRD 1.0 CII",
    "finvoice": "Finvoice",
    "ee-einvoice": "EE e-invoice",
}
_UBL_ROOTS = {
    (UBL_INVOICE, "Invoice"): "ubl-invoice",
    (UBL_CREDIT_NOTE, "CreditNote"): "ubl-credit-note",
}
_UBL_CUSTOMIZATION = (
    "./{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}CustomizationID"
)
_ZUGFERD1_GUIDELINE = (
    "./rsm:SpecifiedExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
)


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


def identify(root: etree._Element, *, is_hybrid: bool = False, xml_filename: str = "") -> Document:
    """Classify a parsed root element for schema and rule selection.

    ``xml_filename`` is the embedded file's name when the XML came out of a PDF: the
    EN16931 profile of ZUGFeRD 2.0 (``zugferd-invoice.xml``) and of Factur-X 1.0
    (``factur-x.xml``) share their guideline id.
    """
    qname = etree.QName(root)
    if (qname.namespace, qname.localname) in _UBL_ROOTS:
        family = _UBL_ROOTS[qname.namespace, qname.localname]
        found = root.find(_UBL_CUSTOMIZATION)
        guideline = (found.text or "").strip() if found is not None else ""
        return _document(
            family,
            guideline,
            declared_ubl(guideline),
            is_hybrid=is_hybrid,
            xml_filename=xml_filename,
        )
    if qname.namespace == CII and qname.localname == "CrossIndustryInvoice":
        guideline = _first_text(root, _CII_GUIDELINE, {"rsm": CII, "ram": RAM})
        declared = declared_cii(guideline, xml_filename=xml_filename, is_hybrid=is_hybrid)
        return _document("cii", guideline, declared, is_hybrid=is_hybrid, xml_filename=xml_filename)
    if qname.localname == "CrossIndustryDocument":
        namespaces = {"rsm": qname.namespace or ZUGFERD1, "ram": ZUGFERD1_RAM}
        guideline = _first_text(root, _ZUGFERD1_GUIDELINE, namespaces)
        declared = declared_zugferd1(guideline)
        return _document(
            "zugferd1", guideline, declared, is_hybrid=is_hybrid, xml_filename=xml_filename
        )
    if qname.namespace is None and qname.localname == "Finvoice":
        return Document("finvoice", version=(root.get("Version") or "").strip())
    if qname.namespace is None and qname.localname == "E_Invoice":
        return Document("ee-einvoice", version=_first_text(root, "./Header/Version", {}))
    return Document("")


def _document(
    family: str, guideline: str, declared: Declared, *, is_hybrid: bool, xml_filename: str
) -> Document:
    return Document(
        family,
        version=declared.version,
        profile=declared.profile,
        guideline=guideline,
        is_hybrid=is_hybrid,
        standard=declared.standard,
        cius=declared.cius,
        cius_version=declared.cius_version,
        known_id=declared.known_id,
        xml_filename=xml_filename,
    )


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
