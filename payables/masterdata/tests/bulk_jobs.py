"""Helpers of the bulk load tests: the database task backend and its real worker.

pytest runs tasks at once by default (``PAYABLES_TASKS_BACKEND=immediate``); these tests
queue them in the database as production does and run them with django-tasks-db's own
worker loop, the one ``payables worker`` starts. They run in committed transactions
(``django_db(transaction=True)``), so jobs are queued by real ``on_commit`` callbacks.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from payables.conftest import ApiClient
from payables.masterdata.models import BulkJob

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def use_database_tasks(settings: Any) -> None:
    """Switch to the database backend (django-tasks rebuilds its backends on the change)."""
    settings.TASKS = DATABASE_TASKS
    assert isinstance(task_backends["default"], DatabaseBackend)


def run_worker(max_tasks: int | None = None) -> None:
    """Run queued tasks until none is left (or ``max_tasks`` ran), as `payables worker --batch`."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="pytest",
        excluded_queue_names=[],
    ).run()


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
