"""``payables backup`` and ``payables restore`` as real processes on the test database
(SQLite, or PostgreSQL with DATABASE_URL): back up, change, restore → the same data and files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from payables.backup.database import pending_migrations
from payables.backup.tests.conftest import Business, database_dump, folder_files
from payables.invoices.models import Invoice
from payables.invoices.services import add_attachment, cancel_invoice
from payables.tests.task_worker import REPO_DIR, database_for_processes

pytestmark = pytest.mark.django_db(transaction=True)

Run = Callable[..., subprocess.CompletedProcess]


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Run]:
    """Run ``payables …`` processes on the test database, files in ``tmp_path/files``."""
    with database_for_processes(tmp_path) as database_env:
        env = os.environ | database_env | {"PAYABLES_DATA_DIR": str(tmp_path)}

        def run(*args: str, **more_env: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [sys.executable, "-m", "payables.cli", *args],
                cwd=REPO_DIR,
                env=env | more_env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )

        yield run


def test_a_restore_brings_back_the_backups_data_and_files(
    processes, business: Business, api, make_invoice, actor, tmp_path
):
    answer = api.get(f"/invoices/{business.kept.id}").json()
    before = database_dump(), folder_files(tmp_path / "files")
    backup = tmp_path / "backup"

    made = processes("backup", str(backup))

    assert made.returncode == 0, made.stderr
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["files"]["count"] == 2
    # a new invoice with a file; one invoice cancelled, one deleted, a stored file lost
    add_attachment(make_invoice(), actor=actor, content=b"new", filename="new.pdf")
    cancel_invoice(business.kept, actor=actor, reason="wrong supplier")
    Invoice.objects.filter(pk=business.other.pk).delete()
    default_storage.delete(business.kept_file.file.name)
    assert (database_dump(), folder_files(tmp_path / "files")) != before

    restored = processes("restore", str(backup), "--force")

    assert restored.returncode == 0, restored.stderr
    assert "no migrations needed" in restored.stdout
    assert "deleted 1 file the backup does not hold" in restored.stdout
    assert (database_dump(), folder_files(tmp_path / "files")) == before
    assert api.get(f"/invoices/{business.kept.id}").json() == answer


def _latest_and_previous(app: str) -> tuple[str, str]:
    loader = MigrationLoader(connection)
    [leaf] = loader.graph.leaf_nodes(app)
    [parent] = [p.key for p in loader.graph.node_map[leaf].parents if p.key[0] == app]
    return leaf[1], parent[1]


def test_a_backup_older_than_the_code_is_restored_then_migrated(
    processes, business: Business, tmp_path
):
    latest, previous = _latest_and_previous("sync")
    call_command("migrate", "sync", previous, verbosity=0)
    try:
        made = processes("backup", str(tmp_path / "backup"))
    finally:
        call_command("migrate", "sync", latest, verbosity=0)
    assert made.returncode == 0, made.stderr
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["migrations"]["sync"] == previous

    restored = processes("restore", str(tmp_path / "backup"), "--force")

    assert restored.returncode == 0, restored.stderr
    assert (
        f"The backup is older than this payables: applying 1 migration (sync.{latest})"
        in restored.stdout
    )
    assert pending_migrations() == []
    assert Invoice.objects.filter(pk=business.kept.pk).exists()


def _with_password(url: str, password: str) -> str:
    user, rest = url.removeprefix("postgres://").split("@", 1)
    return f"postgres://{user.split(':')[0]}:{password}@{rest}"


@pytest.mark.postgres
def test_the_database_password_is_never_printed(processes, business: Business, tmp_path):
    with database_for_processes(tmp_path) as database_env:
        url = _with_password(database_env["DATABASE_URL"], "Pa55-w0rd-never-shown")

    made = processes("backup", str(tmp_path / "backup"), DATABASE_URL=url)
    restored = processes("restore", str(tmp_path / "backup"), "--force", DATABASE_URL=url)

    assert (made.returncode, restored.returncode) == (0, 0), made.stderr + restored.stderr
    printed = made.stdout + made.stderr + restored.stdout + restored.stderr
    assert "Pa55-w0rd-never-shown" not in printed
    assert "PostgreSQL database" in made.stdout


def test_an_unreachable_database_fails_clearly_without_its_password(processes, tmp_path):
    url = "postgres://payables:Pa55-w0rd-never-shown@127.0.0.1:1/payables"

    made = processes("backup", str(tmp_path / "backup"), DATABASE_URL=url)

    assert made.returncode == 1
    assert made.stderr.strip().splitlines()[-1].startswith("payables backup: ")
    assert "Pa55-w0rd-never-shown" not in made.stdout + made.stderr
    assert not (tmp_path / "backup" / "manifest.json").exists()
