"""The network edge of webhooks: one HTTP POST, pinned to a checked address.

No redirects are followed (a 3xx is a failure: the receiver must name its final URL),
at most ``max_response_bytes`` of the answer are read, and the timeout bounds the
whole exchange. The host is resolved and checked here, right before connecting, and
the connection goes to the checked address, so DNS rebinding cannot slip past it.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from payables.sync.webhooks.targets import Target, TargetRefused, parse_target, resolve

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

    try:
        target = parse_target(url)
        addresses = resolve(target, allow_private=allow_private)
        status, answer = _exchange(
            target, addresses[0], body, headers, deadline, max_response_bytes
        )
    except TargetRefused as exc:
        return Outcome(None, elapsed_ms(), error=f"refused: {exc}")
    except TimeoutError:
        return Outcome(None, elapsed_ms(), error=f"timeout: no answer within {timeout:g} s")
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(None, elapsed_ms(), error=f"{type(exc).__name__}: {exc}"[:500])
    text = answer.decode("utf-8", errors="replace")
    error = ""
    if 300 <= status < 400:
        error = "redirect not followed: the target must answer 2xx itself"
    elif not 200 <= status < 300:
        error = f"HTTP {status}"
    return Outcome(status, elapsed_ms(), error=error, response_body=text)


def _exchange(
    target: Target,
    address: str,
    body: bytes,
    headers: dict[str, str],
    deadline: float,
    max_response_bytes: int,
) -> tuple[int, bytes]:
    """Send the request to ``address`` (the checked one) and read the bounded answer."""
    remaining = max(deadline - time.monotonic(), 0.001)
    if target.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            target.host, target.port, timeout=remaining, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=remaining)
    # Connect to the address we checked, not to whatever the name resolves to by now;
    # TLS still verifies the certificate against the host name (SNI included).
    connection._create_connection = lambda _address, timeout, source: socket.create_connection(
        (address, target.port), timeout, source
    )
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
        connection.close()
