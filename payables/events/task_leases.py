"""Leases on running tasks: a task whose worker died is taken up again, or failed in the end.

django-tasks-db claims a task by marking its row RUNNING (``SELECT … FOR UPDATE SKIP
LOCKED``) and never looks at it again: a worker killed mid-task (``kill -9``, out of
memory, a lost machine) would leave it RUNNING for ever. So ``payables worker`` holds a
lease on the task it runs (a ``TaskLease`` row), taken and renewed by a keeper thread
every quarter of ``PAYABLES_TASK_LEASE_SECONDS``, and every worker reaps, at start and
every half lease: a RUNNING task whose lease expired (or that has none and started more
than a lease ago: its worker died before its keeper wrote one) is set back to READY. A
task counts as leased from its start (``started_at``) until then, so the many tasks that
end within a quarter lease never write a lease row: two commits fewer each. It stays the same task
result, so django-tasks-db's ``worker_ids`` (one entry per claim) counts the attempts;
after ``PAYABLES_TASK_MAX_ATTEMPTS`` of them the task is marked FAILED with the reason
instead, and the app that owns the task fails its job (``when_abandoned``).

A task taken up again runs from its start, so tasks must be safe to repeat: bulk jobs
resume at their first chunk not committed, webhook deliveries keep their own leases.
A worker that is alive but cannot renew for a whole lease (its database unreachable)
may find its task taken up beside it; the jobs' own row locks keep that from doubling
work. A worker never reaps its own tasks, and a task that writes chunk after chunk
renews in its own transactions too (``renew_held_leases``): on SQLite such a loop can
keep the keeper's write waiting. Workers started as plain ``db_worker`` hold no
leases: use ``payables worker``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Now
from django_tasks.base import Task, TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks_db.models import DBTaskResult

from payables.events.models import TaskLease

logger = logging.getLogger(__name__)

REAP_BATCH = 100

# Task path → what to do when the task is given up: called with the task's arguments and
# ``reason``, in the reaper's transaction. Installed by the owning app at start-up.
_abandon_hooks: dict[str, Callable[..., None]] = {}


class WorkerLost(Exception):
    """The worker running a task stopped renewing its lease (it died) too many times."""


@dataclass(frozen=True)
class Reaped:
    """What one reaping did: tasks queued again, and tasks given up."""

    requeued: int = 0
    failed: int = 0


def when_abandoned(task: Task, give_up: Callable[..., None]) -> None:
    """Call ``give_up(*args, reason=…, **kwargs)`` when ``task`` is failed for lost workers.

    A lower layer cannot import the apps whose jobs it runs: they install their hook here.
    """
    _abandon_hooks[task.module_path] = give_up


def lease_duration() -> timedelta:
    """How long a lease lasts unless renewed (``PAYABLES_TASK_LEASE_SECONDS``)."""
    return timedelta(seconds=settings.PAYABLES_TASK_LEASE_SECONDS)


def _clock(now: datetime | None) -> datetime | Now:
    """``now`` as given (tests), else the database's clock when the statement runs.

    The database's: every worker then reads one clock, and a renewal that waited for
    SQLite's write lock still counts its lease from when it was written.
    """
    return Now() if now is None else now


def take_lease(task_id: str, worker_id: str, *, now: datetime | None = None) -> None:
    """Hold the lease of a task this worker has claimed and now starts."""
    expires_at = _clock(now) + lease_duration()
    if not TaskLease.objects.filter(task_id=task_id).update(
        worker_id=worker_id, expires_at=expires_at
    ):
        TaskLease.objects.create(task_id=task_id, worker_id=worker_id, expires_at=expires_at)


def hold_lease(task_id: str, worker_id: str) -> str:
    """Take or renew the lease of a task this worker runs: ``held``, ``ended`` or ``lost``.

    The task's row is locked first, as the reaper locks it: ``lost`` means the reaper
    queued the task again (this worker seemed dead) and it may run elsewhere. A lease
    written by this worker's task in a transaction still open is waited for, not lost.
    """
    with transaction.atomic():
        task = (
            DBTaskResult.objects.select_for_update()
            .filter(pk=task_id)
            .only("status", "worker_ids")
            .first()
        )
        if task is None or task.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
            return "ended"  # its result was recorded just now
        if task.status != TaskResultStatus.RUNNING or task.worker_ids[-1:] != [worker_id]:
            return "lost"
        take_lease(task_id, worker_id)
        return "held"


def renew_leases(held: dict[str, str], *, now: datetime | None = None) -> list[str]:
    """Extend the leases ``{task id: worker id}`` a worker holds; return the ids it lost.

    A lease is lost when the reaper took it (the worker did not renew in time): the
    task may be running under another worker by now.
    """
    expires_at = _clock(now) + lease_duration()
    return [
        task_id
        for task_id, worker_id in held.items()
        if not TaskLease.objects.filter(task_id=task_id, worker_id=worker_id).update(
            expires_at=expires_at
        )
    ]


def release_lease(task_id: str) -> None:
    """Drop the lease of a task that ended (its result is recorded)."""
    TaskLease.objects.filter(task_id=task_id).delete()


# The tasks this process runs (task id → worker id), kept by its ``LeaseKeeper``, and
# those of them whose lease row it wrote.
_held: dict[str, str] = {}
_leased: set[str] = set()
_held_lock = threading.Lock()


def renew_held_leases() -> None:
    """Take or renew the leases of the tasks this process runs; nothing where it runs none.

    The keeper thread calls it; a task that writes its progress in a loop calls it too,
    in its own transaction: on SQLite that loop can keep the keeper's renewal waiting
    for the write lock longer than a lease.
    """
    with _held_lock:
        held = dict(_held)
        leased = {task_id: held[task_id] for task_id in _leased if task_id in held}
    if not held:
        return
    # A plain renewal first (one statement); a task without a lease, or whose renewal
    # found none, is checked against its task row: ended, lost, or (say, its first lease
    # written by the task itself, not yet committed) still this worker's.
    unsure = set(renew_leases(leased)) | (held.keys() - leased.keys())
    taken, lost = [], []
    for task_id in unsure:
        outcome = hold_lease(task_id, held[task_id])
        if outcome == "held":
            taken.append(task_id)
        elif outcome == "lost":
            lost.append(task_id)
    ended = []
    with _held_lock:
        for task_id in taken:
            if task_id in _held:
                _leased.add(task_id)
            else:
                ended.append(task_id)  # it ended while its lease was written
        # A task that ended meanwhile released its lease itself: that is no loss.
        lost = [task_id for task_id in lost if task_id in _held]
        for task_id in lost:
            _held.pop(task_id, None)
            _leased.discard(task_id)
    for task_id in ended:
        release_lease(task_id)
    for task_id in lost:
        logger.warning(
            "Task %s lost its lease (reaped as if its worker had died): it may run twice",
            task_id,
        )


def reap_expired_tasks(*, now: datetime | None = None, alive: Iterable[str] = ()) -> Reaped:
    """Queue again each RUNNING task whose worker is gone; fail those tried too often.

    ``alive``: tasks the calling worker runs itself, never reaped by it even when their
    renewal is late (SQLite may keep a writer waiting). Several workers may reap at once:
    each task is decided in its own transaction with its row locked, and a row another
    reaper holds is skipped.
    """
    expired = _expired(DBTaskResult.objects.running(), _clock(now)).exclude(pk__in=list(alive))
    requeued = failed = 0
    for task_id in list(expired.values_list("pk", flat=True)[:REAP_BATCH]):
        outcome = _reap(task_id, _clock(now))
        requeued += outcome == TaskResultStatus.READY
        failed += outcome == TaskResultStatus.FAILED
    return Reaped(requeued, failed)


def _expired(tasks: QuerySet, now: datetime | Now) -> QuerySet:
    """The tasks whose lease ran out, or that got none and started more than a lease ago."""
    return tasks.filter(
        Q(payables_lease__expires_at__lt=now)
        | Q(payables_lease__isnull=True, started_at__lt=now - lease_duration())
    )


def _reap(task_id: Any, now: datetime | Now) -> str | None:
    """Decide one expired task: READY again, FAILED, or None (it was renewed or ended)."""
    with transaction.atomic():
        task = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(pk=task_id, status=TaskResultStatus.RUNNING)
            .first()
        )
        if task is None:
            return None  # finished meanwhile, or another reaper decides it
        # The lease row is locked too, so a renewal waits for the decision and then
        # finds the lease gone, rather than slipping in between.
        list(TaskLease.objects.select_for_update().filter(task=task))
        if not _expired(DBTaskResult.objects.filter(pk=task.pk), now).exists():
            return None  # renewed since we looked: its worker lives
        TaskLease.objects.filter(task=task).delete()
        attempts = len(task.worker_ids)
        if attempts < settings.PAYABLES_TASK_MAX_ATTEMPTS:
            task.status = TaskResultStatus.READY  # not-invoice-status
            task.save(update_fields=["status"])  # not-invoice-status
            logger.warning(
                "Task %s (%s) lost its worker %s; queued again after attempt %d of %d",
                task.pk,
                task.task_path,
                task.worker_ids[-1] if task.worker_ids else "?",
                attempts,
                settings.PAYABLES_TASK_MAX_ATTEMPTS,
            )
            return TaskResultStatus.READY
        reason = (
            f"The worker running it died {attempts} times (its lease expired each time); "
            "it is not tried again."
        )
        task.set_failed(WorkerLost(reason))
        logger.error("Task %s (%s) given up: %s", task.pk, task.task_path, reason)
        _abandon(task, reason)
        return TaskResultStatus.FAILED


def _abandon(task: DBTaskResult, reason: str) -> None:
    """Let the task's app fail its job; should that fail, the task is failed all the same."""
    give_up = _abandon_hooks.get(task.task_path)
    if give_up is None:
        return
    try:
        with transaction.atomic():
            give_up(*task.args_kwargs["args"], reason=reason, **task.args_kwargs["kwargs"])
    except Exception:
        logger.exception("Task %s was given up, but its job could not be failed", task.pk)


class LeaseKeeper:
    """The worker process's keeper: leases for the tasks it runs, and the periodic reaper.

    The worker loop runs a task in the main thread and announces it with django-tasks'
    ``task_started`` / ``task_finished`` signals: the task is noted as held there, and
    its lease released at the end if one was written. A daemon thread takes and renews
    the leases every quarter lease (a busy task does not block it) and reaps every half
    lease, never this process's own tasks. The thread uses its own database connection
    and closes it after each round.
    """

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._keep, name="payables-lease-keeper", daemon=True
        )

    def start(self) -> None:
        task_started.connect(self._started, dispatch_uid="payables-lease-keeper-started")
        task_finished.connect(self._finished, dispatch_uid="payables-lease-keeper-finished")
        self._thread.start()

    def stop(self) -> None:
        task_started.disconnect(dispatch_uid="payables-lease-keeper-started")
        task_finished.disconnect(dispatch_uid="payables-lease-keeper-finished")
        self._stopping.set()
        self._thread.join(timeout=10)

    def _started(self, sender: object, task_result: Any, **kwargs: object) -> None:
        # No lease row yet: its start (started_at) covers the task for a lease, and the
        # keeper writes one within a quarter lease should the task still run then.
        worker_id = task_result.worker_ids[-1] if task_result.worker_ids else ""
        with _held_lock:
            _held[task_result.id] = worker_id

    def _finished(self, sender: object, task_result: Any, **kwargs: object) -> None:
        with _held_lock:
            _held.pop(task_result.id, None)
            leased = task_result.id in _leased
            _leased.discard(task_result.id)
        if not leased:
            return
        try:
            release_lease(task_result.id)
        except Exception:  # harmless: a lease of an ended task is never reaped
            logger.exception("Lease of task %s not released", task_result.id)

    def _keep(self) -> None:
        beat = settings.PAYABLES_TASK_LEASE_SECONDS / 4
        beats = 0
        while not self._stopping.wait(beat):
            beats += 1
            try:
                renew_held_leases()
                if beats % 2 == 0:
                    with _held_lock:
                        alive = list(_held)
                    reap_expired_tasks(alive=alive)
            except Exception:  # a database hiccup must not end the keeper: next beat
                logger.exception("Task leases not kept this round")
            finally:
                connection.close()
