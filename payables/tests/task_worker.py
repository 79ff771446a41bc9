"""The database task backend and its real worker, for tests that run tasks as production does.

pytest runs tasks at once by default (``PAYABLES_TASKS_BACKEND=immediate``); tests that
need the real path queue them in the database and run them with django-tasks-db's own
worker loop, the one ``payables worker`` starts. Such tests run in committed transactions
(``django_db(transaction=True)``), so tasks are queued by real ``on_commit`` callbacks.
Tests of crashes run ``payables worker`` as a real process (``WorkerProcesses``) on the
test database and kill it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connections
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


REPO_DIR = Path(__file__).resolve().parents[2]
WORKER_OPTIONS = ("--no-startup-delay", "--no-reload", "--interval", "0.05", "--verbosity", "0")


@contextmanager
def database_for_processes(data_dir: Path) -> Iterator[dict[str, str]]:
    """Open the test database to other processes; yield the environment they need.

    PostgreSQL: they connect to the test database by URL. SQLite: the test database is in
    memory, where no other process can see it, so it is copied into ``data_dir`` (as
    ``payables.sqlite3``, the file settings open there) and this process uses the file
    too until the end; then the in-memory database is back as it was.
    """
    connection = connections["default"]
    params = connection.settings_dict
    if connection.vendor != "sqlite":
        user = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
        url = f"postgres://{user}@{params['HOST']}:{params['PORT']}/{params['NAME']}"
        yield {"DATABASE_URL": url}
        return
    connection.ensure_connection()
    memory, name = connection.connection, params["NAME"]
    path = data_dir / "payables.sqlite3"
    copy = sqlite3.connect(path)
    memory.backup(copy)
    copy.close()
    connection.connection, params["NAME"] = None, str(path)  # the next query opens the file
    try:
        yield {"DATABASE_URL": "", "PAYABLES_DATA_DIR": str(data_dir)}
    finally:
        connection.close()
        connection.connection, params["NAME"] = memory, name


class WorkerProcesses:
    """``payables worker`` processes on the test database, started and killed by a test."""

    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir = data_dir
        self.env = os.environ | {"PAYABLES_TASKS_BACKEND": "database"} | env
        self.started: list[subprocess.Popen] = []

    def start(self, processes: int = 1, **env: str) -> subprocess.Popen:
        """Start a worker (``env``: more variables); its output goes to ``worker-N.log``.

        ``processes``: a pool of that many (``payables worker --processes N``).
        """
        log = (self.data_dir / f"worker-{len(self.started)}.log").open("wb")
        pool = ["--processes", str(processes)] if processes > 1 else []
        process = subprocess.Popen(
            [sys.executable, "-m", "payables.cli", "worker", *pool, *WORKER_OPTIONS],
            cwd=REPO_DIR,
            env=self.env | env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        """End the workers still running (the test is over)."""
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.data_dir.glob("worker-*.log")))


def wait_until(condition: Callable[[], Any], *, timeout: float = 90, what: str = "") -> Any:
    """Poll ``condition`` until it is true; return its value, or fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what or condition}")
