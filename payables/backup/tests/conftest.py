"""Fixtures of the backup tests: business data with stored files, and what a restore must
bring back (a JSON dump of payables' tables, and the stored files' bytes)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from payables.cli import main
from payables.invoices.models import Attachment, Invoice
from payables.invoices.services import add_attachment
from payables.tenancy.actors import Actor

# Every table of payables' own apps ("sync" is the events app's label).
APPS = ("tenancy", "masterdata", "invoices", "sync", "documents", "coding", "orders")
APPS += ("approvals", "handoff")


def database_dump() -> str:
    """payables' tables as JSON, each ordered by primary key."""
    out = StringIO()
    call_command("dumpdata", *APPS, stdout=out)
    return out.getvalue()


def folder_files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(autouse=True)
def _postgresql_client_tools() -> None:
    """On PostgreSQL, backups need pg_dump and its siblings (.ci/run installs them)."""
    if connection.vendor == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (apt install postgresql-client)")


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture
def payables(capsys: pytest.CaptureFixture) -> Callable[..., Outcome]:
    """Run ``payables <args>`` in this process (on the test database); return its outcome."""

    def run(*args: str) -> Outcome:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


@dataclass(frozen=True)
class Business:
    """Two invoices, each with a stored file."""

    kept: Invoice
    other: Invoice
    kept_file: Attachment
    other_file: Attachment


@pytest.fixture
def business(make_invoice: Callable[..., Invoice], actor: Actor) -> Business:
    kept, other = make_invoice(), make_invoice()
    kept_file = add_attachment(kept, actor=actor, content=b"%PDF-1.7 kept", filename="kept.pdf")
    other_file = add_attachment(other, actor=actor, content=b"\x89PNG scan", filename="scan.png")
    return Business(kept, other, kept_file.attachment, other_file.attachment)
