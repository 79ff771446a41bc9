"""Every write of the documents app: one public function per business action."""

from __future__ import annotations

from payables.documents.services.outcomes import finish_failed, keep_feed_parts
from payables.documents.services.pipeline import finish_read, give_up_document, process_document
from payables.documents.services.receiving import (
    check_arrived_uploads,
    complete_upload,
    create_upload_location,
    queue_upload_check,
    receive_document,
    receive_upload,
    refuse_oversized,
)
from payables.documents.services.review import review_document

__all__ = [
    "check_arrived_uploads",
    "complete_upload",
    "create_upload_location",
    "finish_failed",
    "finish_read",
    "give_up_document",
    "keep_feed_parts",
    "process_document",
    "queue_upload_check",
    "receive_document",
    "receive_upload",
    "refuse_oversized",
    "review_document",
]
