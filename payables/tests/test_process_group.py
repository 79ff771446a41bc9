"""The supervisor behind ``payables serve`` and ``payables worker --processes N``, with small
Python children: a stop reaches every process, a crash is restarted, a failed start stops all."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from payables.cli import processes
from payables.cli.processes import ProcessGroup
from payables.tests.processes import alive

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals and process groups")


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


SLEEPER = python("import time; time.sleep(60)")


def test_a_stop_reaches_every_process_and_the_group_ends_cleanly():
    group = ProcessGroup()
    children = [group.start(f"sleeper {n}", SLEEPER) for n in (1, 2)]
    threading.Timer(0.5, group.stop).start()  # as a SIGTERM to the supervisor does

    assert group.run() == 0
    assert [child.process.returncode for child in children] == [-15, -15]  # SIGTERM each
    assert not any(alive(child.process.pid) for child in children)


def test_a_process_that_fails_at_once_stops_the_others_with_its_exit_code():
    group = ProcessGroup()
    sleeper = group.start("sleeper", SLEEPER)
    group.start("broken", python("import sys; sys.exit(3)"))

    assert group.run() == 3
    assert sleeper.process.returncode == -15


def test_a_process_that_dies_after_its_start_is_started_again(tmp_path, monkeypatch):
    monkeypatch.setattr(processes, "STARTUP_GRACE_SECONDS", 0)
    marker = tmp_path / "crashed-once"
    crash_once = python(
        f"import pathlib, sys; m = pathlib.Path({str(marker)!r})\n"
        "if not m.exists(): m.touch(); sys.exit(1)"
    )
    group = ProcessGroup()
    child = group.start("flaky", crash_once)

    assert group.run() == 0  # its second run ended its work: nothing left to supervise
    assert child.restarts == 1
    assert child.process.returncode == 0
    assert marker.exists()


def test_children_run_this_checkout_of_payables_even_where_another_is_installed(tmp_path):
    found = tmp_path / "found"
    group = ProcessGroup()
    group.start(
        "probe",
        python(
            f"import pathlib, payables; pathlib.Path({str(found)!r}).write_text(payables.__file__)"
        ),
    )

    assert group.run() == 0
    assert Path(found.read_text()).parent == Path(processes.__file__).resolve().parents[1]
