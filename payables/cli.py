"""The ``payables`` console script: serve, worker, import, demo, and every Django command.

``payables serve`` is the one command a newcomer needs: it migrates, starts a task
worker beside the web server and serves http://127.0.0.1:8000.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

import django


def main(argv: list[str] | None = None) -> None:
    """Dispatch ``payables <command>``; unknown commands go to Django's management."""
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payables.settings")
    command = argv[0] if argv else "help"
    if command == "serve":
        serve(argv[1:])
    elif command == "worker":
        worker(argv[1:])
    elif command == "demo":
        django.setup()
        from django.core.management import call_command

        from payables.demo import load_demo

        call_command("migrate", interactive=False, verbosity=0)  # a fresh ./var has no tables

        load_demo(out=sys.stdout)
    else:
        from django.core.management import execute_from_command_line

        # `payables import` is the e-invoice importer (Django has no command of that name).
        name = {"import": "importinvoices", "load-rates": "loadrates"}.get(command, command)
        execute_from_command_line(["payables", name, *argv[1:]])


def serve(args: list[str]) -> None:
    """Migrate, start a worker process, and serve the web app with waitress."""
    parser = argparse.ArgumentParser(prog="payables serve", description=serve.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--no-worker", action="store_true", help="Run no worker here (workers run elsewhere)."
    )
    options = parser.parse_args(args)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    worker_process = None
    if not options.no_worker:
        worker_process = subprocess.Popen([sys.executable, "-m", "payables.cli", "worker"])

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        from waitress import serve as waitress_serve

        from payables.wsgi import application

        print(f"payables is running at http://{options.host}:{options.port}/ (Ctrl-C stops it)")
        print(f"API docs: http://{options.host}:{options.port}/api/v1/docs")
        waitress_serve(application, host=options.host, port=options.port, threads=options.threads)
    except KeyboardInterrupt:
        pass
    finally:
        if worker_process is not None:
            worker_process.terminate()
            worker_process.wait(timeout=30)


def worker(args: list[str]) -> None:
    """Run the database task worker; any number may run against PostgreSQL."""
    django.setup()
    from django.core.management import call_command

    from payables.events.webhooks.delivery import queue_sweep
    from payables.tenancy.services import prune_idempotency_keys

    prune_idempotency_keys()
    queue_sweep()  # webhook deliveries whose task a crash lost are found by the sweep
    call_command("db_worker", *args)


if __name__ == "__main__":
    main()
