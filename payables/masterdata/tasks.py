"""Background entry points of master data (django-tasks): ids in, one service call."""

from __future__ import annotations

from uuid import UUID

from django_tasks import task

from payables.masterdata.services.bulk import advance_bulk_job, fail_bulk_job


@task()
def run_bulk_job(job_id: str) -> None:
    """Advance a bulk load; the service queues the next run while work remains."""
    advance_bulk_job(UUID(job_id))


def give_up_bulk_job(job_id: str, *, reason: str) -> None:
    """Fail the job of a ``run_bulk_job`` the worker lease reaper gave up, with its reason."""
    fail_bulk_job(UUID(job_id), reason=reason)
