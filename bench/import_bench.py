"""Import benchmark: invoices per second through the service layer, against a bulk_create ceiling.

The service path is what every import pays (validation, totals check, supplier and
duplicate-number lookups, counter, audit entry, outbox event, one transaction per
invoice). The ceiling inserts the same invoices, rows and VAT lines with three
``bulk_create`` calls and nothing else, so the ratio shows how much the service costs
over raw inserts on this database.

Runs against whatever the settings say: by default a fresh SQLite file in a temporary
data dir (migrated here, deleted afterwards), or ``DATABASE_URL`` when set (migrated,
and the bench company is deleted afterwards unless ``--keep``). Prints figures only.

    python bench/import_bench.py [--count 2000] [--rows 5] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

# Import the checkout's payables even when run with a python that has another copy.
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

VAT_RATES = (Decimal(24), Decimal(22), Decimal(13), Decimal(9), Decimal(0))
CENT = Decimal("0.01")


def make_parser(doc: str) -> argparse.ArgumentParser:
    """The options every bench takes; a bench adds its own before parsing."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="invoices per phase")
    parser.add_argument("--rows", type=int, default=5, help="rows per invoice")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated amounts")
    parser.add_argument(
        "--keep", action="store_true", help="keep the bench company (DATABASE_URL only)"
    )
    return parser


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = make_parser(__doc__)
    options = parser.parse_args(argv)
    if options.count < 1 or options.rows < 1:
        parser.error("--count and --rows must be positive")
    return options


def make_payloads(count: int, rows: int, seed: int, prefix: str) -> list[dict]:
    """Invoice payloads (plain data, as an API client sends) whose totals reconcile."""
    rng = random.Random(seed)
    start = date(2026, 1, 1)
    payloads = []
    for n in range(count):
        lines = []
        by_rate: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for r in range(rows):
            quantity = Decimal(rng.randint(1, 40))
            unit_price = Decimal(rng.randint(100, 99_999)) / 100
            net = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
            rate = VAT_RATES[(n + r) % len(VAT_RATES)]
            vat = (net * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
            by_rate[rate][0] += net
            by_rate[rate][1] += vat
            lines.append(
                {
                    "description": f"Item {r + 1}",
                    "quantity": str(quantity),
                    "unit": "pcs",
                    "unit_price": str(unit_price),
                    "net_amount": str(net),
                    "vat_rate": str(rate),
                    "vat_amount": str(vat),
                }
            )
        net_total = sum((base for base, _ in by_rate.values()), Decimal(0))
        vat_total = sum((vat for _, vat in by_rate.values()), Decimal(0))
        invoice_date = start + timedelta(days=n % 365)
        payloads.append(
            {
                "invoice_number": f"{prefix}-{n + 1:06d}",
                "invoice_date": invoice_date.isoformat(),
                "due_date": (invoice_date + timedelta(days=14)).isoformat(),
                "currency": "EUR",
                "net_amount": str(net_total),
                "vat_amount": str(vat_total),
                "gross_amount": str(net_total + vat_total),
                "rows": lines,
                "vat_breakdown": [
                    {"vat_rate": str(rate), "base_amount": str(base), "vat_amount": str(vat)}
                    for rate, (base, vat) in sorted(by_rate.items(), reverse=True)
                ],
            }
        )
    return payloads


def run_service(payloads: list[dict], supplier_id: uuid.UUID, actor: object) -> float:
    """Create each invoice as an integrator would: validate the payload, call the service."""
    from payables.invoices.schemas import InvoiceIn
    from payables.invoices.services import create_invoice

    started = time.perf_counter()
    for payload in payloads:
        create_invoice(InvoiceIn(supplier_id=supplier_id, **payload), actor=actor)
    return time.perf_counter() - started


def count_queries(payload: dict, supplier_id: uuid.UUID, actor: object) -> int:
    """Create one more invoice through the service and count its SQL statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from payables.invoices.schemas import InvoiceIn
    from payables.invoices.services import create_invoice

    with CaptureQueriesContext(connection) as captured:
        create_invoice(InvoiceIn(supplier_id=supplier_id, **payload), actor=actor)
    return len(captured.captured_queries)


def run_bulk(payloads: list[dict], company: object, supplier: object, first_id: int) -> float:
    """Insert the same invoices with bulk_create only: the ceiling for this database.

    A payload's source identity (``source_system``, ``source_invoice_id``), when it has
    one, is stored too, so the ceiling also pays for that unique index.
    """
    from django.db import transaction
    from django.utils import timezone

    from payables.invoices.models import Invoice, InvoiceRow, VatLine

    started = time.perf_counter()
    today = timezone.localdate()
    invoices, rows, vat_lines = [], [], []
    for i, payload in enumerate(payloads):
        net, vat = Decimal(payload["net_amount"]), Decimal(payload["vat_amount"])
        gross = Decimal(payload["gross_amount"])
        invoice = Invoice(
            company=company,
            supplier=supplier,
            internal_id=first_id + i,
            invoice_number=payload["invoice_number"],
            invoice_date=date.fromisoformat(payload["invoice_date"]),
            due_date=date.fromisoformat(payload["due_date"]),
            entry_date=today,
            currency=payload["currency"],
            net_amount=net,
            vat_amount=vat,
            gross_amount=gross,
            home_net_amount=net,
            home_vat_amount=vat,
            home_gross_amount=gross,
            source_system=payload.get("source_system", ""),
            source_invoice_id=payload.get("source_invoice_id", ""),
        )
        invoices.append(invoice)
        rows.extend(
            InvoiceRow(
                invoice=invoice,
                position=p,
                description=row["description"],
                quantity=Decimal(row["quantity"]),
                unit=row["unit"],
                unit_price=Decimal(row["unit_price"]),
                net_amount=Decimal(row["net_amount"]),
                vat_rate=Decimal(row["vat_rate"]),
                vat_amount=Decimal(row["vat_amount"]),
            )
            for p, row in enumerate(payload["rows"], start=1)
        )
        vat_lines.extend(
            VatLine(
                invoice=invoice,
                position=p,
                vat_rate=Decimal(line["vat_rate"]),
                base_amount=Decimal(line["base_amount"]),
                vat_amount=Decimal(line["vat_amount"]),
            )
            for p, line in enumerate(payload["vat_breakdown"], start=1)
        )
    with transaction.atomic():
        Invoice.objects.bulk_create(invoices, batch_size=500)
        InvoiceRow.objects.bulk_create(rows, batch_size=500)
        VatLine.objects.bulk_create(vat_lines, batch_size=500)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run both phases of the import bench and print the figures."""
    return run(parse_args(argv), measure, label="Import bench")


# What a bench times: (options, company, actor, supplier, ceiling_supplier) -> exit code.
Measure = Callable[[argparse.Namespace, object, object, object, object], int]


def run(options: argparse.Namespace, measure: Measure, *, label: str) -> int:
    """Set up a throwaway data dir, then run ``measure`` in a fresh bench company."""
    # Settings read the environment once, at django.setup(): prepare it before.
    with tempfile.TemporaryDirectory(prefix="payables-bench-") as data_dir:
        os.environ["PAYABLES_DATA_DIR"] = data_dir  # SQLite file, secret and files: never ./var
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payables.settings")
        os.environ.setdefault("PAYABLES_LOG_LEVEL", "WARNING")
        return bench(options, measure, label=label)


def bench(options: argparse.Namespace, measure: Measure, *, label: str) -> int:
    """Migrate, create the bench company, run ``measure``, clean up."""
    if not prepare_database():
        return 2
    from django.db import connection, connections, transaction

    from payables.invoices.models import Invoice
    from payables.tenancy.models import Company

    print(f"invoices: {options.count} per phase, {options.rows} rows each")
    company, actor, supplier, ceiling_supplier = make_company(label)
    try:
        return measure(options, company, actor, supplier, ceiling_supplier)
    finally:
        if connection.vendor != "sqlite" and not options.keep:
            with transaction.atomic():  # invoices first: they protect their suppliers
                Invoice.objects.filter(company=company).delete()
                Company.objects.filter(pk=company.pk).delete()
        connections.close_all()  # before the temporary SQLite file is removed


def prepare_database() -> bool:
    """Set Django up, connect and migrate, and say which database; False when unreachable.

    Every bench starts with this (from its own ``bench()``, after the environment is set).
    """
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import OperationalError, connection

    try:
        connection.ensure_connection()
    except OperationalError as exc:
        print(f"cannot connect to the database: {exc}", file=sys.stderr)
        print("(create it first, e.g. `createdb -h 127.0.0.1 -U postgres NAME`)", file=sys.stderr)
        return False
    call_command("migrate", interactive=False, verbosity=0)
    where = connection.vendor
    if where == "sqlite":
        where += f" (file in a temporary dir: {connection.settings_dict['NAME']})"
    else:
        where += f" (database {connection.settings_dict['NAME']!r})"
    print(f"database: {where}")
    return True


def make_company(label: str) -> tuple:
    """A company of its own (unique name) with two suppliers, made through the services."""
    from payables.masterdata.services import create_supplier
    from payables.tenancy.actors import Actor
    from payables.tenancy.services import create_company

    company = create_company(name=f"{label} {uuid.uuid4().hex[:8]}", country="EE")
    actor = Actor.system(company, label.lower())
    supplier = create_supplier(
        {
            "name": "Tallinna Kontoritarbed AS",
            "country": "EE",
            "registry_code": "10137319",
            "vat_number": "EE100931558",
        },
        actor=actor,
    )
    ceiling_supplier = create_supplier(
        {"name": "Helsingin Siivous Oy", "country": "FI", "registry_code": "2077474-0"},
        actor=actor,
    )
    return company, actor, supplier, ceiling_supplier


def measure(
    options: argparse.Namespace,
    company: object,
    actor: object,
    supplier: object,
    ceiling_supplier: object,
) -> int:
    """Time the service phase and the bulk_create phase; print rates and their ratio."""
    from payables.events.models import Event
    from payables.invoices.models import Invoice, InvoiceRow, VatLine

    count, rows = options.count, options.rows
    payloads = make_payloads(count, rows, options.seed, "SVC")
    ceiling_payloads = make_payloads(count, rows, options.seed, "BULK")
    probe = make_payloads(1, rows, options.seed, "PROBE")[0]

    service_seconds = run_service(payloads, supplier.id, actor)
    queries = count_queries(probe, supplier.id, actor)
    bulk_seconds = run_bulk(ceiling_payloads, company, ceiling_supplier, first_id=count + 2)

    service_rate, bulk_rate = count / service_seconds, count / bulk_seconds
    print(
        f"service layer: {service_seconds:8.2f} s  {service_rate:9.1f} invoices/s"
        f"  ({1000 * service_seconds / count:.2f} ms per invoice, {queries} SQL statements)"
    )
    print(
        f"bulk_create:   {bulk_seconds:8.2f} s  {bulk_rate:9.1f} invoices/s"
        f"  ({1000 * bulk_seconds / count:.3f} ms per invoice)"
    )
    print(
        f"ratio:         service / ceiling = {service_rate / bulk_rate:.3f}"
        f"  (bulk_create is {bulk_rate / service_rate:.1f}x faster)"
    )
    stored = (
        Invoice.objects.filter(company=company).count(),
        InvoiceRow.objects.filter(invoice__company=company).count(),
        VatLine.objects.filter(invoice__company=company).count(),
        Event.objects.filter(company=company).count(),
    )
    print("stored:        {} invoices, {} rows, {} VAT lines, {} events".format(*stored))
    wanted = 2 * count + 1  # both phases and the probe whose statements were counted
    if stored[:2] != (wanted, wanted * rows):
        print(f"unexpected: wanted {wanted} invoices, {wanted * rows} rows", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
