"""Scans through OCR: generated from corpus pages and from a generated invoice, skewed and
noisy, read with Tesseract (skipped, saying why, where its language data is absent)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image

from payables.digitize import ACCEPT_CONFIDENCE, digitize
from payables.digitize.tests.documents import corpus_file, estonian_invoice, scan, text_pdf

pytestmark = pytest.mark.usefixtures("tesseract")


def test_a_skewed_noisy_scan_of_a_corpus_page_gives_its_key_fields():
    image = scan(corpus_file("zugferdv2-correct-MustangGnuaccountingBeispielRE-20201121_508.pdf"))
    result = digitize(image, languages=("deu", "eng"))

    assert (result.kind, result.method, result.languages) == ("png", "ocr", ("deu", "eng"))
    fields = result.fields
    assert fields["iban"].value == "DE88200800000970375700" and fields["iban"].validated
    assert fields["gross_amount"].value == Decimal("571.04")
    assert fields["issue_date"].value == date(2020, 11, 21)
    assert fields["invoice_number"].value == "RE-20201121/508"
    assert all(0 <= v <= 1 for v in fields["gross_amount"].box)


def test_a_scanned_estonian_invoice_is_read_in_estonian_and_validated():
    result = digitize(scan(text_pdf(estonian_invoice()), fmt="JPEG", angle=-1.2))

    assert "est" in result.languages
    fields = result.fields
    for name, value in {
        "iban": "EE382200221020145685",
        "payment_reference": "1234561",
        "gross_amount": Decimal("122.00"),
        "due_date": date(2024, 3, 19),
    }.items():
        assert fields[name].value == value, name
        assert fields[name].confidence >= ACCEPT_CONFIDENCE, name


@pytest.mark.slow  # two pages of OCR: about 4 s of CPU
def test_a_multi_page_tiff_is_read_page_by_page():
    page = scan(text_pdf(estonian_invoice()), fmt="TIFF")

    first = Image.open(io.BytesIO(page))
    out = io.BytesIO()
    first.save(out, "TIFF", save_all=True, append_images=[first.copy()])
    result = digitize(out.getvalue(), languages=("est", "eng"))

    assert (result.kind, result.pages) == ("tiff", 2)
    assert result.text.count("\f") == 1


def test_a_scanned_pdf_without_a_text_layer_goes_through_ocr():
    image = Image.open(io.BytesIO(scan(text_pdf(estonian_invoice()))))
    out = io.BytesIO()
    image.save(out, "PDF", resolution=300)
    result = digitize(out.getvalue(), languages=("est", "eng"))

    assert (result.kind, result.method, result.pages) == ("pdf", "ocr", 1)
    assert result.fields["iban"].value == "EE382200221020145685"
