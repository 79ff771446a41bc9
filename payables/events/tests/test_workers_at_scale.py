"""Workers at scale on PostgreSQL: a claim skips the rows other workers hold, and four
``payables worker`` processes drain a queue with every task run exactly once.

``bench/worker_bench.py`` drains 10,000 tasks the same way and prints tasks/s; the test
drains ``TASKS``, what a test run can afford on a busy two-core machine. A worker killed
mid-task (SIGKILL) has its task taken up again by another: see
``payables/masterdata/tests/test_bulk_job_crashes.py``.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from payables.tests.probe_tasks import meet_peers, record_run, runs
from payables.tests.processes import stop
from payables.tests.task_worker import (
    WorkerProcesses,
    database_for_processes,
    run_worker,
    use_database_tasks,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 4
TASKS = 1000


def probes():
    return DBTaskResult.objects.filter(task_path__startswith="payables.tests.probe_tasks.")


def test_a_worker_claims_with_skip_locked_and_passes_a_row_another_worker_holds(settings, tmp_path):
    use_database_tasks(settings)
    log = str(tmp_path / "runs.log")
    record_run.enqueue(log, 1)
    record_run.enqueue(log, 2)
    first = DBTaskResult.objects.ready().first()  # the one a worker would claim first
    held, done = threading.Event(), threading.Event()

    def hold_first() -> None:
        """Another worker's claim in progress: the row locked in an open transaction."""
        try:
            with transaction.atomic():
                DBTaskResult.objects.select_for_update().get(pk=first.pk)
                held.set()
                done.wait(60)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_first)
    holder.start()
    try:
        assert held.wait(30)
        with CaptureQueriesContext(connection) as queries:
            run_worker(max_tasks=1)  # would wait for the lock without SKIP LOCKED
    finally:
        done.set()
        holder.join(30)

    [claim] = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert claim.endswith("FOR UPDATE SKIP LOCKED")
    assert "django_tasks_database_dbtaskresult" in claim
    assert [number for number, _, _ in runs(log)] == [2 if first.args_kwargs["args"][1] == 1 else 1]
    first.refresh_from_db()
    assert first.status == "READY"


@pytest.mark.slow
def test_four_worker_processes_drain_a_queue_running_each_task_exactly_once(settings, tmp_path):
    use_database_tasks(settings)
    log = str(tmp_path / "runs.log")
    with transaction.atomic():
        for number in range(WORKERS):  # each worker holds one until all four run
            meet_peers.enqueue(log, number, peers=WORKERS)
        for number in range(WORKERS, WORKERS + TASKS):
            record_run.enqueue(log, number)

    with database_for_processes(tmp_path) as env:
        workers = WorkerProcesses(tmp_path, env)
        pool = workers.start(processes=WORKERS)
        try:
            wait_until(
                lambda: not probes().exclude(status="SUCCESSFUL").exists(),
                what=f"{TASKS} tasks drained",
                timeout=900,
            )
            assert stop(pool) == 0, workers.logs()[-3000:]
        finally:
            workers.stop_all()

    recorded = runs(log)
    counts = Counter(number for number, _, _ in recorded)
    assert sorted(counts) == list(range(WORKERS + TASKS))  # none lost
    assert [n for n, times in counts.items() if times > 1] == []  # none run twice
    assert len({pid for _, pid, _ in recorded}) == WORKERS  # all four took part
    claims = Counter(len(ids) for ids in probes().values_list("worker_ids", flat=True))
    assert claims == {1: WORKERS + TASKS}  # each claimed once, by one worker
