"""The processes one ``payables`` command starts (web server, workers), run and stopped together.

``payables serve`` and ``payables worker --processes N`` stay in the foreground as a small
supervisor: SIGTERM or Ctrl-C stops every process it started (a second one hurries them),
a process that dies after it got going is started again, and one that fails at once (a bad
option, no database) stops them all with its exit code, so a service manager sees it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

logger = logging.getLogger(__name__)

# A process that fails sooner after its start failed to start: restarting it would only
# fail again, so the group stops.
STARTUP_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.2
# The directory holding the ``payables`` package this process runs: the children run the
# same code, also where it is not installed (a checkout on PYTHONPATH, the fuzz server).
SOURCE_ROOT = str(Path(__file__).resolve().parents[2])


def python_command(*args: str) -> list[str]:
    """This interpreter running ``args`` (``-m module …``)."""
    return [sys.executable, *args]


def child_environment() -> dict[str, str]:
    """This process's environment, with this payables first on the children's path."""
    path = os.environ.get("PYTHONPATH", "")
    return os.environ | {"PYTHONPATH": os.pathsep.join(p for p in (SOURCE_ROOT, path) if p)}


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: have the kernel send SIGTERM should the supervisor die (``kill -9``)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@dataclass
class Child:
    """One supervised process: how to start it, and the running one."""

    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0


class ProcessGroup:
    """Start processes, keep them running, and stop them all on SIGTERM/SIGINT."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        self._signals: list[int] = []  # received, in order
        self._forwarded = 0  # how many of them were passed on

    def start(self, name: str, command: list[str]) -> Child:
        """Start ``command`` in its own process group (Ctrl-C reaches it once: from us)."""
        child = Child(name, command)
        self._spawn(child)
        self.children.append(child)
        return child

    def _spawn(self, child: Child) -> None:
        extra: dict[str, object] = {}
        if os.name == "posix":
            extra["process_group"] = 0
            if sys.platform == "linux":
                extra["preexec_fn"] = _die_with_parent
        child.process = subprocess.Popen(child.command, env=child_environment(), **extra)
        child.started_at = time.monotonic()
        logger.info("Started %s (pid %d)", child.name, child.process.pid)

    def run(self) -> int:
        """Supervise until every process ended; the exit code for the command."""
        previous = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        exit_code = 0
        try:
            running = list(self.children)
            while running:
                # A signal handler only notes the signal (it may interrupt anything here);
                # the loop passes it on within a poll.
                time.sleep(POLL_SECONDS)
                self._forward_signals()
                for child in list(running):
                    assert child.process is not None
                    code = child.process.poll()
                    if code is None:
                        continue
                    if self._signals or code == 0:  # stopped by us, or its work is done
                        running.remove(child)
                    elif time.monotonic() - child.started_at < STARTUP_GRACE_SECONDS:
                        logger.error("%s failed to start (exit code %s)", child.name, code)
                        exit_code = exit_code or (code if code > 0 else 1)
                        running.remove(child)
                        self.stop()
                    else:
                        logger.warning(
                            "%s ended (exit code %s); starting it again", child.name, code
                        )
                        child.restarts += 1
                        self._spawn(child)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return exit_code

    def stop(self) -> None:
        """Ask every process to stop, as a SIGTERM to this one does."""
        self._on_signal(signal.SIGTERM, None)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signals.append(signum)

    def _forward_signals(self) -> None:
        """Pass each signal received on: the first stops gracefully, a later one at once."""
        while self._forwarded < len(self._signals):
            hurry = self._forwarded > 0
            self._forwarded += 1
            for child in self.children:
                if child.process is not None and child.process.poll() is None:
                    _signal(child.process, hurry=hurry)


def _signal(process: subprocess.Popen, *, hurry: bool) -> None:
    """SIGTERM (graceful: a worker finishes its task) or SIGINT (at once) to its process group.

    The whole group: a worker with ``--reload`` or gunicorn's own workers get it too.
    """
    if os.name != "posix":
        process.kill() if hurry else process.terminate()
        return
    with contextlib.suppress(ProcessLookupError):  # ended meanwhile
        os.killpg(process.pid, signal.SIGINT if hurry else signal.SIGTERM)
