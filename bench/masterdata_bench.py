"""Master data bench: a bulk load of suppliers, submit to done, against a bulk_create ceiling.

Phase 1 submits a load of new suppliers (``submit_bulk_job``, what ``POST
/suppliers/bulk`` calls) and runs django-tasks-db's worker until the job is done: every
record checked, upserted by ERP code in chunks, one event each. Phase 2 sends the very
same load again (all must come back unchanged, with no event but the job's own). Phase 3
inserts the same kind of suppliers and bank accounts with two ``bulk_create`` calls and
nothing else: the ceiling for this database.

Same setup as ``import_bench.py`` (its bench company): a fresh SQLite file in a temporary
data dir, or ``DATABASE_URL`` when set (the bench company, its jobs and their task
results are deleted afterwards unless ``--keep``). Prints figures only.

    python bench/masterdata_bench.py [--count 10000] [--chunk 250] [--keep]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from import_bench import make_company, prepare_database
from stdnum.ee import registrikood

IBAN = "EE382200221020145685"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="suppliers per phase")
    parser.add_argument("--chunk", type=int, default=None, help="records per chunk (setting)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the bench company (DATABASE_URL only)"
    )
    options = parser.parse_args(argv)
    if not 1 <= options.count <= 10_000:
        parser.error("--count must be between 1 and 10,000, as for the endpoint")
    return options


def main(argv: list[str] | None = None) -> int:
    """Run the phases in a throwaway data dir (SQLite) or DATABASE_URL, as import_bench does."""
    options = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="payables-bench-") as data_dir:
        os.environ["PAYABLES_DATA_DIR"] = data_dir  # SQLite file, secret and files: never ./var
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payables.settings")
        os.environ.setdefault("PAYABLES_LOG_LEVEL", "WARNING")
        return bench(options)


def bench(options: argparse.Namespace) -> int:
    """Migrate, make the bench company (import_bench's), measure, clean up."""
    if not prepare_database():
        return 2
    from django.db import connection, connections

    from payables.tenancy.models import Company

    company, actor, *_ = make_company("Master data bench")  # two suppliers besides
    try:
        return measure(options, company, actor)
    finally:
        if connection.vendor != "sqlite" and not options.keep:
            Company.objects.filter(pk=company.pk).delete()
        connections.close_all()  # before the temporary SQLite file is removed


def registry_code(n: int) -> str:
    """The n-th valid Estonian registry code from 10000000 on."""
    base = f"{1_000_000 + n:07d}"
    return next(base + d for d in "0123456789" if registrikood.is_valid(base + d))


def make_records(count: int, first: int, prefix: str) -> list[dict]:
    """Suppliers as an ERP sends them: ERP code, name, registry code, address, bank account."""
    return [
        {
            "erp_code": f"{prefix}-{n:05d}",
            "name": f"Tarnija {n} OÜ",
            "country": "EE",
            "registry_code": registry_code(n),
            "street": f"Pärnu mnt {n % 200 + 1}",
            "postal_code": "10141",
            "city": "Tallinn",
            "bank_accounts": [{"iban": IBAN, "bic": "HABAEE2X"}],
        }
        for n in range(first, first + count)
    ]


def run_job(records: list[dict], actor: object) -> tuple[float, float, object]:
    """Submit the load and run the worker until it is done; return both times and the job."""
    from payables.masterdata.models import BulkJob
    from payables.masterdata.services.bulk import submit_bulk_job
    from payables.tests.task_worker import run_worker

    started = time.perf_counter()
    job = submit_bulk_job(BulkJob.Kind.SUPPLIER, records, mode="upsert", actor=actor)
    submitted = time.perf_counter()
    run_worker(worker_id="bench")
    finished = time.perf_counter()
    job.refresh_from_db()
    return submitted - started, finished - started, job


def run_bulk(records: list[dict], company: object) -> float:
    """Insert the same suppliers and bank accounts with bulk_create only: the ceiling."""
    from django.db import transaction

    from payables.masterdata.models import Supplier, SupplierBankAccount

    started = time.perf_counter()
    suppliers, accounts = [], []
    for record in records:
        supplier = Supplier(
            company=company, **{k: v for k, v in record.items() if k != "bank_accounts"}
        )
        suppliers.append(supplier)
        accounts.extend(
            SupplierBankAccount(supplier=supplier, iban=a["iban"], bic=a["bic"], position=i)
            for i, a in enumerate(record["bank_accounts"])
        )
    with transaction.atomic():
        Supplier.objects.bulk_create(suppliers, batch_size=500)
        SupplierBankAccount.objects.bulk_create(accounts, batch_size=500)
    return time.perf_counter() - started


def measure(options: argparse.Namespace, company: object, actor: object) -> int:
    """Time the job twice (new, then unchanged) and the bulk_create ceiling; print rates."""
    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    from payables.events.models import Event
    from payables.masterdata.models import Supplier
    from payables.masterdata.services.bulk import DEFAULT_CHUNK_SIZE

    count = options.count
    chunk = options.chunk or getattr(settings, "PAYABLES_BULK_CHUNK_SIZE", DEFAULT_CHUNK_SIZE)
    if options.chunk:
        settings.PAYABLES_BULK_CHUNK_SIZE = options.chunk
    backend = settings.TASKS["default"]["BACKEND"]
    print(f"suppliers: {count} per phase, chunks of {chunk}, tasks: {backend}")
    records = make_records(count, 0, "S")
    tasks_before = set(DBTaskResult.objects.values_list("pk", flat=True))
    try:
        submit_seconds, job_seconds, job = run_job(records, actor)
        _, resend_seconds, resend = run_job(records, actor)
    finally:
        if not options.keep:
            DBTaskResult.objects.exclude(pk__in=tasks_before).delete()
    # Registry codes of its own: 10200000 on (make_company's supplier has 10137319).
    bulk_seconds = run_bulk(make_records(count, 20_000, "C"), company)

    job_rate, resend_rate, bulk_rate = (
        count / job_seconds,
        count / resend_seconds,
        count / bulk_seconds,
    )
    print(
        f"bulk job:      {job_seconds:8.2f} s  {job_rate:9.1f} suppliers/s"
        f"  ({1000 * job_seconds / count:.2f} ms per supplier; submit {submit_seconds:.2f} s)"
    )
    print(
        f"re-send:       {resend_seconds:8.2f} s  {resend_rate:9.1f} suppliers/s"
        f"  ({1000 * resend_seconds / count:.3f} ms per supplier, all unchanged)"
    )
    print(
        f"bulk_create:   {bulk_seconds:8.2f} s  {bulk_rate:9.1f} suppliers/s"
        f"  ({1000 * bulk_seconds / count:.3f} ms per supplier)"
    )
    print(
        f"ratio:         job / ceiling = {job_rate / bulk_rate:.3f}"
        f"  (bulk_create is {bulk_rate / job_rate:.1f}x faster);"
        f" re-send / ceiling = {resend_rate / bulk_rate:.3f}"
    )
    events = Event.objects.filter(company=company)
    stored = (
        Supplier.objects.filter(company=company).count(),
        events.filter(type="supplier.created").count(),
        events.filter(type="masterdata.job_finished").count(),
    )
    print(
        "stored:        {} suppliers, {} supplier.created events, {} jobs finished".format(*stored)
    )
    outcomes = (job.state, job.created_count, resend.state, resend.unchanged_count)
    if outcomes != ("done", count, "done", count) or stored != (2 * count + 2, count + 2, 2):
        print(f"unexpected: jobs {outcomes}, stored {stored}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
