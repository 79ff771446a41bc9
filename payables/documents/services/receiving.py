"""Taking documents in: upload locations and their PUTs, multipart and CLI uploads.

Whatever the channel, the bytes end in ``_store``: sniffed, hashed, kept in the storage
under the document's id, recognised when the company has the same bytes already, and the
document queued for its pipeline task after the commit.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from functools import partial
from uuid import UUID

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from payables.documents.errors import UploadNotReceived, UploadRefused
from payables.documents.locations import (
    BadToken,
    UploadGrant,
    is_s3,
    local_upload_url,
    read_upload_token,
    s3_upload_url,
)
from payables.documents.models import MAX_USERDATA_BYTES, Document, document_path
from payables.documents.services.outcomes import finish_failed
from payables.documents.sniffing import content_type_for, sniff_kind
from payables.errors import FieldError, Loc
from payables.events.services import lock_company_writes
from payables.tenancy.actors import Actor

logger = logging.getLogger(__name__)

MAX_FILENAME = 255


def check_userdata(userdata: str, *, loc: Loc) -> str:
    """Refuse user data over 1 KB (as UTF-8) or with NUL characters; return it as sent."""
    size = len(userdata.encode("utf-8", errors="surrogatepass"))
    if size > MAX_USERDATA_BYTES:
        raise FieldError(
            f"userdata has {size} bytes as UTF-8; at most {MAX_USERDATA_BYTES} are kept",
            loc=loc,
            code="userdata_too_long",
        )
    if "\x00" in userdata:
        raise FieldError("userdata must not contain NUL characters", loc=loc, code="string_nul")
    return userdata


def create_upload_location(
    *, actor: Actor, filename: str, userdata: str = ""
) -> tuple[Document, str, UploadGrant]:
    """Hand out a place to PUT one document's bytes: (document, URL, what the URL allows).

    The document waits in ``awaiting_upload`` until its bytes arrive: at payables' own
    ``/uploads/<token>`` (local storage), or in S3 (noticed by ``complete_upload`` or the
    worker's periodic check).
    """
    userdata = check_userdata(userdata, loc=["query", "userdata"])
    filename = _safe_filename(filename)
    expires_at = timezone.now() + timedelta(seconds=settings.PAYABLES_UPLOAD_URL_SECONDS)
    document = Document(
        company=actor.company,
        state=Document.State.AWAITING_UPLOAD,
        channel=Document.Channel.UPLOAD_URL,
        actor=actor.label,
        userdata=userdata,
        filename=filename,
        content_type=content_type_for(filename),
        upload_expires_at=expires_at,
    )
    document.save()
    grant = UploadGrant(
        document_id=str(document.id),
        company_id=str(document.company_id),
        content_type=document.content_type,
        max_bytes=settings.PAYABLES_DOCUMENT_MAX_BYTES,
        expires_at=expires_at,
    )
    if is_s3():
        url = s3_upload_url(document_path(document, filename), grant)
    else:
        url = local_upload_url(grant)
    return document, url, grant


def receive_upload(
    token: str, *, content_type: str, content_length: int | None, body: object
) -> Document:
    """Take a PUT to a local upload location, refusing what was not signed as S3 does.

    ``body`` is read in pieces (``read(size)``), never past the signed size limit.
    The same bytes PUT again (a client's retry) are accepted; other bytes are refused.
    """
    try:
        grant = read_upload_token(token)
    except BadToken:
        raise UploadRefused(
            "The request signature we calculated does not match the signature you provided.",
            http_status=403,
            s3_code="SignatureDoesNotMatch",
        ) from None
    if timezone.now() > grant.expires_at:
        raise UploadRefused("Request has expired", http_status=403, s3_code="AccessDenied")
    if content_type.split(";")[0].strip().lower() != grant.content_type:
        raise UploadRefused(
            f"The upload was signed for Content-Type {grant.content_type}, not "
            f"{content_type or '(none)'}.",
            http_status=403,
            s3_code="SignatureDoesNotMatch",
        )
    if content_length is None:
        raise UploadRefused(
            "You must provide the Content-Length HTTP header.",
            http_status=411,
            s3_code="MissingContentLength",
        )
    if content_length > grant.max_bytes:
        raise UploadRefused(
            f"Your proposed upload ({content_length} bytes) exceeds the maximum allowed "
            f"size of {grant.max_bytes} bytes.",
            http_status=400,
            s3_code="EntityTooLarge",
        )
    data = _read_exactly(body, content_length)
    document = Document.objects.filter(pk=grant.document_id, company_id=grant.company_id).first()
    if document is None:
        raise UploadRefused("The upload location is gone.", http_status=404, s3_code="NoSuchUpload")
    if document.state != Document.State.AWAITING_UPLOAD:
        if document.sha256 == hashlib.sha256(data).hexdigest():
            return document  # the client's retry of a PUT whose answer it lost
        raise UploadRefused(
            "This upload location took its document already.",
            http_status=403,
            s3_code="AccessDenied",
        )
    return _store(document, data)


def _read_exactly(body: object, length: int) -> bytes:
    """Read ``length`` bytes of the body; fewer is an incomplete upload."""
    parts, left = [], length
    while left > 0:
        part = body.read(min(left, 1024 * 1024))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    if left:
        raise UploadRefused(
            f"You did not provide the number of bytes specified by the Content-Length "
            f"HTTP header ({length}).",
            http_status=400,
            s3_code="IncompleteBody",
        )
    return b"".join(parts)


def receive_document(
    data: bytes,
    *,
    actor: Actor,
    filename: str = "",
    content_type: str = "",
    userdata: str = "",
    channel: str = Document.Channel.API,
) -> Document:
    """Take a document's bytes sent directly (multipart, web, CLI); queue its digitizing.

    A file over the size limit, or one that is no PDF, image or XML, becomes a failed
    document (its reason says why), so every file sent gets an answer of its own.
    """
    if len(data) > settings.PAYABLES_DOCUMENT_MAX_BYTES:
        return refuse_oversized(
            actor=actor,
            filename=filename,
            size=len(data),
            userdata=userdata,
            content_type=content_type,
            channel=channel,
        )
    userdata = check_userdata(userdata, loc=["form", "userdata"])
    document = Document.objects.create(
        company=actor.company,
        channel=channel,
        actor=actor.label,
        userdata=userdata,
        filename=_safe_filename(filename),
        content_type=content_type[:100],
    )
    return _store(document, data)


def refuse_oversized(
    *,
    actor: Actor,
    filename: str,
    size: int,
    userdata: str = "",
    content_type: str = "",
    channel: str = Document.Channel.API,
) -> Document:
    """Record a file too large to read (its size known beforehand): a failed document."""
    userdata = check_userdata(userdata, loc=["form", "userdata"])
    document = Document.objects.create(
        company=actor.company,
        channel=channel,
        actor=actor.label,
        userdata=userdata,
        filename=_safe_filename(filename),
        content_type=content_type[:100],
        size=size,
    )
    limit = settings.PAYABLES_DOCUMENT_MAX_BYTES
    message = f"The file has {size} bytes; the limit is {limit}."
    return finish_failed(document, reason="too_large", message=message)


def complete_upload(document: Document) -> Document:
    """Notice that the bytes of a document arrived in S3 (the client says so, or the sweep).

    With local storage a PUT completes its upload itself; a document still waiting for
    its bytes there is refused (409 ``upload_not_received``).
    """
    if document.state != Document.State.AWAITING_UPLOAD:
        return document
    name = document_path(document, document.filename)
    if not is_s3() or not default_storage.exists(name):
        raise UploadNotReceived()
    size = default_storage.size(name)
    limit = settings.PAYABLES_DOCUMENT_MAX_BYTES
    if size > limit:
        default_storage.delete(name)
        document.size = size
        message = f"The upload has {size} bytes; the limit is {limit}."
        return finish_failed(document, reason="too_large", message=message)
    with default_storage.open(name, "rb") as stored:
        data = stored.read()
    return _store(document, data, stored_as=name)


def check_arrived_uploads(*, limit: int = 100) -> int:
    """With S3 storage: complete the uploads that arrived, expire those never made.

    Returns how many documents changed. Local storage needs no check: a PUT completes.
    """
    waiting = Document.objects.filter(state=Document.State.AWAITING_UPLOAD).order_by("created_at")
    changed = 0
    for document in waiting[:limit]:
        try:
            complete_upload(document)
            changed += 1
        except UploadNotReceived:
            if document.upload_expires_at and document.upload_expires_at < timezone.now():
                finish_failed(
                    document,
                    reason="upload_expired",
                    message="Nothing was uploaded before the upload location expired.",
                    in_feed=False,
                )
                changed += 1
    return changed


def _store(document: Document, data: bytes, *, stored_as: str = "") -> Document:
    """Keep the bytes, recognise a duplicate, and queue the document's digitizing."""
    sha256 = hashlib.sha256(data).hexdigest()
    kind = sniff_kind(data)
    document.size, document.sha256, document.kind = len(data), sha256, kind
    if not kind:
        document.save(update_fields=["size", "sha256", "kind", "modified_at"])
        what = "an empty file" if not data else "not a PDF, PNG, JPEG, TIFF or XML document"
        return finish_failed(document, reason="unsupported_format", message=f"The file is {what}.")
    original = _same_bytes(document, sha256)
    if original is not None:
        return _finish_duplicate(document, original)
    if not stored_as:
        # Written before the row commits: a rollback can leave an orphan file, never a
        # document without its file.
        document.file.save(str(document.id), ContentFile(data), save=False)
    else:
        document.file.name = stored_as
    try:
        with transaction.atomic():
            lock_company_writes(document.company)
            document.state = Document.State.UPLOADED
            document.uploaded_at = timezone.now()
            document.save()
            transaction.on_commit(partial(_queue, document.pk))
    except IntegrityError:  # the same bytes were stored concurrently
        original = _same_bytes(document, sha256)
        if original is None:
            raise
        document.file.delete(save=False)
        return _finish_duplicate(document, original)
    logger.info("Document %s received: %s, %d bytes", document.pk, kind, len(data))
    return document


def _same_bytes(document: Document, sha256: str) -> Document | None:
    return (
        Document.objects.for_company(document.company)
        .filter(sha256=sha256)
        .exclude(state=Document.State.FAILED)
        .exclude(pk=document.pk)
        .first()
    )


def _finish_duplicate(document: Document, original: Document) -> Document:
    document.duplicate_of = original
    document.invoice_id = original.invoice_id
    message = f"The same bytes were uploaded before as document {original.id}."
    return finish_failed(document, reason="duplicate", message=message)


def _queue(document_id: UUID) -> None:
    # Imported here: the task module imports the services, as a doorway imports its service.
    from payables.documents.tasks import digitize_document

    digitize_document.enqueue(str(document_id))


def _safe_filename(filename: str) -> str:
    """The file's own name, without folders or control characters, at most 255 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return name.strip()[:MAX_FILENAME]


def queue_upload_check() -> bool:
    """Queue the periodic check for uploads that arrived in S3, unless one is queued.

    Only with S3 storage (a local upload location completes its own upload) and a task
    backend that can defer; False when none was queued.
    """
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from payables.documents.tasks import check_uploads

    backend = check_uploads.get_backend()
    if not is_s3() or not backend.supports_defer:
        return False
    if (
        isinstance(backend, DatabaseBackend)
        and DBTaskResult.objects.filter(
            task_path=check_uploads.module_path, status="READY"
        ).exists()
    ):
        return False
    run_after = timezone.now() + timedelta(seconds=settings.PAYABLES_UPLOAD_SWEEP_SECONDS)
    check_uploads.using(run_after=run_after).enqueue()
    return True
