"""Revoke an API key by its visible prefix."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payables.tenancy.models import ApiKey
from payables.tenancy.services import revoke_api_key


class Command(BaseCommand):
    help = "Revoke an API key given its visible prefix (as shown in the admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")

    def handle(self, *args: object, **options: object) -> None:
        keys = list(ApiKey.objects.filter(prefix=options["prefix"]))
        if len(keys) != 1:
            raise CommandError(
                f"{len(keys)} keys have the prefix {options['prefix']!r}; need exactly one."
            )
        revoke_api_key(keys[0])
        self.stdout.write(f"Revoked {keys[0].prefix}")
