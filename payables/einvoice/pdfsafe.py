"""Reading untrusted PDFs with pypdf within bounds: object, page and stream limits set
before and while pypdf reads, so a hostile PDF is refused cheaply (see ``ParseLimits``).

pypdf is pure Python: what it parses costs far more per byte than XML does.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.generic import DictionaryObject, IndirectObject

from payables.einvoice.errors import (
    EInvoiceError,
    LimitExceeded,
    MalformedDocument,
    UnsupportedFormat,
)
from payables.einvoice.model import ParseLimits

# pypdf is pure Python: what it parses costs far more per byte than XML does, so the
# structure it reads on the way to the embedded file is bounded tightly. Streams other
# than the embedded files (object streams, cross-reference streams, the XMP) inflate to
# at most 1 MiB each (the corpus's largest object stream is 2 KB, its largest stream of
# any kind 375 KB), at most 32 object streams are read (the objects the import needs
# sit in one to three), and an object whose offset is wrong is searched for in the
# whole file at most 20 times.
MAX_STRUCTURE_STREAM_BYTES = 1024 * 1024
_MAX_OBJECT_STREAMS = 32
_MAX_REPAIRED_OBJECTS = 20
_MAX_PDF_ARRAY_ITEMS = 20_000
# Cross-reference tables (one per incremental update), and the bytes of a table entry
# (20, or 19 with a one-byte end of line, which pypdf also reads).
_MAX_XREF_TABLES = 100
_XREF_ENTRY_BYTES = 19


# -- the PDF ------------------------------------------------------------------------------

# pypdf signals a broken PDF with many exception types (its own errors, but also
# ValueError, KeyError, TypeError, zlib.error, RecursionError, ...); every one of them
# means "this PDF cannot be read", so the PDF-level calls below catch Exception and refuse
# the document with a clear error. Our own EInvoiceErrors pass through unchanged.


@contextmanager
def bounded_pypdf(stream_bytes: int, limits: ParseLimits) -> Iterator[None]:
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


def check_object_markers(data: bytes, limits: ParseLimits) -> None:
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


class BoundedReader(PdfReader):
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
        declared = resolve(host.get("/N")) if isinstance(host, DictionaryObject) else None
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


def open_pdf(data: bytes, limits: ParseLimits) -> BoundedReader:
    try:
        reader = BoundedReader(data, limits)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnsupportedFormat("The PDF is encrypted with a password; it cannot be read")
        _check_object_count(reader, limits)
        resolve(reader.trailer["/Root"])
    except _BrokenCrossReferenceError:
        raise MalformedDocument(
            "A broken PDF: its cross-reference table is damaged, so it cannot be read safely"
        ) from None
    except (EInvoiceError, LimitReachedError):
        raise
    except Exception as exc:
        raise MalformedDocument(f"A broken PDF that cannot be read: {reason(exc)}") from None
    return reader


def _check_object_count(reader: PdfReader, limits: ParseLimits) -> None:
    listed = len(reader.xref_objStm) + sum(len(numbers) for numbers in reader.xref.values())
    if listed > limits.max_pdf_objects:
        raise LimitExceeded(
            f"The PDF lists {listed} objects; the limit is {limits.max_pdf_objects}"
        )


def check_page_count(reader: PdfReader, limits: ParseLimits) -> None:
    """The page count the page tree states (walking the tree is not needed to read the
    invoice, and a tree of thousands of pages takes seconds to walk)."""
    try:
        pages = resolve(resolve(resolve(reader.trailer["/Root"]).get("/Pages")).get("/Count"))
        if not isinstance(pages, int):
            pages = reader.get_num_pages()  # bounded by the page-tree limits set above
    except LimitReachedError:
        raise
    except Exception as exc:
        raise MalformedDocument(f"A broken PDF: its pages cannot be read: {reason(exc)}") from None
    if pages > limits.max_pdf_pages:
        raise LimitExceeded(f"The PDF has {pages} pages; the limit is {limits.max_pdf_pages}")


def reason(exc: BaseException) -> str:
    """What a pypdf exception says, or its type where it says nothing."""
    return str(exc) or type(exc).__name__


def resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value
