"""Set a company user's web sign-in password from the command line, found by email address."""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payables.errors import PayablesError, ValidationFailed
from payables.masterdata.services import set_user_password
from payables.tenancy.actors import Actor
from payables.tenancy.models import CompanyUser


class Command(BaseCommand):
    help = (
        "Set the web sign-in password of the company user with this email address. Asks "
        "for it twice on a terminal; otherwise reads one line from standard input "
        '(echo "$PASSWORD" | payables setpassword EMAIL). An address used in several '
        "companies needs --company."
    )
    stealth_options = ("stdin",)  # tests hand in their own input

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The user's email address.")
        parser.add_argument(
            "--company", help="The company's name, when the address is used in several."
        )

    def handle(self, *args: object, **options: object) -> None:
        user = _find_user(str(options["email"]), options["company"])
        if not user.is_active:
            raise CommandError(
                f"{user.email} is an inactive user of {user.company.name}: reactivate them first."
            )
        password = _read_password(options.get("stdin") or sys.stdin)
        try:
            set_user_password(user, password, actor=Actor.system(user.company, "cli:setpassword"))
        except ValidationFailed as exc:
            raise CommandError(" ".join(error.message for error in exc.errors)) from None
        except PayablesError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Password set for {user.email} ({user.name}) of {user.company.name}.")


def _find_user(email: str, company: str | None) -> CompanyUser:
    """The one user with this address (in ``company``, when given), or a clear refusal."""
    email = email.strip().lower()
    found = list(
        CompanyUser.objects.filter(email=email).select_related("company").order_by("company__name")
    )
    if not found:
        raise CommandError(f"No user has the email address {email}.")
    if company is not None:
        found = [user for user in found if user.company.name == company]
        if not found:
            raise CommandError(f"{email} is not a user of a company named {company!r}.")
    if len(found) > 1:
        names = ", ".join(repr(user.company.name) for user in found)
        raise CommandError(
            f"{email} is a user of several companies ({names}), each with a password of its "
            "own: name one with --company."
        )
    return found[0]


def _read_password(stdin: TextIO) -> str:
    """Ask twice on a terminal; else read the first line of the input."""
    if stdin.isatty():
        password = getpass.getpass("New password: ")
        if password != getpass.getpass("New password again: "):
            raise CommandError("The two passwords differ; nothing was changed.")
    else:
        password = stdin.readline().removesuffix("\n").removesuffix("\r")
    if not password:
        raise CommandError("The password is empty; nothing was changed.")
    return password
