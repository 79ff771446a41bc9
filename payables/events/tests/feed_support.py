"""Reading a cursor feed to its end, as a client does, also while others write."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection

from payables.conftest import ApiClient


def read_feed(
    api: ApiClient, *, limit: int, start: str | None = None, path: str = "/feeds/exported"
) -> tuple[list[dict], list[str | None]]:
    """Follow ``next`` from ``start`` to the end; return the items and every page's ``next``."""
    items: list[dict] = []
    nexts: list[str | None] = []
    params = {"limit": limit} | ({"from": start} if start else {})
    for _ in range(1000):
        response = api.get(path, params)
        assert response.status_code == 200, response.json()
        page = response.json()
        items += page["items"]
        nexts.append(page["next"])
        if page["next"] is None:
            return items, nexts
        params = {"limit": limit, "from": page["next"]}
    raise AssertionError("the feed never ended")


Writer = Callable[[ApiClient, Callable[[], None]], None]


def read_while_writing(
    api_key: str, path: str, writers: list[Writer], *, identity: Callable[[dict], object]
) -> list:
    """Run the writers in threads while one reader pages ``path`` three items at a time.

    Each writer gets its own client and a ``start()`` to call once set up: all start
    together with the reader. The reader goes on until every writer is done and the feed
    is read out, and returns the ``identity`` of each item it saw, in order. An error in
    any thread fails the test.
    """
    barrier = threading.Barrier(len(writers) + 1)
    writing_done = threading.Event()
    errors: list[BaseException] = []
    seen: list = []

    def write(writer: Writer) -> None:
        try:
            writer(ApiClient(api_key), lambda: barrier.wait(timeout=10))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    def read() -> None:
        try:
            client = ApiClient(api_key)
            barrier.wait(timeout=10)
            position = ""
            for _ in range(10_000):  # bounded; ends once writing is over and read out
                done = writing_done.is_set()
                page = client.get(path, {"from": position, "limit": 3}).json()
                seen.extend(identity(item) for item in page["items"])
                position = page["cursor"] or position
                if page["next"] is None:
                    if done:
                        return
                    time.sleep(0.001)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(writer,)) for writer in writers]
    threads.append(threading.Thread(target=read))
    for thread in threads:
        thread.start()
    for thread in threads[:-1]:
        thread.join(timeout=120)
    writing_done.set()
    threads[-1].join(timeout=120)
    assert not errors, errors
    return seen
