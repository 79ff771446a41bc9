"""The text layer of a PDF with pypdfium2: characters with boxes → words; pages to images.

PDFium reads hundreds of pages a second; its character boxes give words whose positions
the layout turns into rows and cells. A page whose text layer is (nearly) empty is a scan:
the engine renders it and reads it with OCR instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from payables.digitize.errors import UnreadableDocument
from payables.digitize.model import Word

# A page with fewer letters and digits than this in its text layer is read by OCR.
MIN_TEXT_CHARS = 20
# A word breaks where the gap between two characters exceeds this share of their height.
WORD_GAP = 0.22
_FPDF_ERR_PASSWORD = 4


@contextlib.contextmanager
def open_pdf(data: bytes, max_pages: int) -> Iterator[pdfium.PdfDocument]:
    """Open a PDF, refusing encrypted, broken and overlong ones with a reason."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == _FPDF_ERR_PASSWORD:
            raise UnreadableDocument(
                "encrypted_pdf", "The PDF is password-protected; send it without a password."
            ) from None
        raise UnreadableDocument("broken_pdf", f"The PDF cannot be read: {exc}") from None
    try:
        pages = len(document)
        if pages == 0:
            raise UnreadableDocument("broken_pdf", "The PDF has no pages.")
        if pages > max_pages:
            raise UnreadableDocument(
                "too_many_pages", f"The PDF has {pages} pages; at most {max_pages} are read."
            )
        yield document
    finally:
        document.close()


def page_words(page: pdfium.PdfPage, number: int) -> tuple[Word, ...]:
    """The words of a page's text layer, with boxes as fractions of the page (top-left origin)."""
    textpage = page.get_textpage()
    try:
        return tuple(_words(textpage, _Frame(page), number))
    finally:
        textpage.close()


def has_text(words: tuple[Word, ...]) -> bool:
    """Whether a page's text layer holds enough to read (else it is a scan)."""
    return sum(ch.isalnum() for w in words for ch in w.text) >= MIN_TEXT_CHARS


def render(page: pdfium.PdfPage, dpi: int = 300, max_pixels: int = 60_000_000):
    """The page as a greyscale PIL image at ``dpi``, or less where the page is so large
    that the image would pass ``max_pixels`` (a poster-sized page is no reason to run out
    of memory)."""
    width, height = page.get_size()
    scale = min(dpi / 72, (max_pixels / max(width * height, 1.0)) ** 0.5)
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        return bitmap.to_pil().convert("L")
    finally:
        bitmap.close()


class _Frame:
    """Maps PDF user space (points, bottom-left origin, maybe rotated) to page fractions."""

    def __init__(self, page: pdfium.PdfPage) -> None:
        left, bottom, right, top = page.get_cropbox()
        self.left, self.bottom = left, bottom
        self.width, self.height = max(right - left, 1.0), max(top - bottom, 1.0)
        self.rotation = page.get_rotation() % 360

    def box(self, left: float, bottom: float, right: float, top: float):
        x0, x1 = (left - self.left) / self.width, (right - self.left) / self.width
        y0, y1 = 1 - (top - self.bottom) / self.height, 1 - (bottom - self.bottom) / self.height
        if self.rotation == 90:  # shown turned clockwise: old top edge becomes the right
            x0, y0, x1, y1 = 1 - y1, x0, 1 - y0, x1
        elif self.rotation == 180:
            x0, y0, x1, y1 = 1 - x1, 1 - y1, 1 - x0, 1 - y0
        elif self.rotation == 270:
            x0, y0, x1, y1 = y0, 1 - x1, y1, 1 - x0
        return (_clip(x0), _clip(y0), _clip(x1), _clip(y1))

    @property
    def aspect(self) -> float:
        if self.rotation in (90, 270):
            return self.width / self.height
        return self.height / self.width


def _clip(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def _words(textpage: pdfium.PdfTextPage, frame: _Frame, number: int) -> Iterator[Word]:
    raw = textpage.raw
    text: list[str] = []
    box: list[float] = []
    last_right = last_bottom = last_top = 0.0
    left, bottom, right, top = (pdfium_c.c_double() for _ in range(4))
    rect = pdfium_c.FS_RECTF()
    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(raw, index)
        char = chr(code) if 0 < code < 0x110000 else ""
        if not char or char.isspace() or not char.isprintable():
            if text:
                yield Word("".join(text), number, frame.box(*box))
                text, box = [], []
            continue
        pdfium_c.FPDFText_GetLooseCharBox(raw, index, rect)
        c_left, c_top, c_right, c_bottom = rect.left, rect.top, rect.right, rect.bottom
        if c_right - c_left <= 0:  # no loose box: fall back on the glyph box
            pdfium_c.FPDFText_GetCharBox(raw, index, left, right, bottom, top)
            c_left, c_right, c_bottom, c_top = left.value, right.value, bottom.value, top.value
        height = max(c_top - c_bottom, 1.0)
        if text and (
            c_left - last_right > WORD_GAP * height
            or c_left < last_right - height  # went back: a new line or column
            or c_top < last_bottom
            or c_bottom > last_top
        ):
            yield Word("".join(text), number, frame.box(*box))
            text, box = [], []
        if text:
            box = [
                min(box[0], c_left),
                min(box[1], c_bottom),
                max(box[2], c_right),
                max(box[3], c_top),
            ]
        else:
            box = [c_left, c_bottom, c_right, c_top]
        text.append(char)
        last_right, last_bottom, last_top = c_right, c_bottom, c_top
    if text:
        yield Word("".join(text), number, frame.box(*box))


def page_aspect(page: pdfium.PdfPage) -> float:
    """Height / width of the page as shown."""
    return _Frame(page).aspect
