"""Load a company's own exchange rates from an ECB-format file (``payables load-rates``)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payables.errors import PayablesError, ValidationFailed
from payables.masterdata.services import load_rate_file
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company


class Command(BaseCommand):
    help = (
        "Load exchange rates from a file in the ECB's format (eurofxref-hist.csv or .zip: "
        "Date,USD,JPY,… in units per euro) as the company's own rates, converted to its home "
        "currency. They win over the ECB rates payables ships for invoices without a rate; "
        "a rate already stored for a currency and day is replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV or zip file.")
        parser.add_argument(
            "--company", help="Company name or registry code (needed when there are several)."
        )

    def handle(self, *args: object, **options: object) -> None:
        company = _company(options["company"])
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        actor = Actor.system(company, "cli:load-rates")
        try:
            loaded = load_rate_file(data, actor=actor, source_label=path.name)
        except ValidationFailed as exc:
            raise CommandError("; ".join(_located(e) for e in exc.errors)) from None
        except PayablesError as exc:
            raise CommandError(_located(exc)) from None
        written = loaded.created + loaded.updated
        span = f" from {loaded.date_from} to {loaded.date_to}" if written else ""
        self.stdout.write(
            f"{company.name}: {written} rates of {len(loaded.currencies)} currencies in "
            f"{company.home_currency}{span} (created {loaded.created}, updated "
            f"{loaded.updated}, unchanged {loaded.unchanged})."
        )


def _company(name: object) -> Company:
    if name:
        company = (
            Company.objects.filter(name=name).first()
            or Company.objects.filter(registry_code=name).first()
        )
        if company is None:
            raise CommandError(f"No company named {name!r}.")
        return company
    companies = list(Company.objects.order_by("name")[:2])
    if len(companies) != 1:
        raise CommandError("Name the company with --company." if companies else "No company yet.")
    return companies[0]


def _located(error: PayablesError) -> str:
    where = " ".join(str(part) for part in error.loc or ())
    return f"{where}: {error.message}" if where else error.message
