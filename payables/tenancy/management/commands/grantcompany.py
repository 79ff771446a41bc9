"""Let an integrator's API key serve more companies (an accounting office's key)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from payables.errors import PayablesError
from payables.tenancy.models import ApiKey, Company
from payables.tenancy.services import grant_companies, revoke_companies


class Command(BaseCommand):
    help = (
        "Grant an integrator's API key (by its visible prefix) access to other companies: "
        "its digitized and exported feeds then give their documents too, each with its "
        "company_code, and its uploads and sync error reports may name them. --revoke "
        "takes the companies away again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="The key's visible prefix (as the admin shows it).")
        parser.add_argument(
            "--company",
            action="append",
            required=True,
            help="Company name or registry code; repeat for more.",
        )
        parser.add_argument("--revoke", action="store_true", help="Take the companies away.")

    def handle(self, *args: object, **options: object) -> None:
        keys = list(ApiKey.objects.filter(prefix=options["prefix"]))
        if len(keys) != 1:
            raise CommandError(
                f"{len(keys)} keys have the prefix {options['prefix']!r}; need exactly one."
            )
        companies = []
        for name in options["company"]:
            found = list(Company.objects.filter(Q(name=name) | Q(registry_code=name)))
            if len(found) != 1:
                raise CommandError(f"{len(found)} companies are named {name!r}; need exactly one.")
            companies += found
        try:
            if options["revoke"]:
                revoke_companies(keys[0], companies)
            else:
                grant_companies(keys[0], companies)
        except PayablesError as exc:
            raise CommandError(exc.message) from None
        served = [keys[0].integrator.company, *keys[0].granted_companies.order_by("name")]
        self.stdout.write(f"Key {keys[0].prefix} serves: {', '.join(c.name for c in served)}")
