"""Build a PostgreSQL database at scale: by default 1,000,000 invoices of 50 companies.

What the services would have written over three years (``scale_invoices.py`` says what
an invoice brings with it): 5 rows, VAT breakdown and posting lines each, about two
events and two audit entries each, approval chains, originals of e-invoices and digitized
documents, 100,000 suppliers. The companies, their approvers, default routing rules and
integrators are made through the services; the bulk goes in with PostgreSQL's COPY
(psycopg's ``cursor.copy``), about 50 times the speed of ``bulk_create``, into the models'
own tables. Then the companies' counters (internal ids, event sequences, step and
attachment numbers) and the feed clocks are set past what was loaded, so the running app
goes on from there: the next invoice gets the next internal id, the next event the next
sequence. Nothing else is special about the database: ``payables serve`` serves it.

One transaction, so an interrupted load leaves nothing behind. Foreign keys are not
checked during the load (``session_replication_role = replica``; the generator makes
them consistent), nor do triggers fire: the invoice counts by status they keep are
counted afresh at the end. Then the backfill an operator runs after upgrading (``payables
keep-exported-documents``: the exported feed's stored parts, a transaction per chunk),
and ``VACUUM (ANALYZE)``, as autovacuum would after a load.
Idempotent: the database's comment records the build; the same size again does nothing
but finish an interrupted backfill (or one a database built before it lacks), another
size or a database holding other data needs ``--reset`` (drop and rebuild).
No file bytes are stored: downloads of the generated originals fail.

    python bench/scale_data.py                                   # payables_scale, 1M invoices
    python bench/scale_data.py --invoices 2000 --database-url postgres://…/pay_scale_tiny
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/payables_scale"
MARKER = "payables_scale"  # the key of the database comment that records the build


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument(
        "--suppliers", type=int, help="default: a tenth of the invoices, at least 50"
    )
    parser.add_argument(
        "--companies", type=int, help="default: one per 20,000 invoices, from 2 to 50"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_URL,
        help=f"a PostgreSQL database, created if missing (default $DATABASE_URL or {DEFAULT_URL})",
    )
    parser.add_argument("--reset", action="store_true", help="drop the database and rebuild it")
    parser.add_argument(
        "--key-file",
        type=Path,
        help="where the first build writes an integrator key of the largest company "
        "(mode 0600; default var/<database>.api-key)",
    )
    options = parser.parse_args(argv)
    if options.invoices < 1:
        parser.error("--invoices must be positive")
    if not options.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("COPY needs PostgreSQL: give a postgres:// --database-url")
    options.companies = options.companies or min(50, max(2, options.invoices // 20_000))
    options.suppliers = options.suppliers or max(50, options.invoices // 10)
    if options.companies < 1 or options.suppliers < options.companies:
        parser.error("--companies must be positive, with at least one supplier each")
    name = urlsplit(options.database_url).path.lstrip("/")
    options.key_file = options.key_file or REPO_ROOT / "var" / f"{name}.api-key"
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    started = time.perf_counter()
    ensure_database(options.database_url, reset=options.reset)
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payables.settings")
    os.environ.setdefault("PAYABLES_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    wanted = {
        "invoices": options.invoices,
        "companies": options.companies,
        "suppliers": options.suppliers,
        "seed": options.seed,
    }
    built = read_marker()
    if built is not None and {k: built.get(k) for k in wanted} == wanted:
        from scale_load import missing_exported_documents

        if not missing_exported_documents():
            print(f"already built: {describe(built)}; nothing to do (--reset rebuilds it)")
            print_counts(estimated=True)
            return 0
        # Built before the feed's documents were stored, or the backfill was interrupted.
        print(f"already built: {describe(built)}, but exported documents are missing")
        keep_documents()
        vacuum_analyze()
        print_counts(estimated=False)
        return 0
    if built is not None or holds_data():
        what = describe(built) if built else "other data"
        print(f"the database holds {what}: --reset drops and rebuilds it", file=sys.stderr)
        return 1
    from scale_load import load

    print(f"building {describe(wanted)} in {urlsplit(options.database_url).path.lstrip('/')}")
    marker, raw_key = load(options, wanted)
    print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
    keep_documents()
    loaded = time.perf_counter()
    print("VACUUM (ANALYZE) …", flush=True)
    vacuum_analyze()
    write_key(options.key_file, raw_key)
    print(f"integrator key of {marker['bench_company_name']} written to {options.key_file}")
    print_counts(estimated=False)
    finished = time.perf_counter()
    print(f"done in {finished - started:.0f} s (VACUUM and counts {finished - loaded:.0f} s)")
    return 0


def keep_documents() -> None:
    """The backfill an operator runs after upgrading (``payables keep-exported-documents``):
    a database that was upgraded and backfilled has the exported feed's stored parts."""
    from scale_load import keep_exported_documents

    print("exported documents (payables keep-exported-documents) …", flush=True)
    written, seconds = keep_exported_documents()
    rate = written / seconds if seconds else 0
    print(f"  {written:,} exported documents written in {seconds:.0f} s ({rate:,.0f}/s)")


def describe(marker: dict) -> str:
    return (
        f"{marker['invoices']:,} invoices of {marker['companies']} companies, "
        f"{marker['suppliers']:,} suppliers (seed {marker['seed']})"
    )


def ensure_database(url: str, *, reset: bool) -> None:
    """Create the database if missing; with ``reset`` drop it first."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            print(f"dropping database {name}")
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def open_scale_database(database_url: str) -> dict | None:
    """Set Django up on a database ``scale_data.py`` built and answer its build marker;
    None, said on stderr, when it holds no scale data (the benches that read it exit 2)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payables.settings")
    os.environ.setdefault("PAYABLES_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    marker = read_marker()
    if marker is None:
        print("no scale data here: build it with bench/scale_data.py first", file=sys.stderr)
    return marker


def read_marker() -> dict | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
            " WHERE datname = current_database()"
        )
        comment = cursor.fetchone()[0]
    try:
        return json.loads(comment)[MARKER] if comment else None
    except (ValueError, KeyError, TypeError):
        return None


def holds_data() -> bool:
    from payables.tenancy.models import Company

    return Company.objects.exists()


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def write_key(path: Path, raw_key: str) -> None:
    """Write the key readable by its owner only; it is never printed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write(raw_key + "\n")


def print_counts(*, estimated: bool) -> None:
    """Rows per table of the data; ``estimated`` reads the planner's counts (instant)."""
    from django.db import connection
    from scale_load import counted_models

    with connection.cursor() as cursor:
        for label, model in counted_models():
            table = connection.ops.quote_name(model._meta.db_table)
            if estimated:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table]
                )
            else:
                cursor.execute(f"SELECT count(*) FROM {table}")
            count = max(cursor.fetchone()[0], 0)
            print(f"  {label:<22} {count:>12,}{' (estimate)' if estimated else ''}")


if __name__ == "__main__":
    sys.exit(main())
