"""Reads of the documents app, scoped to the companies the caller serves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Case, F, JSONField, QuerySet, When

from payables.documents.errors import DocumentNotFound
from payables.documents.feed_page import FEED_PARTS_VERSION, UNKEPT
from payables.documents.models import FEED_SOURCES, Document
from payables.events.feeds import Feed, FeedPage, decode_time_and_id, encode_time_and_id, read_feed
from payables.tenancy.models import Company

# Ordered by (digitized_at, id), stamped from the feed's clock: commit order, even across
# the companies of an accounting office's key.
DIGITIZED = Feed(keys=("digitized_at", "id"), encode=encode_time_and_id, decode=decode_time_and_id)


def documents_of(companies: Sequence[Company]) -> QuerySet[Document]:
    return Document.objects.filter(company__in=companies).select_related("company")


def get_document(companies: Sequence[Company], document_id: UUID) -> Document:
    """A document of one of the companies by id; another company's is not found."""
    document = documents_of(companies).filter(pk=document_id).first()
    if document is None:
        raise DocumentNotFound()
    return document


def find_documents(
    companies: Sequence[Company],
    *,
    state: str | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> QuerySet[Document]:
    """The companies' documents, newest first, filtered."""
    documents = documents_of(companies)
    bounds = {"state": state, "created_at__gt": created_after, "created_at__lt": created_before}
    documents = documents.filter(**{k: v for k, v in bounds.items() if v is not None})
    return documents.order_by("-created_at", "-id")


def digitized_after(
    companies: Sequence[Company], cursor: str | None, *, limit: int
) -> FeedPage[Document]:
    """The companies' documents whose reading ended (read or failed), after the cursor."""
    rows = documents_of(companies).filter(digitized_at__isnull=False)
    return read_feed(DIGITIZED, rows, cursor, limit=limit)


# What a page of the digitized feed shows of a document, read as plain values (not its
# text or file): ``feed_page`` writes the page from them.
FEED_VALUES = (
    "id", "company_id", "company__registry_code", "state", "channel", "userdata",
    "filename", "content_type", "kind", "size", "sha256", "method", "pages", "languages",
    "feed_parts", "feed_parts_version", "failure_reason", "failure_message",
    "invoice_id", "duplicate_of_id", "upload_expires_at", "uploaded_at", "digitized_at",
    "created_at", "modified_at",
)  # fmt: skip


def digitized_values_after(
    companies: Sequence[Company], cursor: str | None, *, limit: int
) -> FeedPage[dict[str, Any]]:
    """As ``digitized_after``, each document as a dict of ``FEED_VALUES``, in one statement:
    its stored feed parts, and only where those are out of date the values they are
    written from (as ``unkept_fields`` … ``unkept_findings``; None for the others)."""
    unkept = {
        f"{UNKEPT}{name}": Case(
            When(feed_parts_version=FEED_PARTS_VERSION, then=None),
            default=F(name),
            output_field=JSONField(),
        )
        for name in sorted(FEED_SOURCES)
    }
    rows = Document.objects.filter(company__in=companies, digitized_at__isnull=False)
    rows = rows.annotate(**unkept).values(*FEED_VALUES, *unkept)
    return read_feed(DIGITIZED, rows, cursor, limit=limit)
