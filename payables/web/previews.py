"""PNG previews of a PDF's first pages, rendered with pypdfium2 (PDFium) on request.

The work is bounded: at most ``MAX_PAGES`` pages, each at most ``MAX_SIDE`` pixels on its
longer side, and nothing is written anywhere (the browser caches the images). PDFium is
not thread-safe and waitress serves with threads, so every PDFium call holds one lock.
"""

from __future__ import annotations

import struct
import threading
import zlib
from dataclasses import dataclass

import pypdfium2 as pdfium

from payables.invoices.models import Attachment

MAX_PAGES = 3
MAX_SIDE = 1600  # pixels on the longer side of a rendered page
SCALE = 2.0  # pixels per PDF point (144 dpi) when the page is small enough
PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})

_pdfium_lock = threading.Lock()


class PreviewUnavailable(Exception):
    """The bytes are not a PDF PDFium can open, or the page does not exist."""


@dataclass(frozen=True)
class PngPage:
    data: bytes
    width: int
    height: int


def is_pdf_attachment(attachment: Attachment) -> bool:
    """Tell whether the attachment is a stored file that says it is a PDF."""
    return attachment.kind == Attachment.Kind.FILE and (
        attachment.content_type.split(";")[0].strip().lower() in PDF_TYPES
        or attachment.filename.lower().endswith(".pdf")
    )


def preview_attachment(attachments: list[Attachment]) -> Attachment | None:
    """Choose the document to show: the imported original when it is a PDF, else the first PDF."""
    return (preview_candidates(attachments) or [None])[0]


def preview_candidates(attachments: list[Attachment]) -> list[Attachment]:
    """The PDFs that could be shown, best first: the imported original, then the others
    in the order they came (an e-invoice may call a file a PDF that is not one)."""
    pdfs = [a for a in attachments if is_pdf_attachment(a)]
    return [a for a in pdfs if a.is_original] + [a for a in pdfs if not a.is_original]


def page_count(data: bytes) -> int:
    """Count the pages of a PDF.

    >>> page_count(b"not a pdf")
    Traceback (most recent call last):
    ...
    payables.web.previews.PreviewUnavailable: not a PDF
    """
    _require_pdf(data)
    with _pdfium_lock:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise PreviewUnavailable(str(exc)) from None
        try:
            return len(document)
        finally:
            document.close()


def render_page(data: bytes, index: int) -> PngPage:
    """Render page ``index`` (0-based, below ``MAX_PAGES``) of a PDF as a PNG."""
    _require_pdf(data)
    if not 0 <= index < MAX_PAGES:
        raise PreviewUnavailable(f"only the first {MAX_PAGES} pages are previewed")
    with _pdfium_lock:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise PreviewUnavailable(str(exc)) from None
        try:
            if index >= len(document):
                raise PreviewUnavailable(f"the document has {len(document)} pages")
            page = document[index]
            width, height = page.get_size()
            # A poster-sized page would make a huge bitmap: cap the longer side instead.
            scale = min(SCALE, MAX_SIDE / max(width, height, 1))
            bitmap = page.render(scale=scale, rev_byteorder=True, fill_color=(255, 255, 255, 255))
            pixels = bytes(bitmap.buffer)
            size = (bitmap.width, bitmap.height, bitmap.stride, bitmap.n_channels)
            bitmap.close()
            page.close()
        finally:
            document.close()
    width_px, height_px, stride, channels = size
    return PngPage(encode_png(pixels, width_px, height_px, stride, channels), width_px, height_px)


def encode_png(pixels: bytes, width: int, height: int, stride: int, channels: int) -> bytes:
    """Write RGB (3 channels), RGBx/RGBA (4, alpha dropped) or grey (1) rows as a PNG.

    >>> png = encode_png(bytes([255, 0, 0]), 1, 1, 3, 3)
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", len(png) > 40
    (True, True)
    """
    row_bytes = width * channels
    rows = []
    for y in range(height):
        row = pixels[y * stride : y * stride + row_bytes]
        if channels == 4:  # keep R, G, B: interleave three strided slices
            rgb = bytearray(width * 3)
            rgb[0::3], rgb[1::3], rgb[2::3] = row[0::4], row[1::4], row[2::4]
            row = bytes(rgb)
        rows.append(b"\x00" + row)  # filter type 0 (none) per row
    colour_type = 0 if channels == 1 else 2
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(b"".join(rows), 6)),
            _chunk(b"IEND", b""),
        ]
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _require_pdf(data: bytes) -> None:
    # PDFium also opens some non-PDF inputs; a preview is only for what starts like a PDF
    # (the header may follow up to 1024 bytes of junk, as readers allow).
    if b"%PDF-" not in data[:1024]:
        raise PreviewUnavailable("not a PDF")
