"""The ``slow`` marker keeps ``make test`` fast: the known slow tests carry it, their fast
neighbours do not.

An unmarked 10,000-record load would quietly stretch every newcomer's ``make test``; a
marked fast test would drop out of it. Only the modules below are collected, so this
stays cheap.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]

# The tests `make test` leaves out: bulk loads, webhook bursts, bench runs, killed workers.
SLOW = {
    "payables/masterdata/tests/test_bulk_items.py::"
    "test_a_load_of_10000_items_lands_with_each_bad_record_located",
    "payables/masterdata/tests/test_bulk_suppliers.py::"
    "test_a_load_of_10000_suppliers_lands_with_each_bad_record_located",
    "payables/events/tests/test_webhooks_burst.py::test_a_thousand_events_reach_both_subscribers",
    "payables/digitize/tests/test_ocr.py::test_a_multi_page_tiff_is_read_page_by_page",
    "payables/events/tests/test_webhooks_burst.py::"
    "test_a_thousand_invoice_events_reach_both_subscribers",
    "payables/masterdata/tests/test_bulk_job_crashes.py::"
    "test_a_job_whose_worker_is_killed_resumes_from_its_last_committed_chunk",
    "payables/masterdata/tests/test_bulk_job_crashes.py::"
    "test_a_job_whose_worker_dies_every_time_fails_with_the_reason",
    "payables/tests/test_serve.py::"
    "test_serve_runs_gunicorn_processes_and_a_worker_until_one_sigterm",
    "payables/tests/test_serve.py::"
    "test_waitress_serves_where_gunicorn_does_not_and_no_worker_runs_when_asked",
    "payables/tests/test_worker_pool.py::"
    "test_two_worker_processes_both_run_tasks_and_stop_together_on_sigterm",
    "payables/events/tests/test_workers_at_scale.py::"
    "test_four_worker_processes_drain_a_queue_running_each_task_exactly_once",
    "payables/tests/test_scale_bench.py::"
    "test_a_tiny_scale_database_serves_a_short_load_run_without_errors",
    *(
        f"payables/tests/test_benches.py::test_the_bench_runs_and_prints_its_figures[{name}]"
        for name in (
            "coding_accuracy.py",
            "digitize_accuracy.py",
            "einvoice_bench.py",
            "hostile_bench.py",
            "import_bench.py",
            "masterdata_bench.py",
            "tenant_bench.py",
            "upsert_bench.py",
            "webhook_bench.py",
            "worker_bench.py",
        )
    ),
}


def test_slow_is_a_registered_marker(pytestconfig):
    assert any(line.startswith("slow:") for line in pytestconfig.getini("markers"))


def test_the_known_slow_tests_and_only_they_are_marked_slow():
    modules = sorted({node.split("::")[0] for node in SLOW})
    # A child pytest, not an xdist worker: drop what a parent worker would pass on.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "slow", *modules],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    collected = {line for line in result.stdout.splitlines() if "::" in line}
    assert collected == SLOW
    assert "deselected" in result.stdout  # the fast tests of those modules stay in `make test`
