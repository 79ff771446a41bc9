"""``payables worker``: one database task worker, or ``--processes N`` of them supervised."""

from __future__ import annotations

import argparse
import sys

import django

from payables.cli.processes import ProcessGroup, python_command


def worker(args: list[str]) -> None:
    """Run the database task worker; ``--processes N`` runs N, any number against PostgreSQL.

    Each worker holds a lease on the task it runs and takes up the tasks of workers that
    died (``payables.events.task_leases``), at start and then every half lease. The other
    options are django-tasks-db's ``db_worker``'s; each of the N processes gets them.
    """
    parser = argparse.ArgumentParser(prog="payables worker", add_help=False)
    parser.add_argument("--processes", type=int, default=1)
    options, rest = parser.parse_known_args(args)
    if {"-h", "--help"} & set(rest):
        print(
            "payables worker [--processes N] [db_worker options]\n\n"
            "  --processes N  run N worker processes (default 1); SIGTERM or Ctrl-C stops "
            "them all,\n                 each after the task it is running\n"
        )
    elif options.processes < 1:
        parser.error("--processes must be at least 1")
    elif options.processes > 1:
        if any(arg.startswith("--worker-id") for arg in rest):
            parser.error("--worker-id names one worker: not with --processes")
        run_pool(options.processes, rest)
        return
    run_worker(rest)


def run_pool(processes: int, args: list[str]) -> None:
    """Start ``processes`` workers, each a ``payables worker``, and supervise them."""
    group = ProcessGroup()
    for number in range(1, processes + 1):
        group.start(f"worker {number}", python_command("-m", "payables.cli", "worker", *args))
    sys.exit(group.run())


def run_worker(args: list[str]) -> None:
    """One worker in this process: the start-up chores, then django-tasks-db's worker loop."""
    django.setup()
    from django.core.management import call_command

    from payables.documents.services import queue_upload_check
    from payables.events.task_leases import LeaseKeeper, reap_expired_tasks
    from payables.events.webhooks.delivery import queue_sweep
    from payables.tenancy.services import prune_idempotency_keys

    if not {"-h", "--help"} & set(args):
        prune_idempotency_keys()
        reap_expired_tasks()
        queue_sweep()  # webhook deliveries whose task a crash lost are found by the sweep
        queue_upload_check()  # with S3 storage: uploads PUT to S3 directly are noticed
    keeper = LeaseKeeper()
    keeper.start()
    try:
        call_command("db_worker", *args)
    finally:
        keeper.stop()
