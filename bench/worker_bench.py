"""Worker bench: tasks per second that `payables worker --processes N` drains, each run once.

Queues ``--count`` probe tasks (each appends a line to a log file:
``payables/tests/probe_tasks.py``), starts ``payables worker --processes N`` on the
database and times the drain: from the moment every worker holds a task (one
``meet_peers`` task each, so all N compete for the rest) to the last run. Then it reads
the log: every task must have run exactly once (none twice, none lost); it exits 1
otherwise. The tasks do nothing else, so the figure is the queue's own cost per task:
claim (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL), lease, result, release.

Same setup as ``import_bench.py``: a fresh SQLite file in a temporary data dir (one
writer at a time: no guide for PostgreSQL), or ``DATABASE_URL`` when set (the bench's
task rows are deleted afterwards). Prints figures only.

    DATABASE_URL=postgres://… python bench/worker_bench.py [--count 10000] [--processes 4]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from import_bench import prepare_database

ROOT = Path(__file__).resolve().parents[1]
PROBES = "payables.tests.probe_tasks."
WORKER_OPTIONS = ("--no-startup-delay", "--no-reload", "--interval", "0.05", "--verbosity", "0")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="tasks to drain")
    parser.add_argument("--processes", type=int, default=4, help="worker processes")
    parser.add_argument(
        "--no-analyze",
        dest="analyze",
        action="store_false",
        help="PostgreSQL: leave the task table's statistics as autovacuum left them",
    )
    options = parser.parse_args(argv)
    if not 1 <= options.count <= 1_000_000 or not 1 <= options.processes <= 64:
        parser.error("--count must be 1 to 1,000,000 and --processes 1 to 64")
    return options


def main(argv: list[str] | None = None) -> int:
    """Run the bench in a throwaway data dir (SQLite) or on DATABASE_URL."""
    options = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="payables-bench-") as data_dir:
        os.environ["PAYABLES_DATA_DIR"] = data_dir  # SQLite file and secret: never ./var
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payables.settings")
        os.environ.setdefault("PAYABLES_LOG_LEVEL", "WARNING")
        os.environ["PAYABLES_TASKS_BACKEND"] = "database"
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
        )
        sys.path.insert(0, str(ROOT))
        return bench(options, Path(data_dir) / "runs.log")


def bench(options: argparse.Namespace, log: Path) -> int:
    if not prepare_database():
        return 1
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from payables.tests.probe_tasks import meet_peers, record_run, runs

    probes = DBTaskResult.objects.filter(task_path__startswith=PROBES)
    probes.delete()  # a previous run's leftovers
    started = time.perf_counter()
    with transaction.atomic():
        for number in range(options.processes):
            meet_peers.enqueue(str(log), number, peers=options.processes, timeout=300)
        for number in range(options.processes, options.processes + options.count):
            record_run.enqueue(str(log), number)
    queued = time.perf_counter() - started
    total = options.processes + options.count
    print(f"queued {total} tasks in {queued:.1f} s ({total / queued:.0f} tasks/s, one transaction)")
    if connection.vendor == "postgresql" and options.analyze:
        # The claim's plan needs current statistics: with stale ones PostgreSQL scans every
        # row of the queue for each claim instead of reading the first READY one.
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            print(f"autovacuum: {cursor.fetchone()[0]}; ANALYZE of the task table after queueing")
            cursor.execute(f"ANALYZE {DBTaskResult._meta.db_table}")

    pool = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "payables.cli",
            "worker",
            "--processes",
            str(options.processes),
            *WORKER_OPTIONS,
        ],
        cwd=ROOT,
    )
    try:
        while probes.exclude(status="SUCCESSFUL").exists():
            if pool.poll() is not None:
                print(f"the workers stopped (exit code {pool.returncode})", file=sys.stderr)
                return 1
            time.sleep(0.5)
    finally:
        pool.send_signal(signal.SIGTERM)
        pool.wait(timeout=120)

    recorded = runs(log)
    counts = Counter(number for number, _, _ in recorded)
    twice = sum(n - 1 for n in counts.values() if n > 1)
    lost = total - len(counts)
    meet = [when for number, _, when in recorded if number < options.processes]
    drained = [when for number, _, when in recorded if number >= options.processes]
    seconds = max(drained) - max(meet)
    per_worker = sorted(Counter(pid for _, pid, _ in recorded).values(), reverse=True)
    attempts = Counter(len(ids) for ids in probes.values_list("worker_ids", flat=True))
    probes.delete()

    print(f"{'workers':>8} {'tasks':>8} {'seconds':>8} {'tasks/s':>8} {'twice':>6} {'lost':>5}")
    print(
        f"{options.processes:>8} {options.count:>8} {seconds:>8.1f} "
        f"{options.count / seconds:>8.0f} {twice:>6} {lost:>5}"
    )
    print(f"tasks per worker: {per_worker}; claims per task: {dict(attempts)}")
    return 1 if twice or lost else 0


if __name__ == "__main__":
    sys.exit(main())
