"""Webhook bench: signed deliveries per second to a local receiver, 1 to 4 workers.

Each round records ``--count`` supplier events through the services for one confirmed
subscription (the fan-out creates a message each; tasks are held back by the dummy
backend), then times ``deliver_due`` draining them: claim a batch, sign and POST each
message to an HTTP receiver on 127.0.0.1, record the attempts. Then four workers at once,
as threads of this process and as forked processes (like four ``payables worker``
processes sweeping one database).

Same setup as ``import_bench.py`` (its bench company): a fresh SQLite file in a
temporary data dir, or ``DATABASE_URL`` when set (the bench company and its rows are
deleted afterwards unless ``--keep``). Prints figures only.

    python bench/webhook_bench.py [--count 1000] [--keep]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from import_bench import make_company, prepare_database


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="messages per round")
    parser.add_argument(
        "--keep", action="store_true", help="keep the bench company (DATABASE_URL only)"
    )
    options = parser.parse_args(argv)
    if not 1 <= options.count <= 100_000:
        parser.error("--count must be between 1 and 100,000")
    return options


def main(argv: list[str] | None = None) -> int:
    """Run the rounds in a throwaway data dir (SQLite) or DATABASE_URL, as import_bench does."""
    options = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="payables-bench-") as data_dir:
        os.environ["PAYABLES_DATA_DIR"] = data_dir  # SQLite file, secret and files: never ./var
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payables.settings")
        os.environ.setdefault("PAYABLES_LOG_LEVEL", "WARNING")
        # Tasks are kept, not run: the rounds below do the delivering, timed.
        os.environ["PAYABLES_TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
        os.environ["PAYABLES_WEBHOOK_ALLOW_PRIVATE"] = "1"  # the receiver is on loopback
        return bench(options)


class Receiver(BaseHTTPRequestHandler):
    """Answers 204 to every POST, counting them."""

    disable_nagle_algorithm = True
    count = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with Receiver.lock:
            Receiver.count += 1
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def bench(options: argparse.Namespace) -> int:
    """Migrate, make the bench company and a confirmed subscription, run the rounds."""
    if not prepare_database():
        return 2
    from django.db import connection, connections

    from payables.tenancy.models import Company

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    company, actor, *_ = make_company("Webhook bench")
    try:
        subscribe(actor, f"http://127.0.0.1:{server.server_address[1]}/hooks")
        one = measure(options.count, 1, actor)
        threads = measure(options.count, 4, actor)
        processes = measure(options.count, 4, actor, processes=True)
        print(f"ratio 4 threads / 1 worker: {threads / one:.2f}")
        print(f"ratio 4 processes / 1 worker: {processes / one:.2f}")
        return 0
    finally:
        server.shutdown()
        if connection.vendor != "sqlite" and not options.keep:
            Company.objects.filter(pk=company.pk).delete()
        connections.close_all()  # before the temporary SQLite file is removed


def subscribe(actor: object, target: str) -> None:
    """Subscribe to every event and confirm, as a receiver opening its confirm URL would."""
    from payables.events.models import WebhookMessage
    from payables.events.webhooks.confirmation import confirmation_token
    from payables.events.webhooks.services import confirm_subscription, create_subscription

    subscription = create_subscription(
        {"name": "bench", "event_types": ["*"], "target": target}, actor=actor
    )
    request = WebhookMessage.objects.get(subscription=subscription)
    # The token its target would find in the confirm URL (never stored: rebuilt here).
    confirm_subscription(confirmation_token(request.id))
    request.subscription.messages.all().delete()  # not part of any round


def measure(count: int, threads: int, actor: object, *, processes: bool = False) -> float:
    """Record ``count`` events, then time ``threads`` workers draining their messages.

    Workers are threads of this process, or with ``processes`` forked processes (as
    separate ``payables worker`` processes would be). Returns the deliveries per second.
    """
    from django.db import connection, connections

    from payables.events.models import WebhookMessage
    from payables.events.webhooks.delivery import deliver_due
    from payables.masterdata.services import create_supplier

    for n in range(count):
        create_supplier({"name": f"Bench {threads}-{n} Oy", "country": "FI"}, actor=actor)
    before = Receiver.count

    def drain() -> None:
        try:
            deliver_due()
        finally:
            connection.close()  # each thread has its own connection

    if processes:
        connections.close_all()  # a forked child must open its own connection
    started = time.perf_counter()
    spawn = multiprocessing.get_context("fork").Process if processes else threading.Thread
    workers = [spawn(target=drain) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    delivered = Receiver.count - before
    pending = WebhookMessage.objects.filter(
        subscription__company=actor.company, state="pending"
    ).count()
    kind = "processes" if processes else ("threads" if threads > 1 else "worker")
    print(
        f"{threads} {kind}: {delivered:,} deliveries "
        f"in {elapsed:.2f} s = {delivered / elapsed:,.0f}/s (left pending: {pending})"
    )
    return delivered / elapsed


if __name__ == "__main__":
    sys.exit(main())
