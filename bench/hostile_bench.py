"""Hostile-input benchmark: what refusing each attack costs, and the largest accepted ones.

Every document of the hostile suite (``payables/einvoice/tests/hostile_documents.py``:
XXE variants, billion laughs, quadratic blowup, deep nesting, millions of elements or
attributes, repeated groups, PDF zip and object-stream bombs, PDFs of 60,000 objects,
...) goes through ``import_einvoice`` as the API and the CLI call it, then the largest
documents the limits let through (1,000 lines, 20 MiB of attachments, ...). Each case
runs in a process of its own, warmed up first (schemas and stylesheets compiled), so
its figures are its own: CPU and wall seconds, the process's peak memory during the case
(Linux: the high-water mark is reset before it; elsewhere the peak since start) and how
much that peak rose over the warmed-up process, and the verdict (HTTP status and code).
The budget is about 2 s of CPU and 300 MB per document. Prints figures only; the
verdicts are checked by the tests.

    python bench/hostile_bench.py [--case NAME ...] [--list]

Runs on a throwaway SQLite database (``DATABASE_URL`` when set), like the other benches;
options the other benches take (``make bench ARGS=...``) are ignored.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

SCHEMA_DIR = REPO_ROOT.parent / "shared" / "corpus" / "xsd"
RULES_DIR = REPO_ROOT.parent / "shared" / "corpus" / "xslt" / "en16931"
BUDGET = "budget per document: about 2 s of CPU and 300 MB"


def cases() -> dict[str, tuple[str, object]]:
    """Every case by name: (what it is, its builder)."""
    from payables.einvoice.tests.hostile_documents import CASES, EDGE_CASES

    return {case.name: (case.what, case.build) for case in (*CASES, *EDGE_CASES)}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", action="append", default=[], help="run only this case")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process: run one case
    parser.add_argument("--company", help=argparse.SUPPRESS)
    options, _ignored = parser.parse_known_args(argv)
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if options.one:
        return run_one(options.one, options.company)
    known = cases()
    if options.list:
        for name, (what, _build) in known.items():
            print(f"{name:28} {what}")
        return 0
    unknown = [name for name in options.case if name not in known]
    if unknown:
        print(f"unknown case(s): {', '.join(unknown)}; see --list", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="payables-bench-") as data_dir:
        os.environ["PAYABLES_DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payables.settings")
        os.environ.setdefault("PAYABLES_LOG_LEVEL", "ERROR")
        return run_all(options.case or list(known), known)


def run_all(names: list[str], known: dict) -> int:
    """Prepare the database and a company, then run each case in a process of its own."""
    from import_bench import make_company, prepare_database

    if not prepare_database():
        return 2
    from django.db import connection, connections

    company = make_company("Hostile bench")[0]
    print(BUDGET)
    print(f"{'case':28} {'size':>9}  {'cpu s':>6} {'wall s':>6} {'peak MB':>8} {'+MB':>6}  verdict")
    worst_cpu, worst_growth = (0.0, ""), (0.0, "")
    try:
        for name in names:
            figures = _child(name, company.pk)
            if figures is None:
                print(f"{name:28} failed to run")
                continue
            print(
                f"{name:28} {figures['size'] / 1e6:7.2f}MB  {figures['cpu']:6.3f} "
                f"{figures['wall']:6.3f} {figures['peak'] / 1024:8.0f} "
                f"{figures['growth'] / 1024:6.0f}  {figures['verdict'][:90]}"
            )
            worst_cpu = max(worst_cpu, (figures["cpu"], name))
            worst_growth = max(worst_growth, (figures["growth"] / 1024, name))
        print(
            f"worst: {worst_cpu[0]:.3f} s CPU ({worst_cpu[1]}), "
            f"+{worst_growth[0]:.0f} MB ({worst_growth[1]})"
        )
    finally:
        if connection.vendor != "sqlite":
            from payables.invoices.models import Invoice
            from payables.tenancy.models import Company

            Invoice.objects.filter(company=company).delete()
            Company.objects.filter(pk=company.pk).delete()
        connections.close_all()
    return 0


def _child(name: str, company_id: object) -> dict | None:
    result = subprocess.run(
        [sys.executable, __file__, "--one", name, "--company", str(company_id)],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ.copy(),
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        sys.stderr.write(result.stderr[-2000:])
        return None
    return json.loads(lines[-1])


def run_one(name: str, company_id: str) -> int:
    """In a child process: warm up, build the document, import it, print its figures."""
    import django

    django.setup()
    from django.conf import settings

    from payables.errors import PayablesError
    from payables.invoices.services.einvoice_import import DocumentRefused, import_einvoice
    from payables.tenancy.actors import Actor
    from payables.tenancy.models import Company

    if SCHEMA_DIR.is_dir():
        settings.PAYABLES_EINVOICE_SCHEMA_DIR = SCHEMA_DIR
        settings.PAYABLES_EINVOICE_RULES_DIR = RULES_DIR
    actor = Actor.system(Company.objects.get(pk=company_id), "hostile-bench")
    _warm_up(settings)
    data = cases()[name][1]()
    gc.collect()
    baseline = _reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        document = import_einvoice(data, actor=actor)
        outcomes = sorted({result.outcome for result in document.results})
        verdict = f"200 {', '.join(outcomes)}"
    except DocumentRefused as refused:
        entry = refused.errors[0]
        verdict = f"{refused.status} {entry.code}: {entry.message}"
    except PayablesError as refused:
        verdict = f"{refused.status} {refused.code}: {refused.message}"
    cpu, wall = time.process_time() - cpu, time.perf_counter() - started
    peak = _peak_kb()
    figures = {
        "size": len(data),
        "cpu": cpu,
        "wall": wall,
        "peak": peak,
        "growth": max(0, peak - baseline),
        "verdict": " ".join(verdict.split()),
    }
    print(json.dumps(figures))
    return 0


def _warm_up(settings: object) -> None:
    """Compile the schemas and stylesheets, as a running server has, without writing."""
    from payables import einvoice
    from payables.einvoice.tests.hostile_documents import CII_SAMPLE, UBL_SAMPLE
    from payables.einvoice.validation import validate

    for sample in (UBL_SAMPLE, CII_SAMPLE):
        data = sample.read_bytes()
        validate(
            data,
            einvoice.parse(data),
            schema_dir=settings.PAYABLES_EINVOICE_SCHEMA_DIR,
            rules_dir=settings.PAYABLES_EINVOICE_RULES_DIR,
        )


def _reset_peak() -> int:
    """Reset the process's peak resident memory (Linux); return the current one in KB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kb("VmRSS")
    except OSError:
        return _peak_kb()


def _peak_kb() -> int:
    try:
        return _status_kb("VmHWM")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise OSError(f"no {field} in /proc/self/status")


if __name__ == "__main__":
    sys.exit(main())
