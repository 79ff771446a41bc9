"""Fuzz the HTTP API with Schemathesis against a live server: ``make fuzz``.

Starts payables on a free loopback port against a fresh SQLite data dir (or, with
``--database-url``, a fresh database made on that PostgreSQL server and dropped after)
holding the demo company, runs ``schemathesis run`` over every operation of
``/api/v1/openapi.json`` with a key that has every scope, then stops the server. Fails
(exit 1) on any server error, any status code or content type the OpenAPI does not
declare, any answer that does not match its declared schema, and when the run exceeds
its time budget.

Path parameters are drawn, most of the time, from the objects that exist (the demo's
invoices, master data, routing and coding rules, steps, attachments, and a webhook
subscription, a sync error and a bulk job made through the API first), so operations get
past their 404.

Only loopback traffic: no task worker runs (queued webhook messages and bulk jobs stay
queued) and webhook targets are not resolved (``PAYABLES_WEBHOOK_ALLOW_PRIVATE``), so a
generated URL never reaches a resolver or a host.

    python fuzz/run.py [--max-examples 25] [--budget 900] [--seed N] [--database-url URL]
                       [-- extra schemathesis args]

The server's log (tracebacks of any 500) is kept in ``<report dir>/server.log``;
Schemathesis writes a JUnit report and a pytest file reproducing each failure there too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
# What must hold for every answer (see the OpenAPI document's declared responses).
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
]
KEY_HEADER = "X-API-Key"


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--max-examples", type=int, default=20, help="test cases per operation and phase"
    )
    parser.add_argument(
        "--budget", type=int, default=900, help="seconds the whole run may take; beyond: failed"
    )
    parser.add_argument("--seed", type=int, default=None, help="Hypothesis seed (reproducible)")
    parser.add_argument("--workers", default="1", help="concurrent Schemathesis workers")
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=ROOT / "var" / "fuzz",
        help="where the server log and the reports go (emptied first)",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server (postgres://...) to fuzz on instead of SQLite: a fresh "
        "database is made there and dropped after",
    )
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    return parser.parse_args(argv), extra


def main(argv: list[str] | None = None) -> int:
    options, extra = parse_args(argv)
    if options.serve:
        return serve(options.serve)
    schemathesis = Path(sys.executable).with_name("schemathesis")
    if not schemathesis.exists():
        print("schemathesis is not installed: `make venv` installs the dev tools.", file=sys.stderr)
        return 2
    report_dir = options.report_dir.resolve()
    shutil.rmtree(report_dir, ignore_errors=True)
    report_dir.mkdir(parents=True)
    with (
        tempfile.TemporaryDirectory(prefix="payables-fuzz-") as data_dir,
        fresh_database(options.database_url) as database_url,
    ):
        env = server_env(data_dir, database_url)
        key = prepare(env)
        port = free_port()
        with (report_dir / "server.log").open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, __file__, "--serve", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=data_dir,
            )
            try:
                base = f"http://127.0.0.1:{port}"
                if not wait_until_up(f"{base}/api/v1/openapi.json", server):
                    print(f"The server did not start; see {report_dir / 'server.log'}.")
                    return 2
                config = report_dir / "schemathesis.toml"
                config.write_text(fuzz_config(collect_ids(base, key)))
                command = [
                    str(schemathesis),
                    "--config-file",
                    str(config),
                    "run",
                    f"{base}/api/v1/openapi.json",
                    "--header",
                    f"{KEY_HEADER}: {key}",
                    "--checks",
                    ",".join(CHECKS),
                    "--max-examples",
                    str(options.max_examples),
                    "--workers",
                    options.workers,
                    "--phases",
                    "examples,coverage,fuzzing",
                    "--request-timeout",
                    "60",
                    "--generation-database",
                    "none",
                    "--suppress-health-check",
                    "all",
                    "--no-color",
                    "--report",
                    "junit,pytest",
                    "--report-dir",
                    str(report_dir),
                    *(["--seed", str(options.seed)] if options.seed is not None else []),
                    *extra,
                ]
                code = run_bounded(command, options.budget, data_dir)
                if code != 0:
                    print_server_errors(report_dir / "server.log")
                return code
            finally:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on ``server_url``'s server, dropped afterwards."""
    if not server_url:
        yield ""
        return
    import psycopg

    name = f"payables_fuzz_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(data_dir: str, database_url: str) -> dict[str, str]:
    """The server's environment: a fresh database, no worker's tasks run, no DNS."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(
        DJANGO_SETTINGS_MODULE="payables.settings",
        PAYABLES_DATA_DIR=data_dir,
        PAYABLES_DEBUG="0",
        PAYABLES_LOG_LEVEL="WARNING",  # 500s are logged with their traceback
        PAYABLES_TASKS_BACKEND="database",  # queued, and no worker runs them
        PAYABLES_WEBHOOK_ALLOW_PRIVATE="1",  # targets are not resolved: no DNS traffic
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    return env


def prepare(env: dict[str, str]) -> str:
    """Migrate, load the demo company and return a fresh key with every scope."""
    script = (
        "import django, io\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "from payables.demo import load_demo\n"
        "from payables.tenancy.models import Integrator\n"
        "from payables.tenancy.scopes import SCOPES\n"
        "from payables.tenancy.services import create_api_key\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        "company = load_demo(out=io.StringIO())\n"
        "integrator = Integrator.objects.filter(company=company).first()\n"
        "_, raw = create_api_key(integrator, scopes=list(SCOPES), name='fuzz')\n"
        "print(raw)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=env["PAYABLES_DATA_DIR"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"Preparing the fuzz database failed:\n{done.stderr[-4000:]}")
    return done.stdout.strip().splitlines()[-1]


def serve(port: int) -> int:
    """In the server process: serve the app on loopback, without a task worker.

    Gunicorn as in production, two processes: Schemathesis sends one request at a time.
    """
    sys.path.insert(0, str(ROOT))
    from payables.cli import serve as payables_serve

    payables_serve(["--host", "127.0.0.1", "--port", str(port), "--no-worker", "--workers", "2"])
    return 0


# Kinds of coded master data: each `/<kind>/{ref}` takes an id or a code.
CODED_KINDS = [
    "accounts",
    "vat-codes",
    "dimension-types",
    "payment-methods",
    "users",
    "items",
    "custom-fields",
]
# Path parameters that name one kind of object wherever they appear.
UNAMBIGUOUS_IDS = (
    "supplier_id",
    "policy_id",
    "step_id",
    "attachment_id",
    "webhook_id",
    "delivery_id",
    "error_id",
    "job_id",
    "document_id",
    "tenant_id",
    "workspace_id",
)
# The share of test cases whose path parameters name an existing object.
EXISTING = 0.75


def collect_ids(base: str, key: str) -> dict[str, list[str]]:
    """Gather the ids and codes that exist, making through the API the objects the demo lacks."""

    def call(method: str, path: str, body: object = None) -> object:
        request = urllib.request.Request(
            f"{base}/api/v1{path}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={KEY_HEADER: key, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:2000].decode(errors="replace")
            message = f"Seeding the fuzz run: {method} {path} answered {exc.code}: {detail}"
            raise SystemExit(message) from None

    def listed(path: str, *, paged: bool = True) -> list[dict]:
        answer = call("GET", f"{path}?page_size=200" if paged else path)
        return answer["items"] if paged else answer

    ids: dict[str, list[str]] = {}
    invoices = listed("/invoices")
    ids["invoice"] = [i["id"] for i in invoices] + [str(i["internal_id"]) for i in invoices]
    ids["supplier_id"] = [s["id"] for s in listed("/suppliers")]
    ids["supplier_code"] = [s["erp_code"] for s in listed("/suppliers") if s.get("erp_code")]
    for kind in CODED_KINDS:
        records = listed(f"/{kind}")
        ids[f"{kind}-code"] = [r["code"] for r in records if r.get("code")]
        ids[f"{kind}-ref"] = [r["id"] for r in records] + ids[f"{kind}-code"]
    ids["dimension-value-ref"] = []
    for code in ids["dimension-types-code"]:
        values = listed(f"/dimension-types/{code}/values")
        ids["dimension-value-ref"] += [v["id"] for v in values] + [v["code"] for v in values]
    ids["routing_rule_id"] = [r["id"] for r in listed("/routing-rules")]
    ids["coding_rule_id"] = [r["id"] for r in listed("/coding-rules")]
    ids["policy_id"] = [p["id"] for p in listed("/numbering-policies", paged=False)]
    ids["attachment_id"], ids["step_id"] = [], []
    for invoice in invoices[:8]:
        ids["attachment_id"] += [
            a["id"] for a in listed(f"/invoices/{invoice['id']}/attachments", paged=False)
        ]
        chain = call("GET", f"/invoices/{invoice['id']}/approvals")
        ids["step_id"] += [step["id"] for step in chain["steps"]]
    webhook = call(
        "POST",
        "/webhooks",
        {"name": "fuzz", "event_types": ["*"], "target": "http://127.0.0.1:9/fuzz"},
    )
    ids["webhook_id"] = [webhook["id"]]
    ids["delivery_id"] = [d["id"] for d in listed(f"/webhooks/{webhook['id']}/deliveries")]
    exportable = [i for i in invoices if i["status"] in {"approved", "exported"}]
    if exportable:  # a sync error is about an export
        if exportable[0]["status"] == "approved":
            call("POST", f"/invoices/{exportable[0]['id']}/export")
        report = {"invoice_id": exportable[0]["id"], "message": "fuzz"}
        ids["error_id"] = [call("POST", "/sync-errors", report)["id"]]
    job = call("POST", "/suppliers/bulk", {"records": [{"name": "Fuzz Oy", "country": "FI"}]})
    ids["job_id"] = [job["id"]]
    where = call("GET", "/documents/upload-location?filename=fuzz.pdf&userdata=fuzz")
    ids["document_id"] = [where["document_id"]]
    # The external upsert's tenant and workspace: the key's company, by its code.
    own = call("GET", f"/documents/{where['document_id']}")["company_code"]
    ids["tenant_id"] = ids["workspace_id"] = [own]
    return {name: values for name, values in ids.items() if values}


def fuzz_config(ids: dict[str, list[str]]) -> str:
    """A schemathesis.toml drawing path parameters from ``ids`` (``EXISTING`` of the time)."""
    lines: list[str] = []
    for name, values in ids.items():
        lines += [f"[dictionaries.{json.dumps(name)}]", f"values = {json.dumps(values)}", ""]

    def binding(name: str) -> str:
        return f"{{ dictionary = {json.dumps(name)}, probability = {EXISTING} }}"

    # Names that mean one thing wherever they appear.
    lines.append("[parameters]")
    for name in UNAMBIGUOUS_IDS:
        if name in ids:
            lines.append(f'"path.{name}" = {binding(name)}')
    if "dimension-types-code" in ids:
        lines.append(f'"path.type_ref" = {binding("dimension-types-code")}')
    lines.append("")

    # `ref` and `code` name an object of the path's kind.
    def operations(path_regex: str, **params: str) -> None:
        bound = {f"path.{param}": name for param, name in params.items() if name in ids}
        if not bound:
            return
        inline = ", ".join(f'"{param}" = {binding(name)}' for param, name in bound.items())
        lines.extend(
            [
                "[[operations]]",
                f"include-path-regex = {json.dumps(path_regex)}",
                f"parameters = {{ {inline} }}",
                "",
            ]
        )

    operations(r"^/api/v1/invoices/\{ref\}", ref="invoice")
    # `rule_id` names a routing rule or a coding rule, by the path.
    operations(r"^/api/v1/routing-rules/\{rule_id\}", rule_id="routing_rule_id")
    operations(r"^/api/v1/coding-rules/\{rule_id\}", rule_id="coding_rule_id")
    operations(r"^/api/v1/suppliers/by-code/", code="supplier_code")
    operations(r"^/api/v1/dimension-types/\{type_ref\}/values/\{ref\}", ref="dimension-value-ref")
    for kind in CODED_KINDS:
        operations(rf"^/api/v1/{kind}/\{{ref\}}", ref=f"{kind}-ref")
        operations(rf"^/api/v1/{kind}/by-code/", code=f"{kind}-code")
    return "\n".join(lines)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 180) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def print_server_errors(log: Path, limit: int = 200) -> None:
    """Print the server's tracebacks (what a 500 was), which Schemathesis cannot show."""
    lines = log.read_text(errors="replace").splitlines()
    shown: list[str] = []
    inside = False
    for line in lines:
        if " ERROR " in line:
            inside = True
        elif line[:4].isdigit():  # the next log record
            inside = False
        if inside:
            shown.append(line)
    if shown:
        print(f"== the server's errors ({log}):", *shown[:limit], sep="\n", flush=True)


def run_bounded(command: list[str], budget: int, cwd: str) -> int:
    """Run Schemathesis; past ``budget`` seconds stop it and fail."""
    started = time.monotonic()
    print(f"== schemathesis run (budget {budget} s)", flush=True)
    env = dict(os.environ, SCHEMATHESIS_HOOKS=str(Path(__file__).with_name("hooks.py")))
    process = subprocess.Popen(command, cwd=cwd, env=env)
    try:
        code = process.wait(timeout=budget)
    except subprocess.TimeoutExpired:
        process.terminate()
        process.wait(timeout=30)
        print(f"The fuzz run exceeded its budget of {budget} s: failed.", file=sys.stderr)
        return 1
    print(f"== schemathesis exited {code} after {time.monotonic() - started:.0f} s", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
