"""Why a document cannot be digitized: a stable ``reason`` code and a message for people."""

from __future__ import annotations


class DigitizeError(Exception):
    """Base: ``reason`` is the code a document's ``failed(reason)`` state carries."""

    reason = "digitize_failed"

    def __init__(self, reason: str | None = None, message: str = "") -> None:
        if reason:
            self.reason = reason
        self.message = message or self.reason.replace("_", " ")
        super().__init__(self.message)


class EngineMissing(DigitizeError):
    """The document needs OCR and the OCR engine (or its language data) is not installed."""

    reason = "ocr_engine_missing"


class UnreadableDocument(DigitizeError):
    """Encrypted, broken, too long, or not a format the engine reads."""

    reason = "unsupported_format"  # or encrypted_pdf, broken_pdf, too_many_pages
