"""Background entry points of the documents app (django-tasks): ids in, one service call."""

from __future__ import annotations

from uuid import UUID

from django_tasks import task

from payables.documents.services import (
    check_arrived_uploads,
    process_document,
    queue_upload_check,
)
from payables.documents.services import (
    give_up_document as fail_abandoned_document,
)


@task()
def digitize_document(document_id: str) -> str:
    """Read an uploaded document; it ends digitized (maybe with its invoice) or failed."""
    return process_document(UUID(document_id)).state


def give_up_document(document_id: str, *, reason: str) -> None:
    """Fail the document of a ``digitize_document`` the worker lease reaper gave up."""
    fail_abandoned_document(UUID(document_id), reason=reason)


@task()
def check_uploads() -> int:
    """With S3 storage: take in the uploads that arrived; queues the next check first."""
    queue_upload_check()
    return check_arrived_uploads()
