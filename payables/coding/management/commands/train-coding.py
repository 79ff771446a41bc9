"""Train the companies' coding models (``payables train-coding``), e.g. nightly from cron."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payables.coding.models import CodingModel
from payables.coding.services.training import booked_invoices, train_coding_model
from payables.tenancy.models import Company


class Command(BaseCommand):
    help = (
        "Train the learned coding suggestions of each company (or the one named) on its "
        "exported and booked invoices. Companies with no booking since their model was "
        "trained are left as they are unless --force. Run it nightly from cron; between "
        "runs the worker retrains after coding_retrain_after new bookings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", help="Company name or registry code (default: all).")
        parser.add_argument(
            "--force", action="store_true", help="Retrain even without new bookings."
        )

    def handle(self, *args: object, **options: object) -> None:
        for company in _companies(options["company"]):
            booked = booked_invoices(company).count()
            trained = (
                CodingModel.objects.filter(company=company)
                .values_list("booked_count", flat=True)
                .first()
            )
            if not options["force"] and (booked == 0 or booked == trained):
                self.stdout.write(f"{company.name}: no new bookings ({booked} booked), skipped.")
                continue
            model = train_coding_model(company)
            self.stdout.write(
                f"{company.name}: trained on {model.sample_count} lines of "
                f"{model.booked_count} booked invoices."
            )


def _companies(name: object) -> list[Company]:
    if not name:
        return list(Company.objects.order_by("name"))
    found = list(Company.objects.filter(name=name)) or list(
        Company.objects.filter(registry_code=name)
    )
    if not found:
        raise CommandError(f"No company named {name!r}.")
    return found
