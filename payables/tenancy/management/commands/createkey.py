"""Issue an API key: for an integrator (created with its company when missing) or a user."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from payables.errors import PayablesError
from payables.tenancy.models import Company, CompanyUser, Integrator
from payables.tenancy.scopes import SCOPES
from payables.tenancy.services import (
    create_api_key,
    create_company,
    create_integrator,
    create_personal_api_key,
)


class Command(BaseCommand):
    help = (
        "Issue an API key for an integrator of a company, creating both when missing, "
        "or a personal key for an existing user of the company (--user CODE). "
        "The key is printed once; only its hash is stored. "
        f"Scopes: {', '.join(SCOPES)}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, help="Company name (created if missing).")
        parser.add_argument("--country", default="EE", help="Country of a new company (ISO 3166).")
        parser.add_argument("--registry-code", default="", help="Registry code of a new company.")
        parser.add_argument("--vat-number", default="", help="VAT number of a new company.")
        parser.add_argument("--currency", default="EUR", help="Home currency of a new company.")
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--integrator", help="Integrator name (created if missing).")
        owner.add_argument(
            "--user", help="Code of a company user: a personal key that acts as them."
        )
        parser.add_argument(
            "--scope", action="append", default=[], help="A scope; repeat for more."
        )
        parser.add_argument("--all-scopes", action="store_true", help="Give every scope.")
        parser.add_argument("--name", default="", help="A label for the key.")

    def handle(self, *args: object, **options: object) -> None:
        scopes = list(SCOPES) if options["all_scopes"] else options["scope"]
        if not scopes:
            raise CommandError(
                "Give --scope (repeatable) or --all-scopes: keys have no scope by default."
            )
        if options["user"]:
            self._personal_key(options, scopes)
            return
        try:
            with transaction.atomic():
                company = Company.objects.filter(name=options["company"]).first() or create_company(
                    name=options["company"],
                    country=options["country"],
                    registry_code=options["registry_code"],
                    vat_number=options["vat_number"],
                    home_currency=options["currency"],
                )
                integrator = Integrator.objects.filter(
                    company=company, name=options["integrator"]
                ).first() or create_integrator(company, name=options["integrator"])
                api_key, raw = create_api_key(integrator, scopes=scopes, name=options["name"])
        except PayablesError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Company: {company.name} ({company.id})")
        self.stdout.write(f"Integrator: {integrator.name} ({integrator.id})")
        self.stdout.write(f"Scopes: {' '.join(api_key.scopes)}")
        self.stdout.write(f"API key: {raw}")
        self.stdout.write("Store the key now; it is not shown again.")

    def _personal_key(self, options: dict, scopes: list[str]) -> None:
        company = Company.objects.filter(name=options["company"]).first()
        if company is None:
            raise CommandError(f"No company named {options['company']!r}")
        user = CompanyUser.objects.filter(company=company, code=options["user"]).first()
        if user is None:
            raise CommandError(f"No user with code {options['user']!r} in {company.name}")
        try:
            api_key, raw = create_personal_api_key(user, scopes=scopes, name=options["name"])
        except PayablesError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Company: {company.name} ({company.id})")
        self.stdout.write(f"User: {user.code} {user.name} ({user.id})")
        self.stdout.write(f"Scopes: {' '.join(api_key.scopes)}")
        self.stdout.write(f"API key: {raw}")
        self.stdout.write("Store the key now; it is not shown again.")
