"""The ``payables`` console script: serve, worker, import, demo, and every Django command.

``payables serve`` is the one command a newcomer needs: it migrates, starts a task
worker beside the web server and serves http://127.0.0.1:8000 (``serve.py``);
``payables worker`` runs task workers (``workers.py``).
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import PackageNotFoundError, version

import django

from payables.cli.serve import serve
from payables.cli.workers import worker

__all__ = ["COMMANDS", "main", "serve", "worker"]

# payables' own commands, as `payables --help` lists them. The ones not handled here are
# management commands of payables' apps (`import` is payables.invoices'), and a test
# checks that every such command is listed.
COMMANDS = {
    "serve": "Migrate, then serve the web inbox and API with a task worker beside it.",
    "worker": "Run background task workers (--processes N; any number against PostgreSQL).",
    "import": "Import e-invoices, PDFs and scans (files, folders, globs); scans are digitized.",
    "demo": "Load a demo company with data and users (--reset-passwords: new passwords).",
    "createkey": "Issue an API key for an integrator (created if missing) or a user.",
    "revokekey": "Revoke an API key by its visible prefix.",
    "grantcompany": "Let an integrator's key serve more companies (an accounting office).",
    "setpassword": "Set a user's web sign-in password, by email address (--company NAME).",
    "load-rates": "Load a company's exchange rates from an ECB-format CSV or zip file.",
    "train-coding": "Train the companies' coding suggestions on their booked invoices (nightly).",
    "keep-exported-documents": "Store the exported feed's documents (once, after upgrading).",
    "backup": "Back up the database and the stored files into a folder (safe while running).",
    "restore": "Restore a backup folder: check it, replace the database and files, migrate.",
}


def main(argv: list[str] | None = None) -> None:
    """Dispatch ``payables <command>``; unknown commands go to Django's management."""
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payables.settings")
    command = argv[0] if argv else "--help"
    if command in {"-h", "--help"} or argv == ["help"]:
        sys.stdout.write(usage())
    elif command in {"-V", "--version"}:
        sys.stdout.write(f"payables {payables_version()}\n")
    elif command == "serve":
        serve(argv[1:])
    elif command == "worker":
        worker(argv[1:])
    elif command == "demo":
        demo(argv[1:])
    elif command in {"backup", "restore"}:
        from payables.backup.commands import run

        run(command, argv[1:])
    else:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["payables", *argv])


def usage() -> str:
    """The text of ``payables --help``: our commands first, then Django's."""
    width = max(map(len, COMMANDS)) + 2
    lines = [
        f"payables {payables_version()}: the self-hosted accounts-payable hub.",
        "",
        "Usage: payables <command> [options]   (payables <command> --help: its options)",
        "",
        "Commands:",
        *(f"  {name:<{width}}{text}" for name, text in COMMANDS.items()),
        "",
        "Every Django management command works too: payables migrate, payables",
        "createsuperuser, payables shell, … (payables help --commands lists them all).",
        "payables --version prints the version.",
    ]
    return "\n".join(lines) + "\n"


def payables_version() -> str:
    """The installed distribution's version (a plain source checkout has none)."""
    try:
        return version("payables")
    except PackageNotFoundError:
        return "(not installed)"


def demo(args: list[str]) -> None:
    """Load the demo company; run again, issue a key or give its users new passwords."""
    parser = argparse.ArgumentParser(
        prog="payables demo",
        description=(
            "Create the demo company: master data, three users (their passwords are printed "
            "once), five suppliers, twenty invoices, an API key and a personal key. Run again, "
            "it issues a new API key and changes nothing else."
        ),
    )
    parser.add_argument(
        "--reset-passwords",
        action="store_true",
        help="Give the existing demo users new passwords, and print them.",
    )
    options = parser.parse_args(args)  # --help prints and exits before anything changes
    django.setup()
    from django.core.management import call_command

    from payables.demo import load_demo

    call_command("migrate", interactive=False, verbosity=0)  # a fresh ./var has no tables
    load_demo(out=sys.stdout, reset_passwords=options.reset_passwords)
