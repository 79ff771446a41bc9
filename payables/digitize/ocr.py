"""OCR with Tesseract (tesserocr, whose wheel bundles libtesseract) and Debian's language data.

Page segmentation mode 6 (one uniform block): the default mode splits label and value
columns into separate blocks and loses the pairs. One thread per task (OMP_THREAD_LIMIT=1):
a worker reads one page at a time and several workers share the cores. Language data
comes from the system (``tesseract-ocr-<lang>`` packages); nothing is downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from payables.digitize.errors import EngineMissing
from payables.digitize.model import Word
from payables.digitize.values import fold

# Where the language data is looked for, first match wins: the ``tessdata`` argument, then
# these environment variables, then Debian's and other distributions' directories.
TESSDATA_ENV = ("PAYABLES_TESSDATA", "TESSDATA_PREFIX")
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
# Languages by the country of a VAT id or IBAN prefix (Tesseract codes).
COUNTRY_LANGUAGES = {
    "EE": "est",
    "FI": "fin",
    "LT": "lit",
    "LV": "lav",
    "PL": "pol",
    "DE": "deu",
    "AT": "deu",
    "CH": "deu",
    "SE": "swe",
    "FR": "fra",
    "BE": "fra",
    "LU": "fra",
    "RU": "rus",
}
# Words that give a document's language away when no VAT id or IBAN tells the country:
# invoice vocabulary, folded (lower case, no diacritics) as OCR without the language reads it.
LANGUAGE_WORDS = {
    "deu": "rechnung rechnungsdatum datum betrag summe steuer ust mwst gmbh straße netto "
    "brutto zahlbar bis lieferant kunde bestellung umsatzsteuer",
    "fra": "facture date total ttc ht tva montant echeance client reglement remise",
    "fin": "lasku laskun erapaiva viitenumero alv yhteensa maksettava paivays summa",
    "est": "arve kuupaev maksetahtaeg viitenumber kaibemaks summa kokku tasuda",
    "lav": "rekins rekina datums pvn summa kopa apmaksai samaksat",
    "lit": "saskaita saskaitos data pvm suma moketi viso",
    "pol": "faktura data nip razem netto brutto zaplaty sprzedawca nabywca",
    "swe": "faktura fakturadatum moms summa forfallodatum betala totalt",
    "rus": "счет счет-фактура итого ндс сумма дата оплате",
}
_VOCABULARIES = {lang: frozenset(words.split()) for lang, words in LANGUAGE_WORDS.items()}
# The first pass over a scan whose supplier is not known yet.
FIRST_PASS = ("est", "eng")
# Images are scaled so that an A4 page is about this wide (300 dpi); small scans read badly.
TARGET_WIDTH = 2480


def tessdata_dir(tessdata: str | None = None) -> Path | None:
    """The directory holding ``*.traineddata``, or None when Tesseract has no data here."""
    if tessdata is not None:
        candidates: Sequence[str] = (tessdata,)
    else:
        candidates = [os.environ[name] for name in TESSDATA_ENV if os.environ.get(name)]
        candidates = candidates[:1] or TESSDATA_DIRS
    for candidate in candidates:
        path = Path(candidate)
        for folder in (path, path / "tessdata"):
            if folder.is_dir() and any(folder.glob("*.traineddata")):
                return folder
    return None


def available_languages(tessdata: str | None = None) -> tuple[str, ...]:
    folder = tessdata_dir(tessdata)
    if folder is None:
        return ()
    return tuple(sorted(p.stem for p in folder.glob("*.traineddata") if p.stem != "osd"))


def require_engine(tessdata: str | None = None) -> Path:
    """The language data directory, or EngineMissing when OCR cannot run here."""
    folder = tessdata_dir(tessdata)
    if folder is None:
        raise EngineMissing(
            "ocr_engine_missing",
            "This document needs OCR, and no Tesseract language data is installed "
            "(apt-get install tesseract-ocr tesseract-ocr-eng ...).",
        )
    if not (folder / "eng.traineddata").exists():
        raise EngineMissing("ocr_engine_missing", f"No English language data in {folder}.")
    try:
        _tesserocr()
    except ImportError as exc:
        raise EngineMissing("ocr_engine_missing", f"tesserocr cannot be loaded: {exc}") from None
    return folder


def usable(languages: Sequence[str], folder: Path) -> tuple[str, ...]:
    """The requested languages that have data here (English always, as the fallback)."""
    have = {p.stem for p in folder.glob("*.traineddata")}
    chosen = tuple(dict.fromkeys(lang for lang in languages if lang in have))
    return chosen or ("eng",)


def read_images(images: Sequence, languages: Sequence[str], folder: Path) -> list[tuple[Word, ...]]:
    """The words of each page image (one engine for all pages: loading a model costs time)."""
    tesserocr = _tesserocr()
    with tesserocr.PyTessBaseAPI(
        path=str(folder), lang="+".join(languages), psm=tesserocr.PSM.SINGLE_BLOCK
    ) as api:
        api.SetVariable("user_defined_dpi", "300")
        return [_read(api, tesserocr, image, number) for number, image in images]


def _read(api, tesserocr, image, page: int) -> tuple[Word, ...]:
    image = _prepared(image)
    width, height = image.size
    api.SetImage(image)
    api.Recognize()
    level = tesserocr.RIL.WORD
    words, line = [], -1
    for word in tesserocr.iterate_level(api.GetIterator(), level):
        if word.IsAtBeginningOf(tesserocr.RIL.TEXTLINE):
            line += 1
        text = as_digits((word.GetUTF8Text(level) or "").strip())
        box = word.BoundingBox(level)
        if not text or box is None:
            continue
        x0, y0, x1, y1 = box
        words.append(
            Word(
                text,
                page,
                (x0 / width, y0 / height, x1 / width, y1 / height),
                confidence=max(word.Confidence(level), 0.0) / 100,
                line=max(line, 0),
            )
        )
    return tuple(words)


_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})


def as_digits(text: str) -> str:
    """A number OCR read with letters for digits ("2O2O-11-21", "1l7,50") as digits.

    >>> as_digits("2O2O-11-21"), as_digits("1l7,50"), as_digits("Of"), as_digits("DE88")
    ('2020-11-21', '117,50', 'Of', 'DE88')
    """
    lookalikes = sum(ch in "OoIl|" for ch in text)
    digits = sum(ch.isdigit() for ch in text)
    if lookalikes and digits >= 3 and digits >= 2 * lookalikes:
        return text.translate(_DIGIT_LOOKALIKES)
    return text


def guess_language(text: str) -> str:
    """The language whose invoice words a text holds most (at least three), else ""."""
    words = [word.strip(".,:;()") for word in fold(text).split()]
    counts = {
        lang: sum(1 for word in words if word in vocabulary)
        for lang, vocabulary in _VOCABULARIES.items()
    }
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] >= 3 else ""


def _prepared(image):
    """Greyscale, scaled up when small (Tesseract wants ~300 dpi text), speckle removed
    (3×3 median) and thresholded at Otsu's level: on grainy scans this recovers digits
    that Tesseract's own binarisation loses to the noise."""
    from PIL import Image, ImageFilter

    image = image.convert("L")
    if image.width < TARGET_WIDTH * 0.7:
        factor = TARGET_WIDTH / image.width
        image = image.resize(
            (round(image.width * factor), round(image.height * factor)), Image.Resampling.LANCZOS
        )
    image = image.filter(ImageFilter.MedianFilter(3))
    level = otsu_level(image.histogram())
    return image.point(lambda v: 255 if v > level else 0)


def otsu_level(histogram: list[int]) -> int:
    """The grey level that best splits a histogram into ink and paper (Otsu's method).

    >>> otsu_level([0] * 40 + [100] + [0] * 160 + [900] + [0] * 54)
    40
    """
    total = sum(histogram)
    weighted = sum(i * count for i, count in enumerate(histogram))
    below = below_weighted = 0
    best, level = -1.0, 127
    for i, count in enumerate(histogram):
        below += count
        if below == 0 or below == total:
            continue
        below_weighted += i * count
        above = total - below
        mean_below = below_weighted / below
        mean_above = (weighted - below_weighted) / above
        between = below * above * (mean_below - mean_above) ** 2
        if between > best:
            best, level = between, i
    return level


def _tesserocr():
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # read once, when libtesseract loads
    import tesserocr

    return tesserocr
