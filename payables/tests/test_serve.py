"""``payables serve`` as an operator starts it: gunicorn's processes x threads, a task worker
beside them, static files cached for ever, and one SIGTERM stopping them all.

Real processes on a free loopback port, on the test database (``database_for_processes``:
migrated already) and a data dir of this module's own, where the first start collects the
static files and the next ones reuse them. Processes are found in /proc (no endpoint
tells a pid).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from payables.cli.serve import parse_options
from payables.tests.processes import alive, children, command_line, free_port, kill_tree, stop
from payables.tests.task_worker import database_for_processes

REPO_DIR = Path(__file__).resolve().parents[2]
FOREVER = "max-age=315360000, public, immutable"  # whitenoise's for hashed names
HASHED_CSS = re.compile(r"/static/web/app\.[0-9a-f]{12}\.css")

needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve")


class Server:
    """A ``payables serve`` process and what it answers."""

    def __init__(self, data_dir: Path, database: dict[str, str], *args: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k != "PAYABLES_TASKS_BACKEND"}
        env |= database | {"PAYABLES_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO_DIR)}
        self.log = data_dir / f"serve-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "payables.cli", "serve", "--port", str(self.port), *args],
                cwd=data_dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.base + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def wait_until_up(self, timeout: float = 180) -> None:
        """Wait for the first answer (the first start collects static files: seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                self.get("/sign-in/")
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"no answer in {timeout} s:\n{self.log.read_text()}")

    def tree(self) -> dict[str, list[int]]:
        """The serve process's children by what they run, and gunicorn's own workers."""
        kinds: dict[str, list[int]] = {"gunicorn": [], "waitress": [], "worker": [], "web": []}
        for pid in children(self.process.pid):
            line = command_line(pid)
            if "-m gunicorn" in line:
                kinds["gunicorn"].append(pid)
                kinds["web"] += children(pid)
            elif "-m waitress" in line:
                kinds["waitress"].append(pid)
            elif "payables.cli worker" in line:
                kinds["worker"].append(pid)
        return kinds

    def all_pids(self) -> list[int]:
        return [self.process.pid, *(pid for pids in self.tree().values() for pid in pids)]


@pytest.fixture
def database(data_dir: Path) -> Iterator[dict[str, str]]:
    """The test database, opened to the server's processes."""
    with database_for_processes(data_dir) as env:
        yield env


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        pids = server.all_pids() if server.process.poll() is None else []
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=10)
        kill_tree(pids)


@needs_proc
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_serve_runs_gunicorn_processes_and_a_worker_until_one_sigterm(data_dir, database, servers):
    server = Server(data_dir, database, "--workers", "2", "--threads", "2")
    servers.append(server)
    server.wait_until_up()

    status, headers, page = server.get("/sign-in/")
    assert status == 200 and headers["Server"] == "gunicorn"
    status, _, body = server.get("/api/v1/invoices")
    assert status == 401 and b"detail" in body  # the API answers too, as JSON
    tree = server.tree()
    assert len(tree["gunicorn"]) == 1
    assert len(tree["web"]) == 2, tree  # two gunicorn worker processes …
    assert all("gunicorn" in command_line(pid) for pid in tree["web"])
    assert "--threads=2" in command_line(tree["gunicorn"][0])  # … of two threads each
    assert "--worker-class=gthread" in command_line(tree["gunicorn"][0])
    assert len(tree["worker"]) == 1  # the embedded task worker

    # The page names the collected, hashed copy: cached for ever, sent compressed.
    [css] = HASHED_CSS.findall(page.decode())
    status, headers, _ = server.get(css, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Cache-Control"] == FOREVER
    assert headers["Content-Encoding"] == "gzip"
    status, headers, _ = server.get("/static/web/app.css")  # the plain name: not for ever
    assert status == 200 and headers["Cache-Control"] == "max-age=60, public"

    pids = server.all_pids()
    assert stop(server.process) == 0, server.log.read_text()[-3000:]
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if alive(pid)], "left running after SIGTERM"


@needs_proc
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_waitress_serves_where_gunicorn_does_not_and_no_worker_runs_when_asked(
    data_dir, database, servers
):
    server = Server(data_dir, database, "--server", "waitress", "--threads", "3", "--no-worker")
    servers.append(server)
    server.wait_until_up()

    status, headers, page = server.get("/sign-in/")
    assert status == 200 and headers["Server"] == "waitress"
    [css] = HASHED_CSS.findall(page.decode())
    assert server.get(css)[1]["Cache-Control"] == FOREVER
    tree = server.tree()
    assert (len(tree["waitress"]), tree["gunicorn"], tree["worker"]) == (1, [], [])
    assert stop(server.process) == 0


@pytest.mark.parametrize(
    "args", [["--workers", "0"], ["--threads", "-1"], ["--server", "uvicorn"]], ids=repr
)
def test_serve_refuses_nonsense_sizes_before_it_changes_anything(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_options(args)
    assert exit_info.value.code == 2
    assert "payables serve: error" in capsys.readouterr().err
