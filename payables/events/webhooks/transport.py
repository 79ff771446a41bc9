"""The network edge of webhooks: one HTTP POST, pinned to a checked address.

It knows nothing of messages, settings or the database: the caller gives the signed
body, the headers and the limits, and gets an ``Outcome`` back (network trouble included).

No redirects are followed (a 3xx is a failure: the receiver must name its final URL),
at most ``max_response_bytes`` of the answer are read, and the timeout bounds the
whole exchange: name resolution, connect, TLS, request and the whole answer (a
watchdog shuts the socket down at the deadline, so a receiver trickling its status
line or headers byte by byte cannot hold a worker). The host is resolved and checked
here, right before connecting, and the connection goes to the checked address, so DNS
rebinding cannot slip past it.

What the receiver answered is stored as text: NUL characters (which PostgreSQL text
cannot hold) are replaced, so no answer can make its attempt unrecordable.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from payables.events.webhooks.targets import Target, TargetRefused, parse_target, resolve

USER_AGENT = "payables-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    """What one attempt brought back; ``ok`` is a 2xx answer within the timeout."""

    status_code: int | None
    duration_ms: int
    error: str = ""
    response_body: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def post_message(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    max_response_bytes: int,
    allow_private: bool,
) -> Outcome:
    """POST ``body`` to ``url``; never raises for network trouble, which is an outcome."""
    started = time.monotonic()
    deadline = started + timeout

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    watchdog = _Watchdog()
    timed_out = Outcome(None, 0, error=f"timeout: no answer within {timeout:g} s")
    try:
        target = parse_target(url)
        addresses = resolve(target, allow_private=allow_private, timeout=timeout)
        status, answer = _exchange(
            target, addresses[0], body, headers, deadline, max_response_bytes, watchdog
        )
    except TargetRefused as exc:
        return Outcome(None, elapsed_ms(), error=storable(f"refused: {exc}"))
    except TimeoutError:
        return Outcome(None, elapsed_ms(), error=timed_out.error)
    except (OSError, http.client.HTTPException) as exc:
        if watchdog.fired:  # the socket was shut at the deadline: that is the cause
            return Outcome(None, elapsed_ms(), error=timed_out.error)
        return Outcome(None, elapsed_ms(), error=storable(f"{type(exc).__name__}: {exc}")[:500])
    if watchdog.fired:  # an answer cut short at the deadline is no answer
        return Outcome(None, elapsed_ms(), error=timed_out.error)
    text = storable(answer.decode("utf-8", errors="replace"))
    error = ""
    if 300 <= status < 400:
        error = "redirect not followed: the target must answer 2xx itself"
    elif not 200 <= status < 300:
        error = f"HTTP {status}"
    return Outcome(status, elapsed_ms(), error=error, response_body=text)


def storable(text: str) -> str:
    r"""Text as the database can store it: NUL, which PostgreSQL refuses, written as ``\x00``.

    >>> print(storable("BadStatusLine: '\x00bad'"))
    BadStatusLine: '\x00bad'
    >>> storable("ok\x00") == "ok" + "\\" + "x00"
    True
    """
    return text.replace("\x00", "\\x00")


class _Watchdog:
    """Shuts a connection's socket down at the deadline, whatever the exchange is doing.

    It holds a duplicate of the socket's descriptor (so it never touches a descriptor
    number the exchange has closed and the process reused): shutting the duplicate down
    shuts the one socket down, TLS or not, and every blocked read returns at once.
    """

    def __init__(self) -> None:
        self.fired = False
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._done = False
        self._timer: threading.Timer | None = None

    def watch(self, sock: socket.socket, deadline: float) -> None:
        with self._lock:
            self._socket = sock.dup()
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._done or self._socket is None:
                return
            self.fired = True
            with contextlib.suppress(OSError):  # already closed by the peer
                self._socket.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._done = True
            if self._socket is not None:
                self._socket.close()


def _exchange(
    target: Target,
    address: str,
    body: bytes,
    headers: dict[str, str],
    deadline: float,
    max_response_bytes: int,
    watchdog: _Watchdog,
) -> tuple[int, bytes]:
    """Send the request to ``address`` (the checked one) and read the bounded answer."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    if target.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            target.host, target.port, timeout=remaining, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=remaining)

    def connect(_address: object, timeout: float, source: object) -> socket.socket:
        # Connect to the address we checked, not to whatever the name resolves to by now;
        # TLS still verifies the certificate against the host name (SNI included).
        sock = socket.create_connection((address, target.port), timeout, source)
        watchdog.watch(sock, deadline)
        return sock

    connection._create_connection = connect
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                **headers,
            },
        )
        response = connection.getresponse()
        answer = b""
        while len(answer) < max_response_bytes:
            if time.monotonic() > deadline:
                raise TimeoutError
            if connection.sock is not None:  # None once the answer owns the socket
                connection.sock.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = response.read1(max_response_bytes - len(answer))
            if not chunk:
                break
            answer += chunk
        return response.status, answer
    finally:
        watchdog.stop()
        connection.close()
