"""The digitization engine: PDFs and scans in, invoice fields with confidences out.

Pure Python (pypdfium2 for the text layer, tesserocr for OCR, python-stdnum and schwifty for
validation): no Django import anywhere in this package; the documents app drives it.

- ``sniff_kind(data)``: what the bytes are (content, not names);
- ``digitize(data, *, memory=None, languages=None, tessdata=None) -> Digitized``;
- ``learn(data, values) -> memory``: where corrected values stand, for supplier memory.
"""

from __future__ import annotations

from payables.digitize.engine import digitize
from payables.digitize.errors import DigitizeError, EngineMissing, UnreadableDocument
from payables.digitize.memory import learn
from payables.digitize.model import (
    ACCEPT_CONFIDENCE,
    FIELD_NAMES,
    KEY_FIELDS,
    Digitized,
    Field,
)
from payables.digitize.sniff import sniff_kind

__all__ = [
    "ACCEPT_CONFIDENCE",
    "FIELD_NAMES",
    "KEY_FIELDS",
    "DigitizeError",
    "Digitized",
    "EngineMissing",
    "Field",
    "UnreadableDocument",
    "digitize",
    "learn",
    "sniff_kind",
]
