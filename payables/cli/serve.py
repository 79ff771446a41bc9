"""``payables serve``: migrate, collect the static files, then the web server and a worker.

On Linux and macOS the web server is gunicorn: worker processes x threads each (gthread),
sized from the CPU count. Where gunicorn cannot run (Windows) or is not installed, it is
waitress: one process with as many threads. The embedded task worker is a ``payables
worker`` process beside it, unless ``--no-worker`` (workers run elsewhere).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys

import django

from payables.cli.processes import ProcessGroup, python_command

SERVERS = ("auto", "gunicorn", "waitress")
MAX_DEFAULT_WORKERS = 8


def cpu_count() -> int:
    """The CPUs this process may run on (a container's or taskset's share, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_workers(cpus: int) -> int:
    """Gunicorn's rule of thumb, 2 x CPUs + 1, at most 8: each also holds ``threads`` requests.

    >>> default_workers(1), default_workers(2), default_workers(16)
    (3, 5, 8)
    """
    return min(2 * cpus + 1, MAX_DEFAULT_WORKERS)


def gunicorn_available() -> bool:
    """Gunicorn runs on POSIX systems only, and is a dependency only there."""
    return os.name == "posix" and importlib.util.find_spec("gunicorn") is not None


def parse_options(args: list[str]) -> argparse.Namespace:
    """The options; what is not given comes from the settings (``PAYABLES_WEB_*``) later."""
    parser = argparse.ArgumentParser(
        prog="payables serve",
        description=(
            "Migrate the database, collect the static files into the data dir, and serve the "
            "web inbox and API (gunicorn: processes x threads; waitress on Windows) with a "
            "task worker beside it. Ctrl-C or SIGTERM stops them all."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers",
        type=int,
        help="web processes (PAYABLES_WEB_WORKERS; default: 2 x CPUs + 1, at most 8)",
    )
    parser.add_argument(
        "--threads", type=int, help="threads per web process (PAYABLES_WEB_THREADS; default 4)"
    )
    parser.add_argument(
        "--server",
        choices=SERVERS,
        help="PAYABLES_WEB_SERVER; default auto: gunicorn where it runs, else waitress",
    )
    parser.add_argument(
        "--no-worker", action="store_true", help="Run no task worker here (workers run elsewhere)."
    )
    options = parser.parse_args(args)
    for name in ("workers", "threads"):
        if getattr(options, name) is not None and getattr(options, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return options


def serve(args: list[str]) -> None:
    """Migrate, collect static files, and run the web server and a worker until stopped."""
    options = parse_options(args)  # --help prints and exits before anything changes
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", interactive=False, verbosity=1)
    # Hashed, compressed copies in the data dir: whitenoise serves them to be cached for ever.
    call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()  # the children open their own

    workers = options.workers or settings.PAYABLES_WEB_WORKERS or default_workers(cpu_count())
    threads = options.threads or settings.PAYABLES_WEB_THREADS
    server = options.server or settings.PAYABLES_WEB_SERVER
    if server == "auto":
        server = "gunicorn" if gunicorn_available() else "waitress"
    group = ProcessGroup()
    if server == "gunicorn":
        group.start("gunicorn", gunicorn_command(options.host, options.port, workers, threads))
        shape = f"gunicorn, {workers} processes x {threads} threads"
    else:
        group.start("waitress", waitress_command(options.host, options.port, workers * threads))
        shape = f"waitress, 1 process x {workers * threads} threads"
    if not options.no_worker:
        group.start("worker", python_command("-m", "payables.cli", "worker"))
    base = f"http://{options.host}:{options.port}"
    print(f"payables is running at {base}/ ({shape}; Ctrl-C stops it)", flush=True)
    print(f"API docs: {base}/api/v1/docs", flush=True)
    sys.exit(group.run())


def bind_address(host: str, port: int) -> str:
    """``host:port``, an IPv6 address in brackets.

    >>> bind_address("::1", 8000), bind_address("0.0.0.0", 80)
    ('[::1]:8000', '0.0.0.0:80')
    """
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_command(host: str, port: int, workers: int, threads: int) -> list[str]:
    """Gunicorn's own command line; ``GUNICORN_CMD_ARGS`` adds to it (``--access-logfile -``).

    No proxy header changes the scheme here: Django decides that
    (``PAYABLES_TRUST_FORWARDED_PROTO``). No control socket: several may run on one machine.
    Request lines as long as the API's filters make them (gunicorn's 4 KB default would
    answer a long ``?q=…`` with a bare 414; 0 lets gunicorn 27 take up to 1 MB).
    """
    return python_command(
        "-m",
        "gunicorn",
        "payables.wsgi:application",
        f"--bind={bind_address(host, port)}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=gthread",
        "--forwarded-allow-ips=",
        "--no-control-socket",
        "--limit-request-line=0",
    )


def waitress_command(host: str, port: int, threads: int) -> list[str]:
    """Waitress's command line: one process, ``threads`` requests at once."""
    return python_command(
        "-m",
        "waitress",
        f"--listen={bind_address(host, port)}",
        f"--threads={threads}",
        "payables.wsgi:application",
    )
