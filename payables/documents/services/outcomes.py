"""How a document's reading ends: digitized (with or without its invoice) or failed.

Each ending is one transaction that stamps the document's place in the digitized feed
(``digitized_at``, from the feed's clock: commit order across companies) and records its
event, ``document.digitized`` or ``document.failed``, whose webhooks go out through the
outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from uuid import UUID

from django.db import transaction

from payables.documents.feed_page import FEED_PARTS_VERSION, parts_json
from payables.documents.models import FEED_SOURCES, Document
from payables.events import event_types
from payables.events.feeds import next_feed_time
from payables.events.services import lock_company_writes, record_event
from payables.tenancy.actors import Actor
from payables.tenancy.queries import company_code

logger = logging.getLogger(__name__)

DIGITIZED_FEED = "digitized"
# States a document's reading has ended in: nothing changes them any more but a review.
FINISHED = frozenset(
    {Document.State.DIGITIZED, Document.State.FAILED, Document.State.INVOICE_CREATED}
)


def finish_failed(
    document: Document,
    *,
    reason: str,
    message: str,
    findings: list[dict] | None = None,
    in_feed: bool = True,
) -> Document:
    """End the document as failed with ``reason``; its uploader learns it from the feed and
    the ``document.failed`` webhook (``in_feed`` False: an upload never made, no event)."""
    with transaction.atomic():
        lock_company_writes(document.company)
        stored = locked_document(document)
        if stored.state in FINISHED:
            return stored
        stored.state = Document.State.FAILED
        stored.failure_reason = reason
        stored.failure_message = message[:2000]
        stored.findings = findings or []
        for name in ("size", "sha256", "kind", "duplicate_of_id", "invoice_id"):
            setattr(stored, name, getattr(document, name))
        if in_feed:
            stored.digitized_at = next_feed_time(DIGITIZED_FEED)
        stored.save()
        keep_feed_parts([stored.pk])
        if in_feed:
            record_event(
                event_types.DOCUMENT_FAILED,
                actor=uploader(stored),
                subject_type="document",
                subject_id=stored.id,
                payload=document_snapshot(stored),
            )
    logger.info("Document %s failed: %s", stored.pk, reason)
    return stored


def keep_feed_parts(document_ids: Collection[UUID], *, chunk: int = 100) -> None:
    """Write the digitized feed's parts of these documents (``Document.feed_parts``) from
    what the database gives back of the values they show: PostgreSQL orders an object's
    keys its own way, and the feed gives them in that order.

    The rows are locked while their values are read and their parts written, so a change
    saved meanwhile puts the parts out of date after them, never before. In chunks of 100:
    ``bulk_update`` writes a CASE over the chunk for each row, so larger ones cost more.
    """
    ids = list(document_ids)
    for start in range(0, len(ids), chunk):
        with transaction.atomic(savepoint=False):
            rows = Document.objects.select_for_update().filter(pk__in=ids[start : start + chunk])
            kept = [
                Document(
                    id=values.pop("id"),
                    feed_parts=parts_json(**values),
                    feed_parts_version=FEED_PARTS_VERSION,
                )
                for values in rows.values("id", *sorted(FEED_SOURCES))
            ]
            Document.objects.bulk_update(kept, ["feed_parts", "feed_parts_version"])


def locked_document(document: Document) -> Document:
    return Document.objects.select_for_update().select_related("company").get(pk=document.pk)


def uploader(document: Document) -> Actor:
    """The uploader: the document's events (and its invoice's) are theirs."""
    return Actor(company=document.company, label=document.actor)


def document_snapshot(document: Document) -> dict:
    """What the document's events carry (built here, never from an API schema)."""
    return {
        "id": str(document.id),
        "company_code": company_code(document.company),
        "state": document.state,
        "filename": document.filename,
        "kind": document.kind,
        "sha256": document.sha256,
        "userdata": document.userdata,
        "method": document.method,
        "fields": {
            name: {
                "value": field.get("value"),
                "confidence": field.get("confidence"),
                "validated": field.get("validated", False),
                "page": field.get("page"),
                "box": field.get("box"),
            }
            for name, field in document.fields.items()
        },
        "invoice_id": str(document.invoice_id) if document.invoice_id else None,
        "duplicate_of": str(document.duplicate_of_id) if document.duplicate_of_id else None,
        "failure_reason": document.failure_reason,
        "failure_message": document.failure_message,
        "digitized_at": document.digitized_at.isoformat() if document.digitized_at else None,
    }
