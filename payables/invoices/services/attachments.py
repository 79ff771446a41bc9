"""Attach files and links to invoices. Files are kept byte-exact with their SHA-256."""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from payables.errors import FieldError, PayloadTooLarge
from payables.events import event_types
from payables.events.services import lock_company_writes, record_event
from payables.invoices.models import Attachment, Invoice
from payables.invoices.trail import add_audit_entry
from payables.tenancy.actors import Actor
from payables.tenancy.services import take_next_value

URL_IGNORED = "A file and a URL were both given; the file was stored and the URL ignored."
# The counter of the attachments' ``internal_id``s, per company.
ATTACHMENT_COUNTER = "attachment"


@dataclass(frozen=True)
class AddedAttachment:
    attachment: Attachment
    warnings: list[str] = field(default_factory=list)


def add_attachment(
    invoice: Invoice,
    *,
    actor: Actor,
    content: bytes | None = None,
    url: str | None = None,
    filename: str = "",
    content_type: str = "",
    is_original: bool = False,
) -> AddedAttachment:
    """Attach a file, or a link when no file is given (a file wins over a link).

    Links are shown as related documents and never fetched.
    """
    if content is None and not url:
        raise FieldError("Give a file (content) or a url.", loc=["content_base64"], code="missing")
    warnings = [URL_IGNORED] if content is not None and url else []
    if content is not None:
        limit = settings.PAYABLES_MAX_ATTACHMENT_BYTES
        if len(content) > limit:
            raise PayloadTooLarge(f"The file has {len(content)} bytes; the limit is {limit}.")
        attachment = Attachment(
            invoice=invoice,
            kind=Attachment.Kind.FILE,
            filename=stored_filename(filename),
            content_type=content_type or _guess_type(filename),
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            is_original=is_original,
        )
    else:
        attachment = Attachment(
            invoice=invoice,
            kind=Attachment.Kind.URL,
            filename=safe_filename(filename),
            content_type=content_type,
            url=url,
            is_original=is_original,
        )
    with transaction.atomic():
        lock_company_writes(actor.company)
        attachment.internal_id = take_next_value(invoice.company, ATTACHMENT_COUNTER)
        if content is not None:
            # Written before the row commits: a rollback can leave an orphan file, never
            # a row without its file.
            attachment.file.save(str(attachment.id), ContentFile(content), save=False)
        attachment.save()
        add_audit_entry(
            invoice, actor, "attachment_added", comment=attachment.filename or url or ""
        )
        record_event(
            event_types.ATTACHMENT_ADDED,
            actor=actor,
            subject_type="invoice",
            subject_id=invoice.id,
            payload={
                "invoice_id": str(invoice.id),
                "attachment_id": str(attachment.id),
                "kind": attachment.kind,
                "filename": attachment.filename,
                "sha256": attachment.sha256,
            },
        )
    return AddedAttachment(attachment=attachment, warnings=warnings)


def decode_base64_content(value: str, *, loc: list) -> bytes:
    """Decode base64 file content strictly, pointing at the field when it is not base64."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise FieldError("Not valid base64.", loc=loc, code="invalid_base64") from None


def read_attachment(attachment: Attachment) -> bytes:
    """Return a file attachment's stored bytes."""
    with attachment.file.open("rb") as handle:
        return handle.read()


def safe_filename(name: str) -> str:
    """Keep only the last path part, so a name can never point elsewhere.

    >>> safe_filename("..\\\\evil/../../etc/passwd "), safe_filename("")
    ('passwd', '')
    """
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]


def stored_filename(name: str) -> str:
    """The name a file attachment is stored under (never empty)."""
    return safe_filename(name) or "attachment"


def _guess_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"
