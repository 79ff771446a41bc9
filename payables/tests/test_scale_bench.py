"""The scale benches still run: a tiny scale database, then the load bench against it.

``bench/scale_data.py`` loads with PostgreSQL's COPY, so this runs on PostgreSQL only, in
a database of its own on the test server (dropped at the end). Nothing about time is
judged: the build must leave the counters where the app goes on from, a second build of
the same size must change nothing, and every request of a short load run with two clients
(and of the in-process replay of every read) must answer 2xx (the load bench exits 1
otherwise).
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connections

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
INVOICES = 2000
ROW = re.compile(r"^\s+(GET|POST) (\S+(?: \(\d+\))?)\s+(\d+)\s+(\d+)\s", re.MULTILINE)


@pytest.fixture(scope="module")
def scale_url() -> Iterator[str]:
    """A database URL of its own on the test server; the database is dropped afterwards."""
    params = connections["default"].settings_dict
    login = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    server = f"postgres://{login}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    name = f"pay_scale_smoke_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(script: str, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PAYABLES_TASKS_BACKEND"}
    }
    return subprocess.run(
        [sys.executable, str(BENCH_DIR / script), *args],
        cwd=BENCH_DIR.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_a_tiny_scale_database_serves_a_short_load_run_without_errors(scale_url, tmp_path):
    key_file = tmp_path / "scale.api-key"
    build = _run(
        "scale_data.py", "--invoices", str(INVOICES), "--reset",
        "--database-url", scale_url, "--key-file", str(key_file),
    )  # fmt: skip
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-4000:]
    assert re.search(rf"invoices\s+{INVOICES:,}\n", build.stdout), build.stdout
    key = key_file.read_text().strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key and key not in build.stdout + build.stderr

    with psycopg.connect(scale_url) as db:
        # Each company's counters stand at its last loaded value: the app goes on from there.
        behind = db.execute(
            """
            SELECT c.company_id, c.name, c.value, loaded.last FROM tenancy_counter c
            JOIN (SELECT company_id, 'invoice' AS name, max(internal_id) AS last
                    FROM invoices_invoice GROUP BY company_id
                  UNION ALL SELECT company_id, 'event', max(sequence) FROM sync_event
                    GROUP BY company_id
                  UNION ALL SELECT company_id, 'approval_step', max(internal_id)
                    FROM approvals_approvalstep GROUP BY company_id) loaded
              ON loaded.company_id = c.company_id AND loaded.name = c.name
            WHERE c.value <> loaded.last
            """
        ).fetchall()
        gaps = db.execute(
            "SELECT company_id FROM sync_event GROUP BY company_id"
            " HAVING count(*) <> max(sequence) OR min(sequence) <> 1"
        ).fetchall()
        # A current step carries its invoice's queue sort keys, as the services copy them.
        unsorted = db.execute(
            "SELECT count(*) FROM approvals_approvalstep s"
            " JOIN invoices_invoice i ON i.id = s.invoice_id WHERE s.is_current"
            " AND (s.invoice_due_date IS DISTINCT FROM i.due_date"
            " OR s.invoice_internal_id IS DISTINCT FROM i.internal_id)"
        ).fetchone()[0]
        current = db.execute("SELECT count(*) FROM approvals_approvalstep WHERE is_current")
        current = current.fetchone()[0]
        # The load bypassed the triggers that count invoices by status: counted afresh.
        miscounted = db.execute(
            """
            SELECT * FROM (SELECT company_id, status, count(*) AS count FROM invoices_invoice
                           GROUP BY company_id, status) counted
            FULL JOIN (SELECT company_id, status, count FROM invoices_invoicestatuscount
                       WHERE count <> 0) kept USING (company_id, status)
            WHERE counted.count IS DISTINCT FROM kept.count
            """
        ).fetchall()
    assert behind == []
    assert gaps == []
    assert (unsorted, current > 0) == (0, True)
    assert miscounted == []

    again = _run("scale_data.py", "--invoices", str(INVOICES), "--database-url", scale_url)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-4000:]
    assert "nothing to do" in again.stdout

    load = _run(
        "load.py", "--database-url", scale_url, "--clients", "2", "--seconds", "5",
        "--warmup", "0", "--workers", "2", "--threads", "2", "--no-worker", "--explain",
    )  # fmt: skip
    assert load.returncode == 0, load.stdout[-4000:] + load.stderr[-4000:]
    answered = {
        name: (int(count), int(fails)) for _, name, count, fails in ROW.findall(load.stdout)
    }
    assert answered, load.stdout
    assert all(fails == 0 for _, fails in answered.values()), load.stdout
    # --explain replayed every read in-process too (a read not answering 200 fails the run).
    assert "GET /feeds/exported (100)" in load.stdout.split("in-process replay")[-1]
    # What the clients upserted and left waiting was cancelled: the next run's queue is
    # the one this run found.
    cancelled = re.search(r"cancelled (\d+) upserted invoices left waiting", load.stdout)
    assert cancelled, load.stdout
    with psycopg.connect(scale_url) as db:
        upserted = dict(
            db.execute(
                "SELECT status, count(*) FROM invoices_invoice WHERE source_system = 'load-bench'"
                " GROUP BY status"
            ).fetchall()
        )
    assert upserted.get("cancelled", 0) == int(cancelled.group(1)), upserted
    assert "assigned" not in upserted, upserted
