"""Reading a cursor feed to its end, as a client does."""

from __future__ import annotations

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
