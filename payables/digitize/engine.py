"""The engine: bytes in → words (text layer or OCR) → candidates → fields out.

Languages for OCR are chosen per document: a first pass with a small set, then, when the
supplier's country (VAT id or IBAN prefix) has a language that pass lacked, a second pass
with that language and English; the reading with more validated fields wins. Never all
languages at once: that loses diacritics and doubles the time.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from payables.digitize import ocr, pdftext
from payables.digitize.candidates import Document, from_memory, labelled, unlabelled
from payables.digitize.choose import choose
from payables.digitize.errors import UnreadableDocument
from payables.digitize.model import Digitized, Field, Reading, Word
from payables.digitize.sniff import sniff_kind
from payables.digitize.tables import find_lines

# Bounds on what one document may cost: pages read from the text layer, pages sent to OCR,
# and pixels of one image (a decompression bomb is refused, not decoded).
MAX_PAGES = 200
MAX_OCR_PAGES = 30
MAX_IMAGE_PIXELS = 60_000_000

Memory = Mapping[str, Mapping[str, object]]


@dataclass
class _Source:
    """A document's pages: words of the text-layer pages, images of those needing OCR."""

    kind: str
    count: int
    words: dict[int, tuple[Word, ...]] = field(default_factory=dict)
    images: dict[int, object] = field(default_factory=dict)
    aspects: dict[int, float] = field(default_factory=dict)


def digitize(
    data: bytes,
    *,
    memory: Memory | None = None,
    languages: Sequence[str] | None = None,
    tessdata: str | None = None,
    memory_for: Callable[[dict[str, Field]], Memory | None] | None = None,
) -> Digitized:
    """Read a PDF or image invoice and extract its fields.

    ``memory`` is supplier memory (``{field: {"label", "page", "box"}}``), looked at first;
    ``memory_for``, when the supplier is not known before reading, is asked with the fields
    of a first extraction (its VAT id, IBAN, ...) for that supplier's memory, which is then
    applied to the same reading (no second OCR). ``languages`` fixes the OCR languages
    (Tesseract codes); ``tessdata`` points at the language data (default:
    ``$PAYABLES_TESSDATA``, ``$TESSDATA_PREFIX``, the system's).
    """
    reading, aspects, doc = read(data, languages=languages, tessdata=tessdata, memory=memory)
    result = extract(reading, memory=memory, aspects=aspects, doc=doc)
    if memory is None and memory_for is not None:
        found = memory_for(result.fields)
        if found:
            result = extract(reading, memory=found, aspects=aspects, doc=doc)
    return result


def read(
    data: bytes,
    *,
    languages: Sequence[str] | None = None,
    tessdata: str | None = None,
    memory: Memory | None = None,
) -> tuple[Reading, tuple[float, ...], Document]:
    """The document as words, page by page (OCR where the text layer is missing)."""
    source = _load(data)
    aspects = tuple(source.aspects.get(n, 1.414) for n in range(1, source.count + 1))
    if not source.images:
        reading = Reading(source.kind, _pages(source, {}), "text")
        return reading, aspects, Document(reading, aspects)
    if len(source.images) > MAX_OCR_PAGES:
        raise UnreadableDocument(
            "too_many_pages",
            f"{len(source.images)} pages need OCR; at most {MAX_OCR_PAGES} are read.",
        )
    folder = ocr.require_engine(tessdata)
    method = "ocr" if not source.words else "mixed"
    first = ocr.usable(languages or ocr.FIRST_PASS, folder)
    reading = _ocr_reading(source, first, folder, method)
    doc = Document(reading, aspects)
    if languages:
        return reading, aspects, doc
    second = _second_pass_languages(doc, memory, first, folder)
    if not second:
        return reading, aspects, doc
    other = _ocr_reading(source, second, folder, method)
    other_doc = Document(other, aspects)
    if _quality(other_doc, memory) >= _quality(doc, memory):
        return other, aspects, other_doc
    return reading, aspects, doc


def extract(
    reading: Reading,
    *,
    memory: Memory | None = None,
    aspects: tuple[float, ...] | None = None,
    doc: Document | None = None,
) -> Digitized:
    """Fields from a reading (the part of ``digitize`` after the words are known)."""
    doc = doc or Document(reading, aspects)
    candidates = labelled(doc) + unlabelled(doc)
    if memory:
        candidates += from_memory(doc, memory)
    fields, breakdown = choose(doc, candidates)
    return Digitized(
        kind=reading.kind,
        pages=len(reading.pages),
        method=reading.method,
        languages=reading.languages,
        fields=fields,
        vat_breakdown=breakdown,
        lines=tuple(find_lines(doc)),
        text=doc.text,
    )


def _quality(doc: Document, memory: Memory | None) -> tuple[int, float]:
    result = extract(doc.reading, memory=memory, doc=doc)
    validated = sum(f.validated for f in result.fields.values())
    return validated, sum(f.confidence for f in result.fields.values())


# A first pass that validated these needs no second one.
_SETTLED = ("issue_date", "net_amount", "vat_amount", "gross_amount")


def _second_pass_languages(doc, memory, first, folder) -> tuple[str, ...]:
    """The supplier country's language and English, when the first pass lacked that
    language and left key fields unvalidated; else none."""
    result = extract(doc.reading, memory=memory, doc=doc)
    settled = all(name in result.fields and result.fields[name].validated for name in _SETTLED)
    if settled and "invoice_number" in result.fields:
        return ()
    country = ""
    for name in ("seller_vat_id", "iban"):
        found = result.fields.get(name)
        if found and found.validated:
            country = str(found.value)[:2].upper()
            break
    language = ocr.COUNTRY_LANGUAGES.get(country) or ocr.guess_language(doc.text)
    if not language or language in first:
        return ()
    chosen = ocr.usable((language, "eng"), folder)
    return chosen if language in chosen else ()


def _ocr_reading(source: _Source, languages, folder, method: str) -> Reading:
    pages = ocr.read_images(sorted(source.images.items()), languages, folder)
    ocr_words = dict(zip(sorted(source.images), pages, strict=True))
    return Reading(source.kind, _pages(source, ocr_words), method, tuple(languages))


def _pages(source: _Source, ocr_words: dict[int, tuple[Word, ...]]):
    return tuple(source.words.get(n) or ocr_words.get(n, ()) for n in range(1, source.count + 1))


def _load(data: bytes) -> _Source:
    kind = sniff_kind(data)
    if kind == "pdf":
        return _load_pdf(data)
    if kind in ("png", "jpeg", "tiff"):
        return _load_image(data, kind)
    if kind == "xml":
        raise UnreadableDocument(
            "unsupported_format", "XML is an e-invoice: it is imported, not digitized."
        )
    raise UnreadableDocument(
        "unsupported_format", "Not a PDF, PNG, JPEG or TIFF document (judged by its content)."
    )


def _load_pdf(data: bytes) -> _Source:
    with pdftext.open_pdf(data, MAX_PAGES) as document:
        source = _Source("pdf", len(document))
        for number in range(1, source.count + 1):
            page = document[number - 1]
            try:
                source.aspects[number] = pdftext.page_aspect(page)
                words = pdftext.page_words(page, number)
                if pdftext.has_text(words):
                    source.words[number] = words
                else:
                    source.images[number] = pdftext.render(page, max_pixels=MAX_IMAGE_PIXELS)
            except Exception as exc:  # pdfium raises on pages it cannot draw
                raise UnreadableDocument(
                    "broken_pdf", f"Page {number} cannot be read: {exc}"
                ) from None
            finally:
                page.close()
    return source


def _load_image(data: bytes, kind: str) -> _Source:
    try:
        from PIL import Image, ImageSequence
    except ImportError as exc:  # pragma: no cover - Pillow comes with tesserocr
        raise UnreadableDocument("unsupported_format", f"Pillow is missing: {exc}") from None
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise UnreadableDocument(
                "unsupported_format",
                f"The image has {image.width}×{image.height} pixels; at most "
                f"{MAX_IMAGE_PIXELS:,} are read.",
            )
        source = _Source(kind, 0)
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            if number > MAX_OCR_PAGES:
                raise UnreadableDocument(
                    "too_many_pages", f"The image has more than {MAX_OCR_PAGES} pages."
                )
            page = frame.convert("L")
            source.images[number] = page
            source.aspects[number] = page.height / max(page.width, 1)
            source.count = number
    except UnreadableDocument:
        raise
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise UnreadableDocument("unsupported_format", f"The image cannot be read: {exc}") from None
    return source
