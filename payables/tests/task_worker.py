"""The database task backend and its real worker, for tests that run tasks as production does.

pytest runs tasks at once by default (``PAYABLES_TASKS_BACKEND=immediate``); tests that
need the real path queue them in the database and run them with django-tasks-db's own
worker loop, the one ``payables worker`` starts. Such tests run in committed transactions
(``django_db(transaction=True)``), so tasks are queued by real ``on_commit`` callbacks.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def use_database_tasks(settings: Any) -> None:
    """Switch to the database backend (django-tasks rebuilds its backends on the change)."""
    settings.TASKS = DATABASE_TASKS
    assert isinstance(task_backends["default"], DatabaseBackend)


def run_worker(max_tasks: int | None = None, *, worker_id: str = "pytest") -> None:
    """Run queued tasks until none is left (or ``max_tasks`` ran), as `payables worker --batch`."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()
