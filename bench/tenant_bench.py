"""Busy tenant: invoices per second into ONE company from 1 writer, then from N at once.

Every write of a company takes the company's write lock first (``lock_company_writes``,
a row lock on its event counter) and keeps it until it commits, so that event cursors
follow commit order: writers of one company queue. Each writer is a forked process with
its own connection (as N web or worker processes would be), creating invoices through
``create_invoice`` one transaction each (``--mode create``) or sending them through
``upsert_invoices`` in batches (``--mode upsert``: one lock per chunk of items).

Figures: invoices/s with 1 writer and with N, their ratio, and how long a write held the
lock (from the lock statement's answer to the commit's, measured in the writers): the
share of wall time the lock was held is what bounds the tenant. Meant for PostgreSQL
(``DATABASE_URL``); on SQLite every write of the whole database is one at a time anyway.

    DATABASE_URL=postgres://… python bench/tenant_bench.py [--count 800] [--writers 4]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from collections.abc import Callable

from import_bench import make_parser, make_payloads, run

SOURCE_SYSTEM = "bench-tenant"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = make_parser(__doc__)
    parser.set_defaults(count=800)
    parser.add_argument("--writers", type=int, default=4, help="writers of the busy round")
    parser.add_argument(
        "--mode", choices=("create", "upsert", "both"), default="both", help="how writers write"
    )
    parser.add_argument("--batch", type=int, default=100, help="items per upsert call")
    options = parser.parse_args(argv)
    if options.count < options.writers or options.writers < 1:
        parser.error("--count must be at least --writers, and --writers positive")
    return options


def main(argv: list[str] | None = None) -> int:
    """Run the 1-writer and N-writer rounds of each mode and print the figures."""
    return run(parse_args(argv), measure, label="Tenant bench")


def measure(
    options: argparse.Namespace,
    company: object,
    actor: object,
    supplier: object,
    ceiling_supplier: object,
) -> int:
    from django.db import connection

    from payables.invoices.models import Invoice

    modes = ("create", "upsert") if options.mode == "both" else (options.mode,)
    print(f"writers: 1, then {options.writers}, on one company; mode: {', '.join(modes)}")
    if connection.vendor == "sqlite":
        print("(SQLite: one writer at a time for the whole database; the figures say little)")
    expected = 0
    for mode in modes:
        single = round_of(1, mode, options, actor, supplier)
        busy = round_of(options.writers, mode, options, actor, supplier)
        expected += 2 * options.count
        print(
            f"{mode}: {options.writers} writers / 1 writer = {busy / single:.2f}"
            f"  ({single:.1f} → {busy:.1f} invoices/s)"
        )
    stored = Invoice.objects.filter(company=company).count()
    if stored != expected:
        print(f"unexpected: {stored} invoices stored, wanted {expected}", file=sys.stderr)
        return 1
    return 0


def round_of(
    writers: int, mode: str, options: argparse.Namespace, actor: object, supplier: object
) -> float:
    """Time ``writers`` processes writing ``--count`` invoices; print and answer invoices/s."""
    from django.db import connections

    prefix = f"{mode[0].upper()}{writers}-{time.monotonic_ns() % 10**9}"
    payloads = make_payloads(options.count, options.rows, options.seed, prefix)
    shares = [payloads[w::writers] for w in range(writers)]
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(writers + 1)
    holds = context.Queue()
    connections.close_all()  # a forked child must open its own connection
    target = _create_all if mode == "create" else _upsert_all
    processes = [
        context.Process(
            target=_writer,
            args=(target, share, actor, supplier, options.batch, ready, holds),
        )
        for share in shares
    ]
    for process in processes:
        process.start()
    ready.wait()
    started = time.perf_counter()
    held = [holds.get() for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    if any(process.exitcode for process in processes):
        raise SystemExit(f"a writer failed ({mode}, {writers} writers)")
    lock_seconds = [seconds for writer in held for seconds in writer]
    total_held = sum(lock_seconds)
    rate = options.count / elapsed
    print(
        f"  {mode}, {writers} writer{'s' if writers > 1 else ' '}: {elapsed:6.2f} s"
        f"  {rate:7.1f} invoices/s; lock held {len(lock_seconds)} times, median"
        f" {1000 * statistics.median(lock_seconds):.2f} ms, in all {total_held:.2f} s"
        f" = {100 * total_held / elapsed:.0f} % of the time"
    )
    return rate


def _writer(
    target: Callable[..., None],
    share: list[dict],
    actor: object,
    supplier: object,
    batch: int,
    ready: object,
    holds: object,
) -> None:
    """A writer process: wait for the others, write its share, report its lock holds.

    A hold starts when the lock statement answers and ends when the commit returns (the
    connection's ``commit`` is wrapped for that, here in the bench only).
    """
    from django.db import connections

    connection = connections["default"]
    timer = _LockTimer()
    commit = connection.commit

    def timed_commit() -> None:
        commit()
        timer.end()

    connection.commit = timed_commit
    with connection.execute_wrapper(timer):
        ready.wait()
        target(share, actor, supplier, batch)
    holds.put(timer.held)
    connection.close()


class _LockTimer:
    """Notes when the company's lock statement answered (the start of a hold)."""

    def __init__(self) -> None:
        self.held: list[float] = []
        self.since: float | None = None

    def __call__(
        self, execute: Callable, sql: str, params: object, many: object, context: dict
    ) -> object:
        result = execute(sql, params, many, context)
        if self.since is None and sql.startswith("SELECT value FROM tenancy_counter"):
            self.since = time.perf_counter()
        return result

    def end(self) -> None:
        if self.since is not None:
            self.held.append(time.perf_counter() - self.since)
            self.since = None


def _create_all(payloads: list[dict], actor: object, supplier: object, batch: int) -> None:
    from payables.invoices.schemas import InvoiceIn
    from payables.invoices.services import create_invoice

    for payload in payloads:
        create_invoice(InvoiceIn(supplier_id=supplier.id, **payload), actor=actor)


def _upsert_all(payloads: list[dict], actor: object, supplier: object, batch: int) -> None:
    from payables.invoices.services import upsert_invoices

    items = [
        payload
        | {
            "supplier_id": str(supplier.id),
            "source_system": SOURCE_SYSTEM,
            "source_invoice_id": payload["invoice_number"],
        }
        for payload in payloads
    ]
    for start in range(0, len(items), batch):
        sent = items[start : start + batch]
        report = upsert_invoices(
            sent, actor=actor, import_policy="preserve_if_unique_else_fallback"
        )
        if report.count("imported") != len(sent):
            raise SystemExit(f"upsert outcomes: {[r.outcome for r in report.results][:5]}")


if __name__ == "__main__":
    sys.exit(main())
