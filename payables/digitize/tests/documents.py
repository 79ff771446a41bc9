"""Invoice documents made in the tests: a text PDF written by hand (Helvetica, WinAnsi), its
page rendered as a scan (skewed, noisy), and corpus files when the shared corpus is there."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
FACTURX = CORPUS / "facturx-pdf" / "zugferd-corpus"

Line = tuple[float, float, str]  # x, y in points from the top-left of an A4 page, text


def corpus_file(name: str) -> bytes:
    path = FACTURX / name
    if not path.exists():
        pytest.skip(f"the shared corpus is absent ({path} not found)")
    return path.read_bytes()


def text_pdf(lines: list[Line], *, size: float = 10) -> bytes:
    """A one-page A4 PDF whose text layer holds ``lines`` (Latin-1 text)."""
    height = 842
    content = "\n".join(
        f"BT /F1 {size} Tf {x:.1f} {height - y:.1f} Td ({_escape(text)}) Tj ET"
        for x, y, text in lines
    ).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def scan(pdf: bytes, *, angle: float = 1.5, fmt: str = "PNG", seed: int = 1) -> bytes:
    """The PDF's pages rendered at 300 dpi as a scan: skewed, grainy, a little blurred.

    Several pages become a multi-page TIFF.
    """
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    random.seed(seed)
    document = pdfium.PdfDocument(pdf)
    pages = []
    for page in document:
        image = page.render(scale=300 / 72, grayscale=True).to_pil().convert("L")
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        noise = Image.effect_noise(image.size, 40)
        pages.append(Image.blend(image, noise, 0.12).filter(ImageFilter.GaussianBlur(0.5)))
    document.close()
    out = io.BytesIO()
    if len(pages) > 1 or fmt == "TIFF":
        pages[0].save(
            out, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate"
        )
    else:
        pages[0].save(out, fmt)
    return out.getvalue()


def estonian_invoice(**changes: str) -> list[Line]:
    """An Estonian supplier's invoice (values valid: checksums hold, amounts add up)."""
    values = {
        "number": "2024-0117",
        "date": "05.03.2024",
        "due": "19.03.2024",
        "net": "100,00",
        "vat": "22,00",
        "gross": "122,00",
        "reference": "1234561",
        "iban": "EE38 2200 2210 2014 5685",
        "vat_id": "EE100931558",
        "registry": "10137319",
    } | changes
    return [
        (50, 60, "Puidukoda OÜ"),
        (50, 74, "Registrikood: " + values["registry"]),
        (50, 88, "KMKR: " + values["vat_id"]),
        (350, 60, "ARVE"),
        (350, 80, "Arve nr: " + values["number"]),
        (350, 94, "Kuupäev: " + values["date"]),
        (350, 108, "Maksetähtaeg: " + values["due"]),
        (350, 122, "Viitenumber: " + values["reference"]),
        (50, 150, "Ostja:"),
        (50, 164, "Metsatööd AS"),
        (50, 220, "Kirjeldus"),
        (300, 220, "Kogus"),
        (400, 220, "Summa"),
        (50, 236, "Laudade saagimine"),
        (300, 236, "1"),
        (400, 236, values["net"]),
        (300, 300, "Summa km-ta"),
        (450, 300, values["net"]),
        (300, 314, "Käibemaks 22%"),
        (450, 314, values["vat"]),
        (300, 328, "Kokku EUR"),
        (450, 328, values["gross"]),
        (50, 760, "IBAN: " + values["iban"] + "   BIC: HABAEE2X"),
    ]
