"""Refusals of the documents app, each with a stable code."""

from __future__ import annotations

from payables.errors import Conflict, NotFound, PayablesError


class DocumentNotFound(NotFound):
    """No such document in the companies the caller serves."""

    code = "document_not_found"
    default_message = "Document not found."


class UploadNotReceived(Conflict):
    """The document's bytes have not arrived at its upload location (yet)."""

    code = "upload_not_received"
    default_message = "Nothing was uploaded to the document's upload location yet."


class DocumentNotReviewable(Conflict):
    """The document is not waiting for review (still being read, failed, or done)."""

    code = "document_not_reviewable"


class UploadRefused(Exception):
    """A PUT to an upload location that does not match what was signed (S3's answers).

    Not an API error: the upload location answers it as S3 would, with ``http_status``
    and the S3 error code ``s3_code`` (``SignatureDoesNotMatch``, ``AccessDenied``,
    ``EntityTooLarge``, …).
    """

    def __init__(self, message: str, *, http_status: int, s3_code: str) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.s3_code = s3_code


class DigitizingFailed(PayablesError):
    """A document that cannot be read: ``reason`` names why (``ocr_engine_missing``, …)."""

    code = "digitizing_failed"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, code=reason)
        self.reason = reason
