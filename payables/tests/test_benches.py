"""The benches still run: each, with a tiny load, prints its figures and exits 0.

Figures are not judged here (tests never assert on time); this only keeps the scripts
from rotting between the runs that measure. Each runs as ``make bench`` runs it: its own
process, a throwaway SQLite file (DATABASE_URL is removed from its environment).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from payables.einvoice.tests.corpus import ABSENT, CORPUS_DIR

pytestmark = pytest.mark.slow

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"

SMALL = {
    "import_bench.py": ["--count", "3", "--rows", "2"],
    "upsert_bench.py": ["--count", "3", "--rows", "2"],
    "masterdata_bench.py": ["--count", "20"],
    "tenant_bench.py": ["--count", "6", "--rows", "2", "--writers", "2"],
    "webhook_bench.py": ["--count", "8"],
    "worker_bench.py": ["--count", "20", "--processes", "2"],
    "einvoice_bench.py": ["--rounds", "1"],
    "hostile_bench.py": ["--case", "billion-laughs", "--case", "pdf-zip-bomb"],
    "digitize_accuracy.py": ["--limit", "2", "--sets", "text,pdftext"],
    "coding_accuracy.py": ["--count", "600", "--suppliers", "30"],
}
# Benches whose figures are not rates: the word their table always prints.
FIGURES = {"hostile_bench.py": "verdict"}


@pytest.mark.parametrize("script", sorted(SMALL))
def test_the_bench_runs_and_prints_its_figures(script):
    if script in ("einvoice_bench.py", "digitize_accuracy.py") and not CORPUS_DIR.is_dir():
        pytest.skip(ABSENT)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.pop("PAYABLES_TASKS_BACKEND", None)  # the benches choose their own
    result = subprocess.run(
        [sys.executable, str(BENCH_DIR / script), *SMALL[script]],
        cwd=BENCH_DIR.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    if script in FIGURES:
        assert FIGURES[script] in result.stdout, result.stdout
        assert "failed to run" not in result.stdout, result.stdout + result.stderr[-4000:]
    else:
        assert "ratio" in result.stdout or "/s" in result.stdout, result.stdout
