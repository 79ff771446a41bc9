"""GET /feeds/events: the event feed served by the shared feed machinery, same as /events."""

from __future__ import annotations

import json

import pytest

from payables.conftest import ApiClient
from payables.events.queries import events_after
from payables.events.schemas import EventOut, EventPage
from payables.json_encoding import PreciseJSONEncoder


def _pages(api: ApiClient, path: str, limit: int) -> list[dict]:
    pages, params = [], {"limit": limit}
    while True:
        page = api.get(path, params).json()
        pages.append(page)
        if page["next"] is None:
            return pages
        params = {"limit": limit, "from": page["next"]}


def test_feeds_events_pages_exactly_like_events(api, make_invoice):
    for _ in range(5):
        make_invoice()
    assert _pages(api, "/feeds/events", 4) == _pages(api, "/events", 4)
    assert len(_pages(api, "/feeds/events", 4)) == 2


def test_a_cursor_of_one_path_continues_on_the_other(api, make_invoice):
    for _ in range(3):
        make_invoice()
    first = api.get("/events", {"limit": 2}).json()
    rest = api.get("/feeds/events", {"from": first["next"]}).json()
    assert [e["cursor"] for e in first["items"] + rest["items"]] == ["1", "2", "3", "4"]


@pytest.mark.parametrize("cursor", ["abc", "9" * 19, "5"])
def test_bad_cursors_are_refused_alike(api, make_invoice, cursor):
    make_invoice()
    for path in ("/events", "/feeds/events"):
        response = api.get(path, {"from": cursor})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "from"]


def test_feeds_events_needs_the_events_scope(company, make_key):
    client = ApiClient(make_key(company, scopes=["export:read"]))
    assert client.get("/feeds/events").status_code == 403


def test_cursor_zero_is_the_start_on_both_paths(api, make_invoice):
    make_invoice()
    for path in ("/events", "/feeds/events"):
        page = api.get(path, {"from": "0"}).json()
        assert [e["cursor"] for e in page["items"]] == ["1", "2"]


def test_a_page_is_the_schema_built_page(api, make_exported, make_invoice, actor, company):
    """Written from plain values, the page is what ``EventPage`` builds, byte for byte: over
    events of several kinds, text that needs escaping, and pages from the start, the middle
    and past the end."""
    from payables.masterdata.services.suppliers import create_supplier

    make_exported()
    create_supplier({"name": 'Öko "Paber" & Co ✓ <OÜ>\\', "country": "FI"}, actor=actor)
    cancelled = make_invoice(invoice_number="Ü-1")
    cancel = api.post(f"/invoices/{cancelled.id}/cancel", {"reason": "sent twice ✓"})
    assert cancel.status_code == 200
    make_exported()
    for start, limit in (("", 3), ("2", 5), ("3", 100), ("8", 2)):
        page = events_after(company, start, limit=limit)
        items = [
            EventOut(
                cursor=cursor,
                type=e.type,
                subject_type=e.subject_type,
                subject_id=e.subject_id,
                actor=e.actor,
                created_at=e.created_at,
                payload=e.payload,
            )
            for e, cursor in zip(page.items, page.cursors, strict=True)
        ]
        built = EventPage(items=items, next=page.next, cursor=page.cursor).model_dump()
        expected = json.dumps(built, cls=PreciseJSONEncoder)
        for path in ("/events", "/feeds/events"):
            answer = api.get(path, {"from": start, "limit": limit}).content.decode()
            assert answer == expected, (start, limit)
    assert len({e["type"] for e in api.get("/feeds/events").json()["items"]}) >= 4
