"""Tasks that leave a trace outside the database, to count which worker ran what and how often.

The task table cannot tell a task run twice from one run once (a second claim would
overwrite the first's ``worker_ids``), so each run appends a line ``number pid time`` to
a log file: one ``write`` of a short line to a file opened for appending, which POSIX
keeps whole among concurrent writers. Worker processes import these by their path,
like any task; ``worker_bench.py`` uses them too.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task


def record(log: str, number: int) -> None:
    """Append this run's line to ``log``."""
    with Path(log).open("a", encoding="ascii") as file:
        file.write(f"{number} {os.getpid()} {time.time():.6f}\n")


def runs(log: str | Path) -> list[tuple[int, int, float]]:
    """The lines of ``log``: (number, pid, time) of each run, in the order written."""
    path = Path(log)
    if not path.exists():
        return []
    return [
        (int(number), int(pid), float(when))
        for number, pid, when in (line.split() for line in path.read_text().splitlines())
    ]


@task()
def record_run(log: str, number: int, seconds: float = 0) -> int:
    """Record that task ``number`` ran here (after ``seconds`` of work)."""
    time.sleep(seconds)
    record(log, number)
    return number


@task()
def meet_peers(log: str, number: int, peers: int, timeout: float = 120) -> int:
    """Record this run, then wait until ``peers`` processes have recorded one (or timeout).

    Queue one per worker: each worker holds one until all are running, so every worker
    takes part in what is queued after (a worker that starts late finds nothing left).
    """
    record(log, number)
    deadline = time.monotonic() + timeout
    while len({pid for _, pid, _ in runs(log)}) < peers and time.monotonic() < deadline:
        time.sleep(0.05)
    return number
