"""Errors the e-invoice engine raises: always with findings a person can act on."""

from __future__ import annotations

from collections.abc import Sequence

from payables.einvoice.model import Finding


class EInvoiceError(ValueError):
    """A document that cannot be read; ``findings`` say why and where."""

    rule_id = "PAY-DOC"

    def __init__(
        self, message: str, *, findings: Sequence[Finding] = (), location: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.findings = tuple(findings) or (
            Finding(rule_id=self.rule_id, severity="fatal", message=message, location=location),
        )


class UnsupportedFormat(EInvoiceError):
    """The bytes are not a document of any format payables reads."""

    rule_id = "PAY-FORMAT"


class MalformedDocument(EInvoiceError):
    """The document is not well-formed, or lacks what its format requires."""

    rule_id = "PAY-XML"


class LimitExceeded(EInvoiceError):
    """The document is larger, deeper or has more elements than ParseLimits allow."""

    rule_id = "PAY-LIMIT"


class UnsafeDocument(EInvoiceError):
    """The document uses XML features that are refused (DTDs, entities)."""

    rule_id = "PAY-UNSAFE"
