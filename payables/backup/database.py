"""The database part of a backup: SQLite's online backup API, or pg_dump and pg_restore.

Both are consistent while payables runs: SQLite copies one snapshot, pg_dump dumps in one
transaction. A restore is one transaction too, so a failed one leaves the database as it
was. The password never appears in arguments or output: the tools get it in their
environment.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import IO

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from payables.backup.manifest import BackupError

DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
PG_TOOLS = ("pg_dump", "pg_restore", "psql")
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def database_vendor() -> str:
    """The configured database's vendor, refusing ones payables cannot back up."""
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(f"Backups of a {connection.vendor} database are not supported.")
    return connection.vendor


def describe_database() -> str:
    """Name the configured database for people, without its password."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"the SQLite database {params['NAME']}"
    where = f"{params.get('HOST') or 'localhost'}:{params.get('PORT') or 5432}"
    return f"the PostgreSQL database {params['NAME']} on {where}"


def applied_migrations() -> dict[str, str]:
    """Each app's latest (highest-numbered) applied migration."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    latest: dict[str, str] = {}
    for app, name in recorder.applied_migrations():
        latest[app] = max(name, latest.get(app, ""))
    return dict(sorted(latest.items()))


def check_migrations_known(migrations: dict[str, str]) -> None:
    """Refuse a backup whose database has migrations this code lacks (a newer payables)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.graph.nodes)
    known |= {key for squashed in loader.replacements.values() for key in squashed.replaces}
    unknown = sorted(
        f"{app}.{name}" for app, name in migrations.items() if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            f"The backup was made by a newer payables: this one does not know its migrations "
            f"{', '.join(unknown)}. Install that payables version (or a newer one) to restore "
            "it. Nothing was changed."
        )


def pending_migrations() -> list[str]:
    """The migrations this code has and the database lacks, in the order they apply."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_tools() -> None:
    """Make sure the PostgreSQL client tools a backup or restore needs are installed."""
    if connection.vendor != "postgresql":
        return
    missing = [tool for tool in PG_TOOLS if shutil.which(tool) is None]
    if missing:
        raise BackupError(
            f"{', '.join(missing)} not found: install the PostgreSQL client tools "
            "(Debian/Ubuntu: apt install postgresql-client), of the server's version or newer."
        )


def dump_database(target: Path) -> None:
    """Write the database into ``target``: one consistent snapshot, taken while it runs."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        _dump_sqlite(target)
    else:
        conninfo, env = _libpq()
        _run(
            ["pg_dump", "--format=custom", "--no-password", f"--file={target}", conninfo],
            env=env,
            what="pg_dump",
        )


def _dump_sqlite(target: Path) -> None:
    copy = sqlite3.connect(target)
    try:
        # The backup API copies one snapshot even while others write; the copy is then
        # made a single self-contained file (no -wal beside it).
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"The SQLite database could not be copied: {exc}") from None
    finally:
        copy.close()


def restore_database(source: Path) -> None:
    """Replace the configured database's contents with the backup's, in one transaction."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        _restore_sqlite(source)
    else:
        tables = _table_names()
        connection.close()  # hold no connection (nor its locks) while psql replaces tables
        _restore_postgresql(source, tables)
    connection.close()  # the next query sees the restored database afresh


def _restore_sqlite(source: Path) -> None:
    """Copy the backup into a temporary file, check it, then copy it into the live database.

    The copy-in uses the backup API, not a rename: it is one write transaction of the live
    database, which every process sees whole; a renamed file would leave running
    processes on the old file and the old WAL beside the new one.
    """
    name = str(connection.settings_dict["NAME"])
    folder = None if name.startswith("file:") or name == ":memory:" else Path(name).parent
    handle, temp_name = tempfile.mkstemp(prefix=".payables-restore-", suffix=".sqlite3", dir=folder)
    os.close(handle)
    temp = Path(temp_name)
    try:
        shutil.copyfile(source, temp)
        checked = sqlite3.connect(temp)
        try:
            result = checked.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise BackupError(
                    f"The backup's SQLite database fails its integrity check: {result}"
                )
            checked.backup(connection.connection)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"The SQLite database could not be restored: {exc}") from None
        finally:
            checked.close()
    finally:
        temp.unlink(missing_ok=True)


def _restore_postgresql(source: Path, tables: list[str]) -> None:
    """Drop every table, then load the dump: one psql transaction, all or nothing.

    ``pg_restore --clean --if-exists`` drops only what the dump holds; tables a newer
    migration added would stay (and block their own migration), so they are dropped first.
    """
    conninfo, env = _libpq()
    drops = "".join(f"DROP TABLE IF EXISTS {table} CASCADE;\n" for table in tables)
    prelude = f"SET client_min_messages = warning;\n{drops}".encode()
    restore_args = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges"]
    psql_args = [
        "psql",
        "--no-psqlrc",
        "--quiet",
        "--no-password",
        "--single-transaction",
        "--set=ON_ERROR_STOP=1",
        f"--dbname={conninfo}",
    ]
    with tempfile.TemporaryFile() as psql_errors, tempfile.TemporaryFile() as restore_errors:
        script = subprocess.Popen(  # the archive as SQL, read offline
            [*restore_args, "--file=-", str(source)],
            stdout=subprocess.PIPE,
            stderr=restore_errors,
        )
        psql = subprocess.Popen(
            psql_args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_errors, env=env
        )
        assert script.stdout is not None and psql.stdin is not None
        try:
            psql.stdin.write(prelude)
            shutil.copyfileobj(script.stdout, psql.stdin)
        except BrokenPipeError:
            pass  # psql stopped at an error: its message follows
        script.stdout.close()
        script_code = script.wait()
        if script_code != 0:
            psql.kill()  # before its input ends: at the end psql would commit what it had
        else:
            with contextlib.suppress(BrokenPipeError):
                psql.stdin.close()  # the end of the script: psql commits
        psql_code = psql.wait()
        if psql_code != 0 and script_code == 0:
            raise BackupError(
                f"psql failed (exit {psql_code}); the database was left as it was: "
                f"{_read(psql_errors)}"
            )
        if script_code != 0:
            raise BackupError(
                f"pg_restore failed (exit {script_code}); the database was left as it was: "
                f"{_read(restore_errors)}"
            )


def check_archive(source: Path) -> None:
    """Make sure this pg_restore reads the dump (its version, its table of contents)."""
    if connection.vendor == "postgresql":
        _run(["pg_restore", "--list", str(source)], env=None, what="pg_restore")


def _read(errors: IO[bytes]) -> str:
    errors.seek(0)
    return errors.read().decode(errors="replace").strip()


def _table_names() -> list[str]:
    """The tables of the configured database, quoted for SQL."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    return [connection.ops.quote_name(table) for table in tables]


def _libpq() -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and an environment holding it."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    params = connection.settings_dict
    keywords = {option.keyword.decode() for option in psycopg.pq.Conninfo.get_defaults()}
    values = {
        "dbname": params["NAME"],
        "host": params.get("HOST"),
        "port": str(params.get("PORT") or ""),
        "user": params.get("USER"),
    }
    values |= {
        key: str(value)
        for key, value in (params.get("OPTIONS") or {}).items()
        if key in keywords and key != "password"
    }
    conninfo = make_conninfo(**{key: value for key, value in values.items() if value})
    # The child's environment, not its arguments (which `ps` shows), carries the password.
    env = {**os.environ, "PGPASSWORD": params["PASSWORD"]} if params.get("PASSWORD") else None
    return conninfo, env


def _run(args: list[str], *, env: dict[str, str] | None, what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()}")


def held_data() -> dict[str, int]:
    """Count what a restore would replace: companies, suppliers, invoices, documents."""
    from payables.documents.models import Document
    from payables.invoices.models import Invoice
    from payables.masterdata.models import Supplier
    from payables.tenancy.models import Company

    try:
        with connection.cursor() as cursor:
            tables = set(connection.introspection.table_names(cursor))
    except DatabaseError as exc:
        raise BackupError(f"The database cannot be read: {exc}") from None
    kinds = {
        "companies": Company,
        "suppliers": Supplier,
        "invoices": Invoice,
        "documents": Document,
    }
    return {
        kind: model._base_manager.count()
        for kind, model in kinds.items()
        if model._meta.db_table in tables
    }
