"""``payables backup DIR`` and ``payables restore DIR``: the order of the steps, and what
each says. A refusal or failure prints one clear line and exits 1."""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import django
from django.apps import apps
from django.db import DatabaseError

from payables.backup.manifest import (
    FILES_DIR,
    MANIFEST_NAME,
    BackupError,
    Manifest,
    file_digest,
    read_manifest,
    verify_backup,
)

BACKUP_HELP = (
    "Back up the database (SQLite's online backup, or pg_dump) and every stored file "
    "(local folder or S3) into DIR, with a manifest of their SHA-256. Safe while payables "
    "runs."
)
RESTORE_HELP = (
    "Restore a backup made by `payables backup`: check it, replace the database and the "
    "stored files with it, and run the migrations it lacks. Stop payables first."
)


def run(command: str, args: list[str], out: TextIO | None = None) -> None:
    """Run ``payables backup`` or ``payables restore`` with its arguments."""
    out = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog=f"payables {command}", description=BACKUP_HELP if command == "backup" else RESTORE_HELP
    )
    parser.add_argument("dir", metavar="DIR", type=Path, help="The backup folder.")
    parser.add_argument(
        "--force",
        action="store_true",
        help=(
            "Write into a folder that is not empty (its backup is replaced)."
            if command == "backup"
            else "Replace a database that holds data, and the stored files."
        ),
    )
    options = parser.parse_args(args)  # --help prints and exits before anything changes
    if not apps.ready:
        django.setup()
    try:
        if command == "backup":
            back_up(options.dir, force=options.force, out=out)
        else:
            restore(options.dir, force=options.force, out=out)
    except (BackupError, DatabaseError) as exc:
        problem = str(exc) if isinstance(exc, BackupError) else f"database error: {exc}"
        sys.stderr.write(f"payables {command}: {' '.join(problem.split())}\n")  # one line
        raise SystemExit(1) from None


def back_up(folder: Path, *, force: bool, out: TextIO) -> Manifest:
    """Write a backup of the database and the stored files into ``folder``."""
    from payables.backup import database, files
    from payables.cli import payables_version

    folder = folder.resolve()
    vendor = database.database_vendor()
    database.check_tools()
    migrations = database.applied_migrations()  # before anything is written: it can fail
    _check_target(folder, force=force, files_root=files.local_root())
    created_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    dump = folder / database.DATABASE_FILES[vendor]
    partial = dump.with_name(f".{dump.name}.partial")
    database.dump_database(partial)
    partial.replace(dump)
    entries = files.copy_out(folder)
    size, sha256 = file_digest(dump)
    manifest = Manifest(
        payables_version=payables_version(),
        created_at=created_at,
        database_vendor=vendor,
        database_file=dump.name,
        database_size=size,
        database_sha256=sha256,
        migrations=migrations,
        storage=files.storage_location(),
        files=tuple(entries),
    )
    partial = folder / f".{MANIFEST_NAME}.partial"
    partial.write_text(manifest.to_json(), encoding="utf-8")
    partial.replace(folder / MANIFEST_NAME)  # last: a folder with a manifest is a whole backup
    stored = sum(entry.size for entry in entries)
    out.write(
        f"Backed up {database.describe_database()} ({_size(size)}) and "
        f"{_counted(len(entries), 'stored files')} ({_size(stored)}) from "
        f"{files.describe_storage()} into {folder}.\n"
    )
    return manifest


def _check_target(folder: Path, *, force: bool, files_root: Path | None) -> None:
    if folder.exists() and not folder.is_dir():
        raise BackupError(f"{folder} is not a folder.")
    if files_root is not None and folder.is_relative_to(files_root):
        raise BackupError(f"{folder} is inside the storage folder {files_root}: choose another.")
    if folder.is_dir() and any(folder.iterdir()):
        if not force:
            raise BackupError(
                f"{folder} is not empty. Choose an empty or new folder, or add --force "
                "to replace the backup in it."
            )
        # The manifest goes first: an interrupted backup must not pass for the old one.
        (folder / MANIFEST_NAME).unlink(missing_ok=True)
        shutil.rmtree(folder / FILES_DIR, ignore_errors=True)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds webhook secrets, sessions


def restore(folder: Path, *, force: bool, out: TextIO) -> None:
    """Check the backup in ``folder``, then put its database and files in place."""
    from django.core.management import call_command

    from payables.backup import database, files

    folder = folder.resolve()
    manifest = read_manifest(folder)
    vendor = database.database_vendor()
    if manifest.database_vendor != vendor:
        raise BackupError(
            f"The backup holds a {database.VENDOR_NAMES[manifest.database_vendor]} database; "
            f"payables is configured for {database.VENDOR_NAMES[vendor]}. Nothing was changed."
        )
    database.check_migrations_known(manifest.migrations)
    database.check_tools()
    verify_backup(folder, manifest)
    database.check_archive(folder / manifest.database_file)
    if not force:
        _refuse_to_replace_data(manifest, database.held_data(), len(files.stored_names()))

    database.restore_database(folder / manifest.database_file)
    deleted = files.copy_in(folder, manifest.files)
    restored = _counted(len(manifest.files), "stored files")
    removed = f"; deleted {_counted(deleted, 'files')} the backup does not hold" if deleted else ""
    out.write(
        f"Restored {database.describe_database()} and {restored} into "
        f"{files.describe_storage()} from the backup of {manifest.created_at} "
        f"(payables {manifest.payables_version}){removed}.\n"
    )
    pending = database.pending_migrations()
    if not pending:
        out.write("The backup's migration state matches this payables: no migrations needed.\n")
        return
    out.write(
        f"The backup is older than this payables: applying "
        f"{_counted(len(pending), 'migrations')} ({', '.join(pending)}).\n"
    )
    call_command("migrate", interactive=False, verbosity=0)
    out.write("Migrations applied.\n")


def _refuse_to_replace_data(manifest: Manifest, held: dict[str, int], stored: int) -> None:
    counts = {kind: count for kind, count in held.items() if count}
    if stored:
        counts["stored files"] = stored
    if not counts:
        return
    listed = ", ".join(_counted(count, kind) for kind, count in counts.items())
    raise BackupError(
        f"The database and storage hold data that the restore would replace: {listed}. "
        f"They would be lost, replaced by the backup of {manifest.created_at}. Back them up "
        "first (payables backup), then run the restore again with --force. Nothing was changed."
    )


def _counted(count: int, kind: str) -> str:
    """Write a count of things, singular for one.

    >>> _counted(1, "companies"), _counted(2, "stored files"), _counted(1, "invoices")
    ('1 company', '2 stored files', '1 invoice')
    """
    if count != 1:
        return f"{count} {kind}"
    return f"1 {kind[:-3]}y" if kind.endswith("ies") else f"1 {kind[:-1]}"


def _size(count: int) -> str:
    """Write a byte count for people.

    >>> _size(512), _size(2_500_000)
    ('512 bytes', '2.4 MiB')
    """
    if count < 1024:
        return f"{count} bytes"
    scaled, unit = count / 1024, "KiB"
    for bigger in ("MiB", "GiB"):
        if scaled < 1024:
            break
        scaled, unit = scaled / 1024, bigger
    return f"{scaled:.1f} {unit}"
