"""Where a read's time goes: its SQL against the rest (Python: ORM objects, schemas, JSON).

``load.py --explain`` replays each read of the load mix in this process through Django's
test client (no HTTP server, one request at a time), a few times each after a warm-up,
and sums the time the app waited for the SQL statements Django sent for it, and their
time on the server (``EXPLAIN ANALYZE`` of each). Then it shows ``EXPLAIN (ANALYZE,
BUFFERS)`` of each request's slowest statement. The first row is the fixed cost of any
authenticated request: the key's lookup, the middleware and Ninja around a one-row read.

Run on its own (``python bench/load_explain.py --rounds 30``) it replays without a load
run first; with ``PYTHONPATH`` naming another checkout it measures that one's code, so
two checkouts can be compared on one database, alternating runs.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from statistics import median

ROUNDS = 5
PLAN_LINES = 30
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/payables_scale"


def explain_reads(marker: dict, *, rounds: int = ROUNDS, plans: bool = True) -> int:
    """Print SQL and total time per read, then the plan of each one's slowest statement.

    Answers the number of reads that did not answer 200.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from load_plan import make_plan, revoke_keys

    plan, keys = make_plan(marker, upsert_batch=1)
    rng = random.Random(1)
    integrator = {"X-API-Key": plan["integrator_key"]}
    approver = {"X-API-Key": plan["approver_key"]}
    reads = [
        ("fixed: GET /numbering-policies", "/numbering-policies", {}, integrator),
        ("GET /invoices", "/invoices", {}, integrator),
        ("GET /invoices?count=false", "/invoices", {"count": "false"}, integrator),
        ("GET /invoices?status=booked", "/invoices", {"status": "booked"}, integrator),
        ("GET /invoices/{id}", None, {}, integrator),
        ("GET /approvals/queue", "/approvals/queue", {}, approver),
        ("GET /feeds/events", "/feeds/events", None, integrator),
        ("GET /feeds/exported (100)", "/feeds/exported", "exported_cursors", integrator),
        ("GET /feeds/digitized (100)", "/feeds/digitized", "digitized_cursors", integrator),
    ]
    client = Client()
    failed = 0
    print(f"\nin-process replay, one request at a time, median of {rounds} after a warm-up (ms):")
    print(
        f"  {'request':<32} {'stmts':>5} {'server':>7} {'SQL':>6} {'total':>7} {'not SQL':>8}"
        f" {'CPU':>6}"
    )
    slowest = []
    try:
        for name, path, params, headers in reads:
            totals, sqls, cpus, statements = [], [], [], []
            for round_ in range(rounds + 1):
                url, query = _request(path, params, plan, rng)
                with CaptureQueriesContext(connection) as captured:
                    started, cpu = time.perf_counter(), time.process_time()
                    answer = client.get("/api/v1" + url, query, headers=headers)
                    total = 1000 * (time.perf_counter() - started)
                    cpu = 1000 * (time.process_time() - cpu)
                if answer.status_code != 200:
                    print(f"  {name}: {answer.status_code} {answer.content[:200]!r}")
                    failed += 1
                    break
                statements = [q["sql"] for q in captured.captured_queries]
                if round_:  # the first is the warm-up
                    totals.append(total)
                    cpus.append(cpu)
                    sqls.append(sum(float(q["time"]) * 1000 for q in captured.captured_queries))
            else:
                server = [(_server_ms(sql), sql) for sql in statements if _is_select(sql)]
                sql, whole = median(sqls), median(totals)
                print(
                    f"  {name:<32} {len(statements):>5} {sum(ms for ms, _ in server):>7.1f}"
                    f" {sql:>6.1f} {whole:>7.1f} {100 * (1 - sql / whole):>7.0f}%"
                    f" {median(cpus):>6.1f}"
                )
                slowest.append((name, max(server, default=(0.0, ""))))
        print("  (server: planning and execution of its SELECTs, by EXPLAIN ANALYZE of the last;")
        print("   SQL: as the app waited for them, rows included; not SQL: Python, ORM, JSON;")
        print("   CPU: this process's, the request's Python work whatever else the machine does)")
        for name, (ms, sql) in slowest if plans else ():
            if sql:
                print(f"\n{name}: slowest statement {ms:.1f} ms on the server\n  {sql[:300]}")
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                    for (line,) in cursor.fetchall()[:PLAN_LINES]:
                        print(f"    {line[:160]}")  # an IN list of 100 ids is long
    finally:
        revoke_keys(keys)
    return failed


def main(argv: list[str] | None = None) -> int:
    """Replay the reads on a scale database without a load run (``--rounds`` each)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="replays of each read")
    parser.add_argument("--no-plans", action="store_true", help="leave out the EXPLAIN plans")
    options = parser.parse_args(argv)
    import django
    from scale_data import describe, open_scale_database

    marker = open_scale_database(options.database_url)
    if marker is None:
        return 2
    print(f"database: {describe(marker)}; code: {django.apps.apps.get_app_config('invoices').path}")
    failed = explain_reads(marker, rounds=max(1, options.rounds), plans=not options.no_plans)
    return 1 if failed else 0


def _is_select(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT")


def _server_ms(sql: str) -> float:
    """The statement's planning and execution time on the server (EXPLAIN ANALYZE)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        found = cursor.fetchone()[0]
    found = found[0] if isinstance(found, list) else found
    return found["Planning Time"] + found["Execution Time"]


def _request(path: str | None, params: object, plan: dict, rng: random.Random) -> tuple:
    if path is None:
        return f"/invoices/{rng.choice(plan['invoice_ids'])}", {}
    if params is None:  # the event feed, somewhere in it
        return path, {"from": rng.randint(plan["first_sequence"], plan["last_sequence"])}
    if isinstance(params, str):
        return path, {"from": rng.choice(plan[params])}
    return path, params


if __name__ == "__main__":
    sys.exit(main())
