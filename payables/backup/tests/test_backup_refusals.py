"""What ``payables backup`` and ``payables restore`` refuse: a clear line, exit 1, and
nothing changed (the database's tables and the stored files as they were)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from payables.backup.manifest import file_digest
from payables.backup.tests.conftest import Business, Outcome, database_dump, folder_files
from payables.invoices.services import add_attachment
from payables.tenancy.actors import Actor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def backup(
    payables: Callable[..., Outcome], business: Business, actor: Actor, tmp_path: Path
) -> Path:
    """A backup of the business data, then a change made after it (a new invoice and file)."""
    folder = tmp_path / "backup"
    made = payables("backup", str(folder))
    assert made.code == 0, made.err
    add_attachment(business.kept, actor=actor, content=b"after", filename="after.txt")
    return folder


def state(tmp_path: Path) -> tuple[str, dict[str, bytes]]:
    return database_dump(), folder_files(tmp_path / "files")


def edit_manifest(folder: Path, change: Callable[[dict], object]) -> None:
    path = folder / "manifest.json"
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def refused(outcome: Outcome, message: str) -> bool:
    line = outcome.err.strip().splitlines()[-1]
    return outcome.code == 1 and line.startswith("payables ") and message in line


def test_a_missing_folder_is_refused(payables, tmp_path):
    outcome = payables("restore", str(tmp_path / "nowhere"), "--force")

    assert refused(outcome, "nowhere does not exist or is not a folder")


def test_no_folder_at_all_shows_the_usage(payables):
    outcome = payables("restore")

    assert outcome.code == 2
    assert "usage: payables restore" in outcome.err


def test_a_folder_without_a_manifest_is_not_a_backup(payables, tmp_path):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "database.sqlite3").write_bytes(b"interrupted")

    outcome = payables("restore", str(tmp_path / "half"), "--force")

    assert refused(outcome, "has no manifest.json: it is not a payables backup")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda path: path.write_text("{not json"), "manifest.json is not valid JSON"),
        (lambda path: path.write_text("[]"), "is not the manifest of a payables backup"),
        (
            lambda path: edit_manifest(path.parent, lambda d: d.pop("database")),
            "manifest.json is damaged: missing 'database'",
        ),
        (
            lambda path: edit_manifest(
                path.parent, lambda d: d["files"]["entries"][0].update(name="../../outside")
            ),
            "unsafe file name '../../outside'",
        ),
        (
            lambda path: edit_manifest(path.parent, lambda d: d.update(format_version=2)),
            "format version 2",
        ),
    ],
    ids=["not-json", "not-a-manifest", "no-database", "unsafe-name", "future-format"],
)
def test_a_corrupt_manifest_is_refused_and_nothing_changes(
    payables, backup, tmp_path, damage, message
):
    before = state(tmp_path)
    damage(backup / "manifest.json")

    outcome = payables("restore", str(backup), "--force")

    assert refused(outcome, message)
    assert state(tmp_path) == before


def test_a_file_with_a_wrong_checksum_is_refused_and_nothing_changes(payables, backup, tmp_path):
    stored = next(p for p in sorted((backup / "files").rglob("*")) if p.is_file())
    stored.write_bytes(bytes(b ^ 1 for b in stored.read_bytes()))  # same size, other bytes
    before = state(tmp_path)

    outcome = payables("restore", str(backup), "--force")

    name = stored.relative_to(backup).as_posix()
    assert refused(outcome, f"is damaged: {name} does not match its SHA-256 in the manifest")
    assert state(tmp_path) == before


def test_a_missing_file_is_refused_and_nothing_changes(payables, backup, tmp_path):
    stored = next(p for p in sorted((backup / "files").rglob("*")) if p.is_file())
    stored.unlink()
    before = state(tmp_path)

    outcome = payables("restore", str(backup), "--force")

    assert refused(outcome, f"{stored.relative_to(backup).as_posix()} is missing")
    assert state(tmp_path) == before


def test_a_damaged_database_whose_checksum_was_made_to_match_is_refused(payables, backup, tmp_path):
    manifest = json.loads((backup / "manifest.json").read_text())
    dump = backup / manifest["database"]["file"]
    dump.write_bytes(b"not a database at all, " * 200)
    size, sha256 = file_digest(dump)
    edit_manifest(backup, lambda d: d["database"].update(size=size, sha256=sha256))
    before = state(tmp_path)

    outcome = payables("restore", str(backup), "--force")

    expected = "pg_restore failed" if connection.vendor == "postgresql" else "could not be restored"
    assert refused(outcome, expected)
    assert state(tmp_path) == before


def test_a_backup_of_a_newer_payables_is_refused(payables, backup, tmp_path):
    edit_manifest(backup, lambda d: d["migrations"].update(sync="9999_from_the_future"))
    before = state(tmp_path)

    outcome = payables("restore", str(backup), "--force")

    assert refused(outcome, "made by a newer payables: this one does not know its migrations")
    assert "sync.9999_from_the_future" in outcome.err
    assert state(tmp_path) == before


def test_a_backup_of_the_other_database_is_refused(payables, backup, tmp_path):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    edit_manifest(backup, lambda d: d["database"].update(vendor=other))
    before = state(tmp_path)

    outcome = payables("restore", str(backup), "--force")

    assert refused(outcome, "payables is configured for")
    assert state(tmp_path) == before


def test_a_database_with_data_is_kept_unless_forced(payables, backup, tmp_path):
    before = state(tmp_path)

    outcome = payables("restore", str(backup))

    assert refused(outcome, "hold data that the restore would replace: 1 company, 1 supplier,")
    assert "2 invoices" in outcome.err and "3 stored files" in outcome.err
    assert "--force" in outcome.err
    assert state(tmp_path) == before


def test_a_fresh_install_is_restored_without_force(payables, business, tmp_path):
    folder = tmp_path / "backup"
    assert payables("backup", str(folder)).code == 0
    before = state(tmp_path)
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(tmp_path / "files")

    outcome = payables("restore", str(folder))

    assert outcome.code == 0, outcome.err
    assert state(tmp_path) == before


def test_a_backup_into_a_folder_that_is_not_empty_needs_force(payables, business, tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")

    outcome = payables("backup", str(folder))

    assert refused(outcome, "is not empty")
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert payables("backup", str(folder), "--force").code == 0
    assert (folder / "manifest.json").is_file()


def test_a_backup_into_the_storage_folder_is_refused(payables, business, tmp_path):
    outcome = payables("backup", str(tmp_path / "files" / "backup"))

    assert refused(outcome, "is inside the storage folder")
    assert not (tmp_path / "files" / "backup").exists()


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_help_prints_the_usage_and_changes_nothing(payables, command, tmp_path):
    outcome = payables(command, "--help")

    assert outcome.code == 0
    assert outcome.out.startswith(f"usage: payables {command} [-h] [--force] DIR")
    assert f"  {command} " in payables("--help").out
