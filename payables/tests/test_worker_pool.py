"""``payables worker --processes N``: N real workers sharing the queue, stopped by one SIGTERM,
each after the task it was running."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from payables.cli.workers import worker
from payables.tests.probe_tasks import meet_peers, record_run, runs
from payables.tests.processes import alive, children, command_line, kill_tree, stop
from payables.tests.task_worker import (
    WorkerProcesses,
    database_for_processes,
    use_database_tasks,
    wait_until,
)

needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


@pytest.fixture
def workers(settings, tmp_path) -> Iterator[WorkerProcesses]:
    """Worker processes on the test database."""
    use_database_tasks(settings)
    with database_for_processes(tmp_path) as env:
        processes = WorkerProcesses(tmp_path, env)
        try:
            yield processes
        finally:
            processes.stop_all()


def statuses() -> Counter:
    """The probe tasks' statuses (workers queue their own sweeps beside them)."""
    probes = DBTaskResult.objects.filter(task_path__startswith="payables.tests.probe_tasks.")
    return Counter(probes.values_list("status", flat=True))


@needs_proc
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_both_run_tasks_and_stop_together_on_sigterm(workers, tmp_path):
    runs_log = str(tmp_path / "runs.log")
    for number in (1, 2):  # each worker holds one of these until the other holds the other
        meet_peers.enqueue(runs_log, number, peers=2)
    for number in range(3, 23):
        record_run.enqueue(runs_log, number)
    pool = workers.start(processes=2)
    try:
        wait_until(lambda: statuses() == {"SUCCESSFUL": 22}, what="22 tasks run", timeout=180)
        pids = children(pool.pid)
        assert len(pids) == 2
        assert all("payables.cli worker" in command_line(pid) for pid in pids)
        recorded = runs(runs_log)
        assert sorted(number for number, _, _ in recorded) == list(range(1, 23))  # once each
        assert {pid for _, pid, _ in recorded} == set(pids)  # both ran tasks

        # Stopping: each worker finishes the task it runs, then exits; so does the pool.
        slow = [record_run.enqueue(runs_log, number, seconds=3) for number in (23, 24)]
        wait_until(lambda: statuses()["RUNNING"] == 2, what="both running a slow task")
        assert stop(pool) == 0, workers.logs()[-3000:]
        assert not [pid for pid in pids if alive(pid)]
        assert {DBTaskResult.objects.get(pk=r.id).status for r in slow} == {"SUCCESSFUL"}
        assert sorted(number for number, _, _ in runs(runs_log))[-2:] == [23, 24]
    finally:
        kill_tree(children(pool.pid))


def test_one_worker_id_cannot_name_several_processes(capsys):
    with pytest.raises(SystemExit) as exit_info:
        worker(["--processes", "2", "--worker-id", "w1"])
    assert exit_info.value.code == 2
    assert "--worker-id names one worker" in capsys.readouterr().err


def test_processes_must_be_at_least_one(capsys):
    with pytest.raises(SystemExit) as exit_info:
        worker(["--processes", "0"])
    assert exit_info.value.code == 2
