"""Helpers of the bulk load tests: submitting loads and running them with the real worker
(``payables.tests.task_worker``)."""

from __future__ import annotations

from typing import Any

from django_tasks_db.models import DBTaskResult

from payables.conftest import ApiClient
from payables.masterdata.models import BulkJob
from payables.tests.task_worker import run_worker


def queued_tasks() -> int:
    return DBTaskResult.objects.filter(status="READY").count()


def submit(api: ApiClient, path: str, records: list, **envelope: Any) -> dict:
    """POST a load and return the job it answers with (202)."""
    answer = api.post(f"{path}/bulk", {"records": records, **envelope})
    assert answer.status_code == 202, answer.content
    return answer.json()


def run_load(api: ApiClient, path: str, records: list, **envelope: Any) -> dict:
    """Submit a load, let the worker run it, and return the job as the API shows it."""
    job = submit(api, path, records, **envelope)
    run_worker()
    answer = api.get(f"/jobs/{job['id']}")
    assert answer.status_code == 200, answer.content
    return answer.json()


def job_row(job: dict) -> BulkJob:
    return BulkJob.objects.get(pk=job["id"])
