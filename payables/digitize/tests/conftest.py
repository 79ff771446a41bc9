"""Fixtures of the digitization tests: whether OCR can run here."""

from __future__ import annotations

import pytest

from payables.digitize.ocr import available_languages


@pytest.fixture
def tesseract() -> None:
    """Skip, saying why, where Tesseract's language data is not installed (CI installs it)."""
    if "eng" not in available_languages():
        pytest.skip(
            "Tesseract language data is not installed (apt-get install tesseract-ocr "
            "tesseract-ocr-eng ...; .ci/run does it)"
        )
