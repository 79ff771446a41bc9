"""Leases of running tasks: the reaper takes up a task whose worker died, or gives it up.

A worker that died right after claiming is stood for by django-tasks-db's own ``claim``
with a worker id that never runs anything; the reaper is called with a clock the test
moves on, so leases of a minute pass at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks.signals import task_finished, task_started
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from payables.events.models import TaskLease
from payables.events.task_leases import (
    LeaseKeeper,
    Reaped,
    hold_lease,
    reap_expired_tasks,
    release_lease,
    renew_held_leases,
    renew_leases,
    take_lease,
)
from payables.events.tasks import deliver_webhooks
from payables.tests.task_worker import run_worker, use_database_tasks

pytestmark = pytest.mark.django_db(transaction=True)

LEASE = timedelta(seconds=60)


@pytest.fixture(autouse=True)
def _database_tasks(settings):
    use_database_tasks(settings)
    settings.PAYABLES_TASK_LEASE_SECONDS = 60
    settings.PAYABLES_TASK_MAX_ATTEMPTS = 3


def queued_task() -> DBTaskResult:
    result = deliver_webhooks.enqueue([])
    return DBTaskResult.objects.get(pk=result.id)


def claimed_by(task: DBTaskResult, worker_id: str, *, now: datetime | None = None) -> str:
    """Claim the task as the worker loop does, and take its lease as ``payables worker`` does."""
    task.claim(worker_id)
    take_lease(str(task.pk), worker_id, now=now)
    return str(task.pk)


def test_a_task_whose_worker_died_is_queued_again_and_runs():
    task = queued_task()
    claimed_by(task, "died", now=timezone.now())

    reaped = reap_expired_tasks(now=timezone.now() + LEASE * 2)

    assert reaped == Reaped(requeued=1)
    task.refresh_from_db()
    assert task.status == "READY"
    assert not TaskLease.objects.exists()
    run_worker()
    task.refresh_from_db()
    assert (task.status, task.worker_ids) == ("SUCCESSFUL", ["died", "pytest"])


def test_a_task_within_its_lease_is_left_alone():
    task = queued_task()
    start = timezone.now()
    claimed_by(task, "alive", now=start)

    assert reap_expired_tasks(now=start + LEASE - timedelta(seconds=1)) == Reaped()
    task.refresh_from_db()
    assert task.status == "RUNNING"


def test_a_renewed_lease_keeps_its_task_until_it_runs_out():
    task = queued_task()
    start = timezone.now()
    task_id = claimed_by(task, "alive", now=start)

    assert renew_leases({task_id: "alive"}, now=start + LEASE * 0.9) == []

    assert reap_expired_tasks(now=start + LEASE * 1.5) == Reaped()
    assert reap_expired_tasks(now=start + LEASE * 2) == Reaped(requeued=1)


def test_a_claim_that_never_got_its_lease_expires_a_lease_after_it_started():
    """The worker died between the claim and the start of the task."""
    task = queued_task()
    task.claim("died")

    assert reap_expired_tasks(now=task.started_at + LEASE / 2) == Reaped()
    assert reap_expired_tasks(now=task.started_at + LEASE * 1.1) == Reaped(requeued=1)


def test_a_worker_whose_lease_was_taken_learns_it_lost_the_task():
    task = queued_task()
    start = timezone.now()
    task_id = claimed_by(task, "slow", now=start)
    reap_expired_tasks(now=start + LEASE * 2)

    claimed_by(task, "next", now=start + LEASE * 2)

    assert renew_leases({task_id: "slow"}, now=start + LEASE * 2) == [task_id]
    assert TaskLease.objects.get().worker_id == "next"


def test_the_reaper_leaves_the_tasks_its_own_worker_runs():
    task = queued_task()
    task_id = claimed_by(task, "busy", now=timezone.now())

    reaped = reap_expired_tasks(now=timezone.now() + LEASE * 2, alive=[task_id])

    assert reaped == Reaped()


def test_a_finished_task_is_never_reaped():
    task = queued_task()
    task_id = claimed_by(task, "done", now=timezone.now())
    task.set_successful(0)
    release_lease(task_id)

    assert reap_expired_tasks(now=timezone.now() + LEASE * 2) == Reaped()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"


def test_a_task_whose_worker_dies_every_time_is_failed_after_the_last_attempt(settings):
    settings.PAYABLES_TASK_MAX_ATTEMPTS = 2
    task = queued_task()
    now = timezone.now()

    claimed_by(task, "first", now=now)
    first = reap_expired_tasks(now=now + LEASE * 2)
    task.refresh_from_db()
    claimed_by(task, "second", now=now + LEASE * 2)
    second = reap_expired_tasks(now=now + LEASE * 4)

    assert (first, second) == (Reaped(requeued=1), Reaped(failed=1))
    task.refresh_from_db()
    assert task.status == "FAILED"
    assert task.finished_at is not None
    assert task.exception_class_path == "payables.events.task_leases.WorkerLost"
    assert "died 2 times" in task.traceback
    assert reap_expired_tasks(now=now + LEASE * 8) == Reaped()


def test_a_short_task_writes_no_lease_row():
    queued_task()
    keeper = LeaseKeeper()
    keeper.start()
    try:
        with CaptureQueriesContext(connection) as queries:
            run_worker()
    finally:
        keeper.stop()

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert not [q["sql"] for q in queries if "tasklease" in q["sql"].lower()]


def test_a_task_still_running_at_the_keepers_beat_gets_its_lease_until_it_ends():
    task = queued_task()
    task.claim("busy")
    keeper = LeaseKeeper()
    keeper.start()
    try:
        task_started.send(sender=DatabaseBackend, task_result=task.task_result)
        assert not TaskLease.objects.exists()  # its start covers it for now

        renew_held_leases()  # what the keeper's thread does every quarter lease
        lease = TaskLease.objects.get()
        assert (str(lease.task_id), lease.worker_id) == (str(task.pk), "busy")
        renew_held_leases()
        assert TaskLease.objects.get().expires_at >= lease.expires_at

        task.set_successful(0)
        task_finished.send(sender=DatabaseBackend, task_result=task.task_result)
        assert not TaskLease.objects.exists()
    finally:
        keeper.stop()


def test_no_first_lease_for_a_task_taken_up_by_another_worker_meanwhile():
    task = queued_task()
    task.claim("slow")  # its keeper wrote no lease in time: it seems dead
    assert reap_expired_tasks(now=timezone.now() + LEASE * 2) == Reaped(requeued=1)
    task.refresh_from_db()
    task.claim("next")

    assert hold_lease(str(task.pk), "slow") == "lost"
    assert hold_lease(str(task.pk), "next") == "held"
    assert TaskLease.objects.get().worker_id == "next"
    task.set_successful(0)
    assert hold_lease(str(task.pk), "next") == "ended"
