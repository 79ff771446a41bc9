"""Factur-X / ZUGFeRD / XRechnung hybrid PDFs: find the embedded invoice XML and read it.

A hybrid invoice is a PDF/A-3 whose embedded file is the invoice and whose pages are its
visual: ``factur-x.xml`` (Factur-X 1.0, ZUGFeRD 2.1+), ``zugferd-invoice.xml`` (ZUGFeRD
2.0), ``ZUGFeRD-invoice.xml`` (ZUGFeRD 1.0) or ``xrechnung.xml`` (XRechnung in a PDF). The
XML is ground truth, so it is parsed as CII (or UBL); the PDF stays the original. Specs:
Factur-X 1.07 / ZUGFeRD 2.3 (https://fnfe-mpe.org/factur-x/), ZUGFeRD 1.0 (FeRD, 2014).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType
from typing import Any

from lxml import etree
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from payables.einvoice import cii
from payables.einvoice.errors import (
    EInvoiceError,
    LimitExceeded,
    MalformedDocument,
    UnsupportedFormat,
)
from payables.einvoice.model import Finding, ParsedDocument, ParseLimits
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

# pypdf is pure Python: what it parses costs far more per byte than XML does, so the
# structure it reads on the way to the embedded file is bounded tightly. Streams other
# than the embedded files (object streams, cross-reference streams, the XMP) inflate to
# at most 1 MiB each (the corpus's largest object stream is 2 KB, its largest stream of
# any kind 375 KB), at most 32 object streams are read (the objects the import needs
# sit in one to three), and an object whose offset is wrong is searched for in the
# whole file at most 20 times.
_MAX_STRUCTURE_STREAM_BYTES = 1024 * 1024
_MAX_OBJECT_STREAMS = 32
_MAX_REPAIRED_OBJECTS = 20
_MAX_PDF_ARRAY_ITEMS = 20_000
# Cross-reference tables (one per incremental update), and the bytes of a table entry
# (20, or 19 with a one-byte end of line, which pypdf also reads).
_MAX_XREF_TABLES = 100
_XREF_ENTRY_BYTES = 19


@dataclass(frozen=True)
class _Embedded:
    """An embedded file: its name and its (still encoded) stream."""

    filename: str
    stream: StreamObject


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
    _check_object_markers(data, limits)
    with _bounded_pypdf(_MAX_STRUCTURE_STREAM_BYTES, limits):
        try:
            return _parse(data, limits)
        except LimitReachedError as exc:
            raise LimitExceeded(f"The PDF exceeds a limit: {_reason(exc)}") from None


def _parse(data: bytes, limits: ParseLimits) -> ParsedDocument:
    reader = _open(data, limits)
    try:
        return _read(reader, limits)
    finally:
        if reader.exceeded:  # refused inside pypdf, which may have carried on
            raise LimitExceeded(f"The PDF exceeds a limit: {reader.exceeded}") from None


def _read(reader: _BoundedReader, limits: ParseLimits) -> ParsedDocument:
    findings: list[Finding] = []
    _check_page_count(reader, limits)
    embedded = _embedded_files(reader)
    candidates = _candidates(embedded, limits, findings)
    if not candidates:
        raise UnsupportedFormat(NO_XML_MESSAGE)
    chosen, parsed = _parse_first_readable(candidates, limits, findings)
    findings.extend(_xmp_findings(reader, chosen.filename, parsed.profile, limits))
    others = sorted(
        {item.filename for item in embedded} - {c.filename for c in candidates}, key=str.lower
    )
    if others:
        findings.append(
            Finding(
                "PAY-PDF-OTHER-FILES",
                "info",
                f"The PDF also embeds {', '.join(others)}; not part of the invoice data",
            )
        )
    return ParsedDocument(
        format=FORMAT,
        version=parsed.version,
        profile=parsed.profile,
        invoices=parsed.invoices,
        findings=(*parsed.findings, *findings),
        xml=chosen.content,
        xml_filename=chosen.filename,
        is_header_only=parsed.is_header_only,
    )


# -- the PDF ------------------------------------------------------------------------------

# pypdf signals a broken PDF with many exception types (its own errors, but also
# ValueError, KeyError, TypeError, zlib.error, RecursionError, ...); every one of them
# means "this PDF cannot be read", so the PDF-level calls below catch Exception and refuse
# the document with a clear error. Our own EInvoiceErrors pass through unchanged.


@contextmanager
def _bounded_pypdf(stream_bytes: int, limits: ParseLimits) -> Iterator[None]:
    """pypdf's own limits, set for this thread while the PDF is read: inflated streams
    (every filter), arrays and dictionaries, the page tree, and zlib's byte-by-byte
    recovery of a broken stream (a Python loop over each byte)."""
    outputs = dict.fromkeys(
        (
            "array_based_stream_maximum_output_length",
            "brotli_maximum_output_length",
            "jbig2_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "zlib_maximum_output_length",
        ),
        stream_bytes,
    )
    with apply_configuration(
        **outputs,
        maximum_declared_stream_length=limits.max_bytes,
        stream_decoding_work_maximum_length=2 * stream_bytes,
        zlib_maximum_recovery_input_length=64 * 1024,
        array_maximum_element_count=_MAX_PDF_ARRAY_ITEMS,
        dictionary_maximum_element_count=_MAX_PDF_ARRAY_ITEMS,
        page_tree_maximum_entries=limits.max_pdf_objects,
        page_tree_maximum_page_entries=limits.max_pdf_objects,
    ):
        yield


def _check_object_markers(data: bytes, limits: ParseLimits) -> None:
    """Refuse a PDF that writes or lists more objects than the limit, before pypdf reads it.

    Every object in the body opens with the keyword ``obj`` (and closes with ``endobj``,
    which also contains it), and every entry of a cross-reference table takes 20 bytes
    between its ``xref`` and its ``trailer``; so counting bytes bounds the objects a
    reader could find, cheaply (pypdf reads a table of a million entries, 20 MB, in
    0.8 s and 200 MB before anyone can count them).
    """
    openers = data.count(b"obj") - data.count(b"endobj")
    if openers > limits.max_pdf_objects:
        raise LimitExceeded(
            f"The PDF writes {openers} objects; the limit is {limits.max_pdf_objects}"
        )
    tables = data.count(b"xref") - data.count(b"startxref")
    if tables > _MAX_XREF_TABLES:
        raise LimitExceeded(
            f"The PDF has {tables} cross-reference tables; the limit is {_MAX_XREF_TABLES}"
        )
    entries, start = 0, data.find(b"xref")
    while start >= 0:
        end = data.find(b"trailer", start)
        entries += ((end if end >= 0 else len(data)) - start) // _XREF_ENTRY_BYTES
        start = data.find(b"xref", start + 4)
    if entries > limits.max_pdf_objects:
        raise LimitExceeded(
            f"The PDF's cross-reference tables have room for {entries} objects; the limit "
            f"is {limits.max_pdf_objects}"
        )


class _BrokenCrossReferenceError(Exception):
    """The PDF's cross-reference table is unusable and would have to be rebuilt."""


class _BoundedReader(PdfReader):
    """pypdf's reader with the work its recovery paths may do bounded.

    pypdf's public limits bound single streams, arrays and cross-reference streams; three
    private paths do work in proportion to the whole file, so they are bounded here (the
    hostile PDF tests fail if a pypdf release renames them):

    - rebuilding a broken cross-reference table reads every object in the file and
      every object stream it finds: such a PDF is refused (PDF/A-3, which Factur-X
      requires, has a valid table; no corpus PDF needs a rebuild);
    - reading an object from an object stream parses all the stream's objects: the
      streams read, and the objects they declare, are counted against the limits;
    - an object that is not where the table says is searched for in the whole file.

    pypdf swallows some exceptions while it recovers, so a refusal is also remembered
    (``exceeded``, ``needed_rebuild``) and every later call over a limit raises again.
    """

    def __init__(self, data: bytes, limits: ParseLimits) -> None:
        self._limits = limits
        self._object_streams: set[int] = set()
        self._objects_in_streams = 0
        self._repairs = 0
        self.needed_rebuild = False
        self.exceeded = ""
        try:
            super().__init__(
                io.BytesIO(data), strict=False, xref_stream_maximum_entries=limits.max_pdf_objects
            )
        finally:
            if self.needed_rebuild:
                raise _BrokenCrossReferenceError from None

    def _rebuild_xref_table(self, stream: Any) -> None:
        self.needed_rebuild = True
        raise _BrokenCrossReferenceError

    def _over(self, reason: str) -> LimitReachedError:
        self.exceeded = self.exceeded or reason
        return LimitReachedError(reason)

    def _get_object_from_stream(self, indirect_reference: IndirectObject) -> Any:
        number = self.xref_objStm[indirect_reference.idnum][0]
        if number not in self._object_streams:
            self._object_streams.add(number)
            self._count_object_stream(number)
        return super()._get_object_from_stream(indirect_reference)

    def _count_object_stream(self, number: int) -> None:
        if len(self._object_streams) > _MAX_OBJECT_STREAMS:
            raise self._over(f"more than {_MAX_OBJECT_STREAMS} object streams are read")
        host = self.get_object(number)
        declared = _resolve(host.get("/N")) if isinstance(host, DictionaryObject) else None
        self._objects_in_streams += declared if isinstance(declared, int) else 0
        if self._objects_in_streams > self._limits.max_pdf_objects:
            raise self._over(
                f"its object streams hold more than {self._limits.max_pdf_objects} objects"
            )

    def get_object(self, indirect_reference: int | IndirectObject) -> Any:
        """Count objects whose listed offset is wrong: pypdf searches the file for each."""
        reference = (
            IndirectObject(indirect_reference, 0, self)
            if isinstance(indirect_reference, int)
            else indirect_reference
        )
        key = (reference.generation, reference.idnum)
        offset = self.xref.get(reference.generation, {}).get(reference.idnum)
        if key not in self.resolved_objects and offset is not None and not self._at(offset, key):
            self._repairs += 1
            if self._repairs > _MAX_REPAIRED_OBJECTS:
                raise self._over(
                    f"more than {_MAX_REPAIRED_OBJECTS} objects are not where its "
                    "cross-reference table says"
                )
        return super().get_object(indirect_reference)

    def _at(self, offset: int, key: tuple[int, int]) -> bool:
        self.stream.seek(offset)
        found = _OBJECT_HEADER.match(self.stream.read(48))
        return found is not None and (int(found[2]), int(found[1])) == key


_OBJECT_HEADER = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj")


def _open(data: bytes, limits: ParseLimits) -> _BoundedReader:
    try:
        reader = _BoundedReader(data, limits)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnsupportedFormat("The PDF is encrypted with a password; it cannot be read")
        _check_object_count(reader, limits)
        _resolve(reader.trailer["/Root"])
    except _BrokenCrossReferenceError:
        raise MalformedDocument(
            "A broken PDF: its cross-reference table is damaged, so it cannot be read safely"
        ) from None
    except (EInvoiceError, LimitReachedError):
        raise
    except Exception as exc:
        raise MalformedDocument(f"A broken PDF that cannot be read: {_reason(exc)}") from None
    return reader


def _check_object_count(reader: PdfReader, limits: ParseLimits) -> None:
    listed = len(reader.xref_objStm) + sum(len(numbers) for numbers in reader.xref.values())
    if listed > limits.max_pdf_objects:
        raise LimitExceeded(
            f"The PDF lists {listed} objects; the limit is {limits.max_pdf_objects}"
        )


def _check_page_count(reader: PdfReader, limits: ParseLimits) -> None:
    """The page count the page tree states (walking the tree is not needed to read the
    invoice, and a tree of thousands of pages takes seconds to walk)."""
    try:
        pages = _resolve(_resolve(_resolve(reader.trailer["/Root"]).get("/Pages")).get("/Count"))
        if not isinstance(pages, int):
            pages = reader.get_num_pages()  # bounded by the page-tree limits set above
    except LimitReachedError:
        raise
    except Exception as exc:
        raise MalformedDocument(f"A broken PDF: its pages cannot be read: {_reason(exc)}") from None
    if pages > limits.max_pdf_pages:
        raise LimitExceeded(f"The PDF has {pages} pages; the limit is {limits.max_pdf_pages}")


def _embedded_files(reader: PdfReader) -> list[_Embedded]:
    """The files in the EmbeddedFiles name tree and the catalog's /AF array, once each."""
    try:
        catalog = _resolve(reader.trailer["/Root"])
        specs: list[tuple[str, Any]] = []
        names = _resolve(catalog.get("/Names")) if isinstance(catalog, DictionaryObject) else None
        if isinstance(names, DictionaryObject):
            _walk_name_tree(names.get("/EmbeddedFiles"), 0, specs, set())
        associated = _resolve(catalog.get("/AF")) if isinstance(catalog, DictionaryObject) else None
        if isinstance(associated, ArrayObject):
            specs.extend(("", spec) for spec in associated[:_MAX_EMBEDDED_FILES])
        found: list[_Embedded] = []
        seen: set[int] = set()
        for key, spec in specs:
            item = _embedded(key, _resolve(spec), seen)
            if item is not None:
                found.append(item)
    except (EInvoiceError, LimitReachedError):
        raise
    except Exception as exc:
        raise MalformedDocument(
            f"A broken PDF: its embedded files cannot be read: {_reason(exc)}"
        ) from None
    return found


def _walk_name_tree(node: Any, depth: int, out: list[tuple[str, Any]], seen: set[int]) -> None:
    if depth > _MAX_TREE_DEPTH or len(seen) >= _MAX_TREE_NODES:
        return
    node = _resolve(node)
    if not isinstance(node, DictionaryObject) or id(node) in seen:
        return
    seen.add(id(node))
    pairs = _resolve(node.get("/Names"))
    if isinstance(pairs, ArrayObject):
        for index in range(0, len(pairs) - 1, 2):
            if len(out) >= _MAX_EMBEDDED_FILES:
                return
            out.append((_string(_resolve(pairs[index])), pairs[index + 1]))
    kids = _resolve(node.get("/Kids"))
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
            for name in (_string(_resolve(spec.get("/UF"))), _string(_resolve(spec.get("/F"))), key)
            if name
        ),
        "",
    )
    files = _resolve(spec.get("/EF"))
    if not isinstance(files, DictionaryObject):
        return None
    stream = _resolve(files.get("/F"))
    if stream is None:
        stream = _resolve(files.get("/UF"))
    # The name tree and /AF usually list the same file: pypdf resolves an indirect object
    # to one Python object, so its identity says "seen".
    if not isinstance(stream, StreamObject) or id(stream) in seen:
        return None
    seen.add(id(stream))
    # Some writers store a path; only the last part names the file.
    return _Embedded(filename.replace("\\", "/").rsplit("/", 1)[-1].strip(), stream)


class _Inflater:
    """Inflates embedded files, at most ``max_bytes`` in all: a PDF of a few kilobytes
    can hold a stream that inflates to gigabytes, so inflating stops at the limit."""

    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits
        self.remaining = limits.max_bytes

    def content(self, item: _Embedded) -> bytes:
        with _bounded_pypdf(self.remaining + 1, self.limits):
            try:
                content = item.stream.get_data()
            except LimitReachedError:
                content = None
            except Exception as exc:
                raise MalformedDocument(
                    f"The embedded {item.filename} cannot be decompressed: {_reason(exc)}"
                ) from None
        if content is None or len(content) > self.remaining:
            raise LimitExceeded(self._over(item))
        self.remaining -= len(content)
        return content

    def _over(self, item: _Embedded) -> str:
        limit = self.limits.max_bytes
        if self.remaining == limit:
            return f"The embedded {item.filename} inflates to more than {limit} bytes (the limit)"
        return f"The embedded files inflate to more than {limit} bytes in all (at {item.filename})"


# -- choosing and reading the invoice XML -------------------------------------------------


def _candidates(
    embedded: list[_Embedded], limits: ParseLimits, findings: list[Finding]
) -> list[_Candidate]:
    """The embedded files that may be the invoice, best first (2.x before ZUGFeRD 1.0)."""
    inflater = _Inflater(limits)
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
        stream = _resolve(_resolve(reader.trailer["/Root"]).get("/Metadata"))
        xmp = stream.get_data() if isinstance(stream, StreamObject) else None
    except Exception as exc:
        return [_xmp_warning(f"The PDF's XMP metadata cannot be read: {_reason(exc)}")]
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


def _resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _string(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1").strip()
    return value.strip() if isinstance(value, str) else ""


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
