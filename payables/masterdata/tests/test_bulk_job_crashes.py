"""A bulk job whose worker dies is taken up again from its last committed chunk, or failed.

Real ``payables worker`` processes run on the test database and are killed with SIGKILL
mid-job; the test counts records and events, which must come out exactly once each.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator

import pytest
from django_tasks_db.models import DBTaskResult

from payables.events.models import Event
from payables.events.task_leases import reap_expired_tasks
from payables.masterdata.models import Account, BulkJob, BulkJobChunk
from payables.masterdata.tests.bulk_jobs import job_row, submit
from payables.tenancy.models import Company
from payables.tests.task_worker import (
    WorkerProcesses,
    database_for_processes,
    use_database_tasks,
    wait_until,
)

# A few seconds each on SQLite, 10-20 s on PostgreSQL: whole loads run in worker processes.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

LEASE = 1  # second: a dead worker's task is taken up a second or two later
CHUNK = 50
RECORDS = [{"code": f"A{n:04}", "name": f"Account {n}"} for n in range(1000)]
RUN_BULK_JOB = "payables.masterdata.tasks.run_bulk_job"


@pytest.fixture(autouse=True)
def workers(settings, tmp_path) -> Iterator[WorkerProcesses]:
    """Worker processes on the test database (set up before the company and its key)."""
    use_database_tasks(settings)
    settings.PAYABLES_BULK_CHUNK_SIZE = CHUNK
    settings.PAYABLES_TASK_LEASE_SECONDS = LEASE
    with database_for_processes(tmp_path) as env:
        processes = WorkerProcesses(
            tmp_path,
            env
            | {
                "PAYABLES_TASK_LEASE_SECONDS": str(LEASE),
                "PAYABLES_BULK_CHUNKS_PER_TASK": "1000",  # the whole job is one task
            },
        )
        try:
            yield processes
        finally:
            processes.stop_all()


def kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def chunks_done(job: dict) -> int:
    return BulkJobChunk.objects.filter(job_id=job["id"], is_done=True).count()


def ended(job: dict) -> bool:
    return job_row(job).state in (BulkJob.State.DONE, BulkJob.State.FAILED)


def reaped_and_ended(job: dict) -> bool:
    """Reap as any worker does, then tell whether the job ended."""
    reap_expired_tasks()
    return ended(job)


def started_attempt() -> int:
    """The attempt at the job's task a live worker has started (it holds the lease); 0: none."""
    task = DBTaskResult.objects.filter(
        task_path=RUN_BULK_JOB, status="RUNNING", payables_lease__isnull=False
    ).first()
    return len(task.worker_ids) if task else 0


def assert_written_once(company: Company, job: dict) -> None:
    """Every record the job counts was written once, with one event each, and it ended once."""
    row = job_row(job)
    created = Event.objects.filter(company=company, type="account.created")
    assert Account.objects.count() == created.count() == row.created_count
    assert created.values("subject_id").distinct().count() == row.created_count
    assert Event.objects.filter(company=company, type="masterdata.job_finished").count() == 1


def test_a_job_whose_worker_is_killed_resumes_from_its_last_committed_chunk(api, company, workers):
    job = submit(api, "/accounts", RECORDS)
    first = workers.start()
    wait_until(lambda: chunks_done(job) >= 2, what="two chunks committed")

    kill(first)

    row = job_row(job)
    assert row.state == "running"
    assert 2 * CHUNK <= row.processed < len(RECORDS)
    [task] = DBTaskResult.objects.filter(status="RUNNING")  # left behind by the dead worker
    workers.start()
    # This process reaps too, all along: it takes up the dead worker's task, never the
    # task of the live one, whose lease is renewed while it runs.
    wait_until(lambda: reaped_and_ended(job), what="the job to end")

    shown = api.get(f"/jobs/{job['id']}").json()
    assert shown["state"] == "done", workers.logs()
    assert shown["counts"]["created"] == shown["processed"] == len(RECORDS)
    assert (shown["error_count"], shown["failure"]) == (0, "")
    assert_written_once(company, job)
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert len(task.worker_ids) == 2  # taken up once: the dead worker's claim, then the live one


def test_a_job_whose_worker_dies_every_time_fails_with_the_reason(api, company, workers):
    job = submit(api, "/accounts", RECORDS)
    for attempt in (1, 2, 3):
        process = workers.start()
        wait_until(lambda: started_attempt() == attempt, what=f"attempt {attempt}")  # noqa: B023
        kill(process)
    workers.start()
    wait_until(lambda: ended(job), what="the job to end")

    shown = api.get(f"/jobs/{job['id']}").json()
    assert shown["state"] == "failed", workers.logs()
    assert shown["failure"] == (
        "The worker running it died 3 times (its lease expired each time); it is not tried again."
    )
    assert shown["finished_at"] is not None
    assert shown["processed"] < len(RECORDS)
    assert_written_once(company, job)
    event = Event.objects.get(company=company, type="masterdata.job_finished")
    assert event.payload["state"] == "failed"
    task = DBTaskResult.objects.get(task_path=RUN_BULK_JOB)
    assert task.status == "FAILED"
    assert task.exception_class_path == "payables.events.task_leases.WorkerLost"
    assert len(task.worker_ids) == 3
