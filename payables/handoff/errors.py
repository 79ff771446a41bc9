"""Errors of the hand-off to accounting."""

from __future__ import annotations

from payables.errors import Conflict, FieldError


class AlreadyBooked(Conflict):
    """The invoice is booked already, under another document (or a failure came after it)."""

    code = "invoice_already_booked"


class UnknownDocument(FieldError):
    """A report names an invoice or export this company does not have."""

    code = "unknown_document"
