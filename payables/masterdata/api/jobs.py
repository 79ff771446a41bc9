"""Bulk job endpoints: how a load of master data is getting on."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router

from payables.masterdata.queries import get_bulk_job
from payables.masterdata.schemas import BulkJobOut
from payables.tenancy.auth import scoped

router = Router(tags=["jobs"])
read = scoped("masterdata:read")


@router.get("/{job_id}", response=BulkJobOut, auth=read)
def get(request: HttpRequest, job_id: UUID) -> object:
    """Show a bulk job: its state, counts, progress while it runs, and per-record errors.

    `processed` of `total` records are done; `errors` names each refused record by its
    `index` in the load and the field path `loc` within it (the first 1,000; `error_count`
    counts all).
    """
    return get_bulk_job(request.actor.company, job_id)
