"""Factur-X / ZUGFeRD / XRechnung hybrid PDFs: find the embedded invoice XML and read it.

A hybrid invoice is a PDF/A-3 whose embedded file is the invoice and whose pages are its
visual: ``factur-x.xml`` (Factur-X 1.0, ZUGFeRD 2.1+), ``zugferd-invoice.xml`` (ZUGFeRD
2.0), ``ZUGFeRD-invoice.xml`` (ZUGFeRD 1.0) or ``xrechnung.xml`` (XRechnung in a PDF). The
XML is ground truth, so it is parsed as CII (or UBL); the PDF stays the original. Specs:
Factur-X 1.07 / ZUGFeRD 2.3 (https://fnfe-mpe.org/factur-x/), ZUGFeRD 1.0 (FeRD, 2014).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, replace
from importlib import import_module
from types import ModuleType
from typing import Any

from lxml import etree
from pypdf import PdfReader
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

from payables.einvoice import cii
from payables.einvoice.errors import (
    EInvoiceError,
    LimitExceeded,
    MalformedDocument,
    UnsupportedFormat,
)
from payables.einvoice.model import Attachment, Finding, ParsedDocument, ParseLimits
from payables.einvoice.pdfsafe import (
    MAX_STRUCTURE_STREAM_BYTES,
    BoundedReader,
    bounded_pypdf,
    check_object_markers,
    check_page_count,
    open_pdf,
    reason,
    resolve,
)
from payables.einvoice.validation.versions import (
    declared_cii,
    declared_ubl,
    declared_zugferd1,
)
from payables.einvoice.xmlsafe import parse_xml

FORMAT = "facturx-pdf"

# The invoice file names, lower case: ZUGFeRD 1.0 "ZUGFeRD-invoice.xml" and ZUGFeRD 2.0
# "zugferd-invoice.xml" differ only in case, so the XML itself tells them apart.
INVOICE_FILENAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")

NO_XML_MESSAGE = "A PDF without embedded e-invoice XML; it needs digitizing"

# Bounds on walking the PDF's embedded-files name tree (hostile PDFs nest or loop it), and
# on how many XML files are inflated to look for the invoice (real hybrid PDFs embed one
# to a few files).
_MAX_TREE_DEPTH = 32
_MAX_TREE_NODES = 200
_MAX_EMBEDDED_FILES = 100
_MAX_XML_FILES = 10


@dataclass(frozen=True)
class _Embedded:
    """An embedded file: its name, its (still encoded) stream and its description."""

    filename: str
    stream: StreamObject
    description: str = ""


@dataclass(frozen=True)
class _Candidate:
    filename: str
    content: bytes
    is_zugferd1: bool


def detect(data: bytes) -> bool:
    """True for PDF bytes (``%PDF-`` after optional whitespace).

    >>> detect(b"\\n%PDF-1.7 ..."), detect(b"<?xml version='1.0'?>")
    (True, False)
    """
    return data[:1024].lstrip(b" \t\r\n\f\x00").startswith(b"%PDF-")


def parse(data: bytes, *, limits: ParseLimits) -> ParsedDocument:
    """Read the invoice XML embedded in a hybrid PDF; refuse a PDF that has none."""
    if len(data) > limits.max_bytes:
        raise LimitExceeded(f"The document has {len(data)} bytes; the limit is {limits.max_bytes}")
    check_object_markers(data, limits)
    with bounded_pypdf(MAX_STRUCTURE_STREAM_BYTES, limits):
        try:
            return _parse(data, limits)
        except LimitReachedError as exc:
            raise LimitExceeded(f"The PDF exceeds a limit: {reason(exc)}") from None


def _parse(data: bytes, limits: ParseLimits) -> ParsedDocument:
    reader = open_pdf(data, limits)
    try:
        return _read(reader, limits)
    finally:
        if reader.exceeded:  # refused inside pypdf, which may have carried on
            raise LimitExceeded(f"The PDF exceeds a limit: {reader.exceeded}") from None


def _read(reader: BoundedReader, limits: ParseLimits) -> ParsedDocument:
    findings: list[Finding] = []
    check_page_count(reader, limits)
    embedded = _embedded_files(reader)
    inflater = _Inflater(limits)
    candidates = _candidates(embedded, inflater, findings)
    if not candidates:
        raise UnsupportedFormat(NO_XML_MESSAGE)
    chosen, parsed = _parse_first_readable(candidates, limits, findings)
    findings.extend(_xmp_findings(reader, chosen.filename, parsed.profile, limits))
    supporting = _supporting_files(embedded, chosen, inflater, findings)
    return ParsedDocument(
        format=FORMAT,
        version=hybrid_version(parsed, chosen.filename),
        profile=parsed.profile,
        invoices=tuple(
            replace(invoice, attachments=invoice.attachments + supporting)
            for invoice in parsed.invoices
        ),
        findings=(*parsed.findings, *findings),
        xml=chosen.content,
        xml_filename=chosen.filename,
        is_header_only=parsed.is_header_only,
    )


def hybrid_version(parsed: ParsedDocument, filename: str) -> str:
    """The standard and version the embedded XML declares: "ZUGFeRD 1.0", "ZUGFeRD 2.0"
    (``zugferd-invoice.xml``, ``urn:zugferd.de:2p0`` ids), "Factur-X 1.0" (which ZUGFeRD
    2.1 and later are), "XRechnung 3.0"; the XML's own syntax version stays in the XML."""
    guideline = parsed.invoices[0].customization_id if parsed.invoices else ""
    if parsed.format == "zugferd1":
        declared = declared_zugferd1(guideline)
    elif parsed.format == "ubl":
        declared = declared_ubl(guideline)
    else:
        declared = declared_cii(guideline, xml_filename=filename, is_hybrid=True)
    if declared.cius:
        return declared.label
    return f"{declared.standard} {declared.version}".strip() or parsed.version


def _supporting_files(
    embedded: list[_Embedded], chosen: _Candidate, inflater: _Inflater, findings: list[Finding]
) -> tuple[Attachment, ...]:
    """Every embedded file besides the invoice XML, as an attachment of the invoice (BG-24).

    A PDF may carry supporting documents (a statement, a time sheet, logistics data)
    beside the XML; they are kept byte-exact. One that cannot be inflated, or is over the
    attachment limit, is left out with a warning: it never refuses the invoice.
    """
    kept: list[Attachment] = []
    for item in embedded:
        if item.filename == chosen.filename:
            continue
        content, problem = inflater.supporting_content(item)
        if content is None:
            findings.append(Finding("PAY-PDF-OTHER-FILES", "warning", problem))
            continue
        kept.append(
            Attachment(
                id=item.filename,  # BT-122
                description=item.description,  # BT-123
                filename=item.filename,  # BT-125 filename
                mime_code=_mime_type(item),  # BT-125 mimeCode
                content=content,  # BT-125
            )
        )
    if kept:
        names = ", ".join(sorted((a.filename for a in kept), key=str.lower))
        findings.append(
            Finding(
                "PAY-PDF-OTHER-FILES",
                "info",
                f"The PDF also embeds {names}; kept as attachments of the invoice",
            )
        )
    return tuple(kept)


def _mime_type(item: _Embedded) -> str:
    """The embedded file's /Subtype (``/application#2Fpdf``), else a guess from its name."""
    subtype = str(resolve(item.stream.get("/Subtype")) or "").strip().lstrip("/")
    if "/" in subtype:
        return subtype[:100]
    return mimetypes.guess_type(item.filename)[0] or ""


def _embedded_files(reader: PdfReader) -> list[_Embedded]:
    """The files in the EmbeddedFiles name tree and the catalog's /AF array, once each."""
    try:
        catalog = resolve(reader.trailer["/Root"])
        specs: list[tuple[str, Any]] = []
        names = resolve(catalog.get("/Names")) if isinstance(catalog, DictionaryObject) else None
        if isinstance(names, DictionaryObject):
            _walk_name_tree(names.get("/EmbeddedFiles"), 0, specs, set())
        associated = resolve(catalog.get("/AF")) if isinstance(catalog, DictionaryObject) else None
        if isinstance(associated, ArrayObject):
            specs.extend(("", spec) for spec in associated[:_MAX_EMBEDDED_FILES])
        found: list[_Embedded] = []
        seen: set[int] = set()
        for key, spec in specs:
            item = _embedded(key, resolve(spec), seen)
            if item is not None:
                found.append(item)
    except (EInvoiceError, LimitReachedError):
        raise
    except Exception as exc:
        raise MalformedDocument(
            f"A broken PDF: its embedded files cannot be read: {reason(exc)}"
        ) from None
    return found


def _walk_name_tree(node: Any, depth: int, out: list[tuple[str, Any]], seen: set[int]) -> None:
    if depth > _MAX_TREE_DEPTH or len(seen) >= _MAX_TREE_NODES:
        return
    node = resolve(node)
    if not isinstance(node, DictionaryObject) or id(node) in seen:
        return
    seen.add(id(node))
    pairs = resolve(node.get("/Names"))
    if isinstance(pairs, ArrayObject):
        for index in range(0, len(pairs) - 1, 2):
            if len(out) >= _MAX_EMBEDDED_FILES:
                return
            out.append((_string(resolve(pairs[index])), pairs[index + 1]))
    kids = resolve(node.get("/Kids"))
    if isinstance(kids, ArrayObject):
        for kid in kids:
            if len(out) >= _MAX_EMBEDDED_FILES:
                return
            _walk_name_tree(kid, depth + 1, out, seen)


def _embedded(key: str, spec: Any, seen: set[int]) -> _Embedded | None:
    """The file a file specification embeds; None for a reference or one already seen."""
    if not isinstance(spec, DictionaryObject):
        return None
    filename = next(
        (
            name
            for name in (_string(resolve(spec.get("/UF"))), _string(resolve(spec.get("/F"))), key)
            if name
        ),
        "",
    )
    files = resolve(spec.get("/EF"))
    if not isinstance(files, DictionaryObject):
        return None
    stream = resolve(files.get("/F"))
    if stream is None:
        stream = resolve(files.get("/UF"))
    # The name tree and /AF usually list the same file: pypdf resolves an indirect object
    # to one Python object, so its identity says "seen".
    if not isinstance(stream, StreamObject) or id(stream) in seen:
        return None
    seen.add(id(stream))
    # Some writers store a path; only the last part names the file.
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return _Embedded(name, stream, _string(resolve(spec.get("/Desc"))))


class _Inflater:
    """Inflates embedded files, at most ``max_bytes`` in all: a PDF of a few kilobytes
    can hold a stream that inflates to gigabytes, so inflating stops at the limit."""

    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits
        self.remaining = limits.max_bytes

    def content(self, item: _Embedded) -> bytes:
        with bounded_pypdf(self.remaining + 1, self.limits):
            try:
                content = item.stream.get_data()
            except LimitReachedError:
                content = None
            except Exception as exc:
                raise MalformedDocument(
                    f"The embedded {item.filename} cannot be decompressed: {reason(exc)}"
                ) from None
        if content is None or len(content) > self.remaining:
            raise LimitExceeded(self._over(item))
        self.remaining -= len(content)
        return content

    def supporting_content(self, item: _Embedded) -> tuple[bytes | None, str]:
        """A supporting file's bytes, or None and why not (over a limit, or broken)."""
        limit = min(self.remaining, self.limits.max_attachment_bytes)
        with bounded_pypdf(limit + 1, self.limits):
            try:
                content = item.stream.get_data()
            except LimitReachedError:
                content = None
            except Exception as exc:
                return None, f"The embedded {item.filename} cannot be decompressed: {reason(exc)}"
        if content is None or len(content) > limit:
            return None, f"The embedded {item.filename} is over {limit} bytes; not kept"
        self.remaining -= len(content)
        return content, ""

    def _over(self, item: _Embedded) -> str:
        limit = self.limits.max_bytes
        if self.remaining == limit:
            return f"The embedded {item.filename} inflates to more than {limit} bytes (the limit)"
        return f"The embedded files inflate to more than {limit} bytes in all (at {item.filename})"


# -- choosing and reading the invoice XML -------------------------------------------------


def _candidates(
    embedded: list[_Embedded], inflater: _Inflater, findings: list[Finding]
) -> list[_Candidate]:
    """The embedded files that may be the invoice, best first (2.x before ZUGFeRD 1.0)."""
    named = [item for item in embedded if item.filename.lower() in INVOICE_FILENAMES]
    found = [(item.filename, inflater.content(item)) for item in named[:_MAX_XML_FILES]]
    if not found:
        # A writer that named the file otherwise: take an XML file that is an invoice.
        others = [item for item in embedded if item.filename.lower().endswith(".xml")]
        found = []
        for item in others[:_MAX_XML_FILES]:
            content = inflater.content(item)
            if _is_invoice_xml(content):
                found.append((item.filename, content))
        findings.extend(
            Finding(
                "PAY-PDF-FILENAME",
                "warning",
                f"The invoice XML is embedded as {name!r}, not under a Factur-X, ZUGFeRD or "
                "XRechnung file name",
            )
            for name, _ in found
        )
    candidates = [
        _Candidate(name, content, cii.root_element(content) == "CrossIndustryDocument")
        for name, content in found
    ]
    candidates.sort(key=lambda c: c.is_zugferd1)
    if len({c.is_zugferd1 for c in candidates}) > 1:
        findings.append(
            Finding(
                "PAY-PDF-TWO-VERSIONS",
                "warning",
                "The PDF carries both ZUGFeRD 1.0 and ZUGFeRD 2.x / Factur-X XML "
                f"({', '.join(c.filename for c in candidates)}); the 2.x one, "
                f"{candidates[0].filename}, is read",
            )
        )
    return candidates


def _is_invoice_xml(content: bytes) -> bool:
    ubl = _ubl()
    return cii.detect(content) or (ubl is not None and ubl.detect(content))


def _parse_first_readable(
    candidates: list[_Candidate], limits: ParseLimits, findings: list[Finding]
) -> tuple[_Candidate, ParsedDocument]:
    first_error: EInvoiceError | None = None
    for candidate in candidates:
        try:
            return candidate, _parse_xml(candidate, limits)
        except EInvoiceError as exc:
            error = _embedded_error(candidate.filename, exc)
            first_error = first_error or error
            if candidate is not candidates[-1]:
                findings.extend(
                    Finding(f.rule_id, "warning", f.message, f.location) for f in error.findings
                )
    assert first_error is not None  # candidates is never empty here
    raise first_error


def _parse_xml(candidate: _Candidate, limits: ParseLimits) -> ParsedDocument:
    ubl = _ubl()
    if not cii.detect(candidate.content) and ubl is not None and ubl.detect(candidate.content):
        return ubl.parse(candidate.content, limits=limits)
    # Not sniffed as UBL: CII reads it, or says precisely why it cannot (not well-formed,
    # another root element, ...).
    return cii.parse(candidate.content, limits=limits)


def _embedded_error(filename: str, exc: EInvoiceError) -> EInvoiceError:
    """The same error, saying which embedded file it is about."""
    findings = [
        Finding(f.rule_id, f.severity, f"{filename}: {f.message}", f.location) for f in exc.findings
    ]
    return type(exc)(f"The embedded {filename} cannot be read: {exc.message}", findings=findings)


def _ubl() -> ModuleType | None:
    try:
        return import_module("payables.einvoice.ubl")
    except ImportError:
        return None


# -- XMP metadata -------------------------------------------------------------------------


def _xmp_findings(
    reader: PdfReader, filename: str, profile: str, limits: ParseLimits
) -> list[Finding]:
    """Check the XMP's Factur-X declaration against the XML read; problems are warnings.

    The XML is ground truth: a broken or contradicting XMP does not stop the import.
    """
    try:
        stream = resolve(resolve(reader.trailer["/Root"]).get("/Metadata"))
        xmp = stream.get_data() if isinstance(stream, StreamObject) else None
    except Exception as exc:
        return [_xmp_warning(f"The PDF's XMP metadata cannot be read: {reason(exc)}")]
    if xmp is None:
        return [
            Finding("PAY-PDF-XMP", "info", "The PDF has no XMP metadata declaring the invoice XML")
        ]
    try:
        root = parse_xml(xmp, limits=limits)
    except EInvoiceError as exc:
        return [_xmp_warning(f"The PDF's XMP metadata is broken: {exc.message}")]
    declared = _xmp_values(root)
    findings = []
    declared_name = declared.get("DocumentFileName", "")
    if declared_name and declared_name.lower() != filename.lower():
        findings.append(
            _xmp_warning(
                f"The XMP names the invoice file {declared_name!r}, but {filename!r} was read"
            )
        )
    level = declared.get("ConformanceLevel", "")
    if level and profile and _squash(level) != _squash(profile):
        findings.append(
            _xmp_warning(f"The XMP declares profile {level!r}, but the XML is {profile!r}")
        )
    return findings


def _xmp_values(root: etree._Element) -> dict[str, str]:
    """Factur-X / ZUGFeRD XMP properties, written as elements or as attributes."""
    wanted = ("DocumentFileName", "ConformanceLevel")
    values: dict[str, str] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name in wanted and (element.text or "").strip():
            values.setdefault(name, element.text.strip())
        for attribute, value in element.attrib.items():
            name = etree.QName(attribute).localname
            if name in wanted and value.strip():
                values.setdefault(name, value.strip())
    return values


def _xmp_warning(message: str) -> Finding:
    return Finding("PAY-PDF-XMP", "warning", message)


def _squash(profile: str) -> str:
    return "".join(profile.split()).upper()


# -- pypdf values -------------------------------------------------------------------------


def _string(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1").strip()
    return value.strip() if isinstance(value, str) else ""
