"""Real webhook receivers for the tests: ``http.server`` on 127.0.0.1, an ephemeral port.

A receiver records every request and answers from a script of replies (then 200), so
tests can make it fail, stall, redirect or go down, and count what arrived.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from django.test import Client

from payables.conftest import ApiClient


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"ok"
    delay: float = 0.0  # seconds to stall before answering
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def message(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """An HTTP server in a thread that records POSTs and answers from a script."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: list[Reply] = []
        self.port = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answer(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, then with 200 again."""
        with self._lock:
            self.script.extend(replies)

    def messages(self, type_: str | None = None) -> list[dict]:
        with self._lock:
            found = [r.message for r in self.received]
        return [m for m in found if type_ is None or m["type"] == type_]

    def start(self) -> None:
        """Listen (again on the same port after ``stop``, so the target stays the same)."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stall

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.received.append(Received(self.path, dict(self.headers), body))
                    reply = receiver.script.pop(0) if receiver.script else Reply()
                if reply.delay:
                    receiver._stopping.wait(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the client gave up (timeout): nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._stopping.clear()
        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()

    def stop(self) -> None:
        """Go down: nothing listens on the port until ``start``."""
        if self._server is not None:
            self._stopping.set()
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()


@contextmanager
def raw_server(*chunks: tuple[float, bytes]) -> Iterator[str]:
    """A server that answers each connection with these raw bytes, each after its pause.

    For answers ``http.server`` cannot give: a broken status line, headers trickled out
    one by one. It stops sending when the client hangs up. Yields the target URL.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)  # accept wakes up to see the test is over
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed: the test is over
            connection.settimeout(5)
            with connection:
                connection.recv(65536)
                for pause, data in chunks:
                    if stopping.wait(pause):
                        return
                    try:
                        connection.sendall(data)
                    except OSError:
                        break  # the client gave up

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hooks"
    finally:
        stopping.set()
        listener.close()
        thread.join(2)


def subscribe(api: ApiClient, target: str, event_types: list[str] | None = None, **extra: Any):
    """Create a subscription through the API; return its JSON (with the one-time secret)."""
    answer = api.post(
        "/webhooks", {"name": "ERP", "event_types": event_types or ["*"], "target": target, **extra}
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


def confirm(receiver: Receiver) -> dict:
    """Open the confirm URL of the last confirmation request the receiver got, as it would."""
    request = receiver.messages("SubscriptionConfirmation")[-1]
    answer = Client().get(urlsplit(request["data"]["confirm_url"]).path)
    assert answer.status_code == 200, answer.content
    return answer.json()


def subscribe_confirmed(api: ApiClient, receiver: Receiver, **options: Any) -> dict:
    """A subscription of ``receiver`` that has confirmed (needs on_commit: transactional test)."""
    subscription = subscribe(api, receiver.url, **options)
    assert confirm(receiver)["state"] == "active"
    return subscription


HANDSHAKE = {"SubscriptionConfirmation", "webhook_subscription.confirmed"}


def deliveries(api: ApiClient, subscription: dict, **params: Any) -> list[dict]:
    """The subscription's deliveries as the API lists them, less those of its own handshake:
    the confirmation request and (to ``*``) the event of its confirmation."""
    answer = api.get(f"/webhooks/{subscription['id']}/deliveries", params)
    assert answer.status_code == 200, answer.content
    return [d for d in answer.json()["items"] if d["type"] not in HANDSHAKE]
