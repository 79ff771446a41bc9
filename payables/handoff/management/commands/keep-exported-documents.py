"""Write the stored parts of exported feed documents that are missing or stale
(``payables keep-exported-documents``): run once after upgrading."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payables.handoff.queries import exported_count
from payables.handoff.services import fill_exported_documents
from payables.tenancy.models import Company

PROGRESS_EVERY = 10_000  # invoices looked at between progress lines


class Command(BaseCommand):
    help = (
        "Write the parts of exported invoices' feed documents that no longer change (rows, "
        "VAT breakdown, posting lines, purchase-order match) where they are missing — "
        "invoices exported before they were kept — or stale (their order changed), a "
        "transaction per chunk, in invoice order. Run it once after upgrading: until then "
        "the exported feed builds them for each page it answers. Safe to run again and "
        "while the app serves: a second run writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", help="Company name or registry code (default: all).")
        parser.add_argument(
            "--chunk", type=int, default=500, help="Invoices per transaction (default 500)."
        )

    def handle(self, *args: object, **options: object) -> None:
        company = _company(options["company"])
        chunk = options["chunk"]
        if chunk < 1:
            raise CommandError("--chunk must be positive.")
        total = exported_count(company)
        whose = f"{company.name}: " if company else ""
        self.stdout.write(f"{whose}{total:,} exported invoices to look at.")
        started = time.perf_counter()
        done, reported = None, 0
        for done in fill_exported_documents(company=company, chunk_size=chunk):
            if done.scanned - reported >= PROGRESS_EVERY:
                reported = done.scanned
                rate = done.scanned / (time.perf_counter() - started)
                self.stdout.write(
                    f"  {done.scanned:,} of {total:,} looked at, {done.written:,} written "
                    f"({rate:,.0f} invoices/s)"
                )
        seconds = time.perf_counter() - started
        scanned, written = (done.scanned, done.written) if done else (0, 0)
        self.stdout.write(
            f"{whose}wrote the documents of {written:,} exported invoices; "
            f"{scanned - written:,} were current ({seconds:.1f} s)."
        )


def _company(name: object) -> Company | None:
    if not name:
        return None
    company = (
        Company.objects.filter(name=name).first()
        or Company.objects.filter(registry_code=name).first()
    )
    if company is None:
        raise CommandError(f"No company named {name!r}.")
    return company
