"""Upsert benchmark: invoices per second through the batch upsert, first send and re-send.

Integrators re-send what they already sent (retries, nightly full syncs), so the batch
upsert pays twice: once to import an invoice, then on every re-send to recognise it and
skip it without a write. Phase 1 imports batches of invoices, phase 2 sends the very
same batches again (all must be skipped, with no new events), phase 3 inserts the same
kind of invoices with ``bulk_create`` only: the ceiling for this database.

Same setup as ``import_bench.py``: a fresh SQLite file in a temporary data dir, or
``DATABASE_URL`` when set (the bench company is deleted afterwards unless ``--keep``).
Prints figures only.

    python bench/upsert_bench.py [--count 2000] [--batch 200] [--rows 5] [--keep]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from import_bench import make_parser, make_payloads, run, run_bulk

IMPORT_POLICY = "preserve_if_unique_else_fallback"  # the endpoint's default
SOURCE_SYSTEM = "bench-erp"
MAX_BATCH = 200  # the endpoint takes at most 200 invoices per request


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = make_parser(__doc__)
    parser.add_argument(
        "--batch", type=int, default=MAX_BATCH, help=f"invoices per request (1..{MAX_BATCH})"
    )
    parser.add_argument(
        "--queries", action="store_true", help="print the SQL of one imported and one skipped batch"
    )
    options = parser.parse_args(argv)
    if options.count < 1 or options.rows < 1:
        parser.error("--count and --rows must be positive")
    if not 1 <= options.batch <= MAX_BATCH:
        parser.error(f"--batch must be between 1 and {MAX_BATCH}, as for the endpoint")
    return options


def make_items(count: int, rows: int, seed: int, prefix: str, supplier: object) -> list[dict]:
    """Upsert items as an integrator sends them: payload, source identity, supplier by code."""
    supplier_ref = {
        "name": supplier.name,
        "country": supplier.country,
        "registry_code": supplier.registry_code,
    }
    return [
        payload
        | {
            "source_system": SOURCE_SYSTEM,
            "source_invoice_id": f"{prefix}-msg-{n:06d}",
            "source_document_version": "1",
            "supplier": supplier_ref,
            "metadata": {"channel": "bench"},
        }
        for n, payload in enumerate(make_payloads(count, rows, seed, prefix), start=1)
    ]


def send(batches: list[list[dict]], actor: object) -> tuple[float, dict[str, int], list]:
    """Upsert each batch as the endpoint does; return seconds, outcome counts and errors."""
    from payables.invoices.services import upsert_invoices

    # The endpoint gets freshly decoded JSON each time; decode outside the timer.
    batches = json.loads(json.dumps(batches))
    outcomes: dict[str, int] = {}
    errors = []
    started = time.perf_counter()
    for batch in batches:
        report = upsert_invoices(batch, actor=actor, import_policy=IMPORT_POLICY)
        for result in report.results:
            outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
            if result.outcome in {"error", "conflict"}:
                errors.append(result)
    return time.perf_counter() - started, outcomes, errors


def capture_batch(items: list[dict], actor: object) -> tuple[dict[str, int], list[str]]:
    """Upsert one batch; return its outcome counts and the SQL statements it ran."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from payables.invoices.services import upsert_invoices

    items = json.loads(json.dumps(items))  # freshly decoded, as the endpoint gets them
    with CaptureQueriesContext(connection) as captured:
        report = upsert_invoices(items, actor=actor, import_policy=IMPORT_POLICY)
    outcomes: dict[str, int] = {}
    for result in report.results:
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    return outcomes, [q["sql"] for q in captured.captured_queries]


def measure(
    options: argparse.Namespace,
    company: object,
    actor: object,
    supplier: object,
    ceiling_supplier: object,
) -> int:
    """Time the import, the re-send and the bulk_create ceiling; print rates and ratios."""
    from django.db.models import Max

    from payables.events.models import Event
    from payables.invoices.models import AuditEntry, Invoice, InvoiceRow, VatLine

    count, rows, size = options.count, options.rows, options.batch
    items = make_items(count, rows, options.seed, "UPS", supplier)
    batches = [items[i : i + size] for i in range(0, count, size)]
    probe = make_items(min(size, count), rows, options.seed, "PROBE", supplier)
    ceiling_payloads = [
        item | {"source_system": "bench-bulk"}
        for item in make_items(count, rows, options.seed, "BULK", ceiling_supplier)
    ]
    print(f"batches:  {len(batches)} of up to {size} invoices, import policy {IMPORT_POLICY}")

    import_seconds, imported, import_errors = send(batches, actor)
    trail = (
        Event.objects.filter(company=company).count(),
        AuditEntry.objects.filter(invoice__company=company).count(),
    )
    resend_seconds, skipped, resend_errors = send(batches, actor)
    trail_after = (
        Event.objects.filter(company=company).count(),
        AuditEntry.objects.filter(invoice__company=company).count(),
    )

    probe_imported, import_sql = capture_batch(probe, actor)
    probe_skipped, skip_sql = capture_batch(probe, actor)

    first_id = (Invoice.objects.filter(company=company).aggregate(m=Max("internal_id"))["m"]) + 1
    bulk_seconds = run_bulk(ceiling_payloads, company, ceiling_supplier, first_id=first_id)

    import_rate, resend_rate = count / import_seconds, count / resend_seconds
    bulk_rate = count / bulk_seconds
    print(
        f"1 import:      {import_seconds:8.2f} s  {import_rate:9.1f} invoices/s"
        f"  ({1000 * import_seconds / count:.2f} ms per invoice,"
        f" {len(import_sql)} SQL statements per batch of {len(probe)},"
        f" {len(import_sql) / len(probe):.2f} per item)"
    )
    print(
        f"2 re-send:     {resend_seconds:8.2f} s  {resend_rate:9.1f} invoices/s"
        f"  ({1000 * resend_seconds / count:.2f} ms per invoice,"
        f" {len(skip_sql)} SQL statements per batch of {len(probe)})"
    )
    print(
        f"3 bulk_create: {bulk_seconds:8.2f} s  {bulk_rate:9.1f} invoices/s"
        f"  ({count * rows / bulk_seconds:.0f} rows/s, {1000 * bulk_seconds / count:.3f} ms"
        " per invoice)"
    )
    print(
        f"ratio:         import / ceiling = {import_rate / bulk_rate:.3f},"
        f" re-send / ceiling = {resend_rate / bulk_rate:.3f}"
        f"  (re-send is {resend_rate / import_rate:.1f}x as fast as import)"
    )
    if options.queries:
        for title, statements in (("imported", import_sql), ("skipped", skip_sql)):
            print(f"-- SQL of one {title} batch")
            for sql in statements:
                print(f"   {sql[:300]}")

    stored = (
        Invoice.objects.filter(company=company).count(),
        InvoiceRow.objects.filter(invoice__company=company).count(),
        VatLine.objects.filter(invoice__company=company).count(),
        Event.objects.filter(company=company).count(),
    )
    print("stored:        {} invoices, {} rows, {} VAT lines, {} events".format(*stored))

    problems = []
    if imported != {"imported": count}:
        problems.append(f"phase 1 outcomes {imported}, wanted {{'imported': {count}}}")
    if skipped != {"skipped": count}:
        problems.append(f"phase 2 outcomes {skipped}, wanted {{'skipped': {count}}}")
    if trail_after != trail:
        problems.append(f"phase 2 wrote events/audit entries: {trail} before, {trail_after} after")
    if (probe_imported, probe_skipped) != ({"imported": len(probe)}, {"skipped": len(probe)}):
        problems.append(f"probe outcomes {probe_imported}, {probe_skipped}")
    wanted = 2 * count + len(probe)  # import, ceiling and the batch whose statements were counted
    if stored[:2] != (wanted, wanted * rows):
        problems.append(f"wanted {wanted} invoices, {wanted * rows} rows")
    for error in (import_errors + resend_errors)[:3]:
        problems.append(f"item {error.index}: {error.outcome}, {error.detail} {error.errors}")
    for problem in problems:
        print(f"unexpected: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    """Run the three phases of the upsert bench and print the figures."""
    return run(parse_args(argv), measure, label="Upsert bench")


if __name__ == "__main__":
    sys.exit(main())
