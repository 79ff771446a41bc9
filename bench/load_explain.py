"""Where a read's time goes: its SQL against the rest (Python: ORM objects, schemas, JSON).

``load.py --explain`` replays each read of the load mix in this process through Django's
test client (no HTTP server, one request at a time), a few times each after a warm-up,
and sums the time of the SQL statements Django sent for it. Then it shows
``EXPLAIN (ANALYZE, BUFFERS)`` of each request's slowest statement.
"""

from __future__ import annotations

import random
import time
from statistics import median

ROUNDS = 5
PLAN_LINES = 30


def explain_reads(marker: dict) -> int:
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
        ("GET /invoices", "/invoices", {}, integrator),
        ("GET /invoices?status=booked", "/invoices", {"status": "booked"}, integrator),
        ("GET /invoices/{id}", None, {}, integrator),
        ("GET /approvals/queue", "/approvals/queue", {}, approver),
        ("GET /feeds/events", "/feeds/events", None, integrator),
        ("GET /feeds/exported (100)", "/feeds/exported", "exported_cursors", integrator),
        ("GET /feeds/digitized (100)", "/feeds/digitized", "digitized_cursors", integrator),
    ]
    client = Client()
    slowest: dict[str, tuple[float, str]] = {}
    failed = 0
    print(f"\nin-process replay, median of {ROUNDS} after a warm-up (ms):")
    print(f"  {'request':<30} {'SQL':>4} {'SQL ms':>8} {'total ms':>9} {'Python':>7}")
    try:
        for name, path, params, headers in reads:
            totals, sqls = [], []
            for round_ in range(ROUNDS + 1):
                url, query = _request(path, params, plan, rng)
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    answer = client.get("/api/v1" + url, query, headers=headers)
                    total = 1000 * (time.perf_counter() - started)
                if answer.status_code != 200:
                    print(f"  {name}: {answer.status_code} {answer.content[:200]!r}")
                    failed += 1
                    break
                timed = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
                if round_ == 0:
                    continue  # the warm-up
                totals.append(total)
                sqls.append(sum(t for t, _ in timed))
                top = max(timed, default=(0.0, ""))
                if top[0] >= slowest.get(name, (-1.0, ""))[0]:
                    slowest[name] = top
            else:
                sql, whole = median(sqls), median(totals)
                print(
                    f"  {name:<30} {len(timed):>4} {sql:>8.1f} {whole:>9.1f}"
                    f" {100 * (1 - sql / whole):>6.0f}%"
                )
        for name, (ms, sql) in slowest.items():
            if sql.lstrip().upper().startswith("SELECT"):
                print(f"\n{name}: slowest statement {ms:.1f} ms\n  {sql[:300]}")
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                    for (line,) in cursor.fetchall()[:PLAN_LINES]:
                        print(f"    {line[:160]}")  # an IN list of 100 ids is long
    finally:
        revoke_keys(keys)
    return failed


def _request(path: str | None, params: object, plan: dict, rng: random.Random) -> tuple:
    if path is None:
        return f"/invoices/{rng.choice(plan['invoice_ids'])}", {}
    if params is None:  # the event feed, somewhere in it
        return path, {"from": rng.randint(plan["first_sequence"], plan["last_sequence"])}
    if isinstance(params, str):
        return path, {"from": rng.choice(plan[params])}
    return path, params
