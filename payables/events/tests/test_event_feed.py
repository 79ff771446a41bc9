"""The event feed: every event exactly once, ascending, paged by ``from`` / ``next``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from payables.conftest import ApiClient
from payables.events.models import Event
from payables.events.tests.feed_support import Writer, read_while_writing


def _read_all(api: ApiClient, *, limit: int, start: str | None = None) -> tuple[list[dict], list]:
    """Follow ``next`` from ``start`` to the end; return the events and every page's ``next``."""
    events: list[dict] = []
    nexts: list = []
    params = {"limit": limit} | ({"from": start} if start else {})
    for _ in range(1000):
        response = api.get("/events", params)
        assert response.status_code == 200, response.json()
        page = response.json()
        events += page["items"]
        nexts.append(page["next"])
        if page["next"] is None:
            return events, nexts
        params = {"limit": limit, "from": page["next"]}
    raise AssertionError("the feed never ended")


def _cursors(events: list[dict]) -> list[int]:
    return [int(e["cursor"]) for e in events]


def _stored_cursors(company) -> list[int]:
    return list(
        Event.objects.filter(company=company)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    )


def test_paging_returns_every_event_once_in_ascending_order(api, company, make_invoice):
    for _ in range(7):
        make_invoice()
    events, nexts = _read_all(api, limit=3)
    assert _cursors(events) == _stored_cursors(company) == list(range(1, 9))
    assert nexts == ["3", "6", None]


def test_next_is_null_when_the_last_page_is_exactly_full(api, make_invoice):
    make_invoice()
    make_invoice()  # with the supplier's event: three events
    page = api.get("/events", {"limit": 3}).json()
    assert len(page["items"]) == 3
    assert page["next"] is None
    assert page["cursor"] == "3"


def test_empty_feed_has_no_next_and_no_cursor(api):
    page = api.get("/events").json()
    assert page == {"items": [], "next": None, "cursor": None}


def test_events_written_between_pages_are_each_seen_once(api, company, make_invoice):
    for _ in range(4):
        make_invoice()
    first = api.get("/events", {"limit": 2}).json()
    for _ in range(3):
        make_invoice()
    rest, _ = _read_all(api, limit=2, start=first["next"])
    seen = _cursors(first["items"] + rest)
    assert seen == _stored_cursors(company) == list(range(1, 9))


def test_polling_from_the_last_cursor_returns_only_new_events(api, make_invoice, invoice_payload):
    make_invoice()
    end = api.get("/events").json()
    assert end["next"] is None
    created = api.post("/invoices", invoice_payload(invoice_number="NEW-1")).json()
    later = api.get("/events", {"from": end["cursor"]}).json()
    assert [(e["type"], e["subject_id"]) for e in later["items"]] == [
        ("invoice.created", created["id"])
    ]
    nothing_new = api.get("/events", {"from": later["cursor"]}).json()
    assert nothing_new == {"items": [], "next": None, "cursor": later["cursor"]}


def test_empty_from_starts_at_the_beginning(api, make_invoice):
    make_invoice()
    page = api.get("/events", {"from": ""}).json()
    assert _cursors(page["items"]) == [1, 2]


def test_events_carry_type_subject_actor_and_payload(api, invoice_payload):
    created = api.post("/invoices", invoice_payload()).json()
    event = api.get("/events").json()["items"][-1]
    assert event["type"] == "invoice.created"
    assert event["subject_type"] == "invoice"
    assert event["subject_id"] == created["id"]
    assert event["actor"].startswith("integrator:ERP (key pay_")
    assert event["payload"]["id"] == created["id"]
    assert event["payload"]["invoice_number"] == "INV-1001"
    assert event["payload"]["gross_amount"] == "176.50"
    assert event["created_at"]


def test_feed_shows_only_the_callers_company(api, other_api, make_invoice):
    make_invoice()
    other_supplier = other_api.post("/suppliers", {"name": "Helsingin Paperi Oy", "country": "FI"})
    assert other_supplier.status_code == 201
    mine = api.get("/events").json()["items"]
    theirs = other_api.get("/events").json()["items"]
    assert [e["type"] for e in mine] == ["supplier.created", "invoice.created"]
    assert [(e["cursor"], e["subject_id"]) for e in theirs] == [("1", other_supplier.json()["id"])]


@pytest.mark.parametrize(
    "cursor",
    ["abc", "-1", "1.5", " 1", "1e3", "9" * 19, "0x10", "\u00b2", "\u0661"],
    ids=[
        "letters",
        "negative",
        "decimal",
        "space",
        "exponent",
        "too_long",
        "hex",
        "sup2",
        "arabic",
    ],
)
def test_bad_cursor_is_422(api, make_invoice, cursor):
    make_invoice()
    response = api.get("/events", {"from": cursor})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "from"]


def test_cursor_past_the_last_event_is_422(api, make_invoice):
    """A cursor the feed never gave out (made up, or another company's) would skip events."""
    make_invoice()
    response = api.get("/events", {"from": "3"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "from"]
    assert response.json()["detail"][0]["type"] == "invalid_cursor"


def test_cursor_of_the_last_event_is_accepted(api, make_invoice):
    make_invoice()
    page = api.get("/events", {"from": "2"}).json()
    assert page == {"items": [], "next": None, "cursor": "2"}


@pytest.mark.parametrize("limit", ["0", "-1", "501", "x", "1.5", "99999999999999999999"])
def test_limit_out_of_bounds_is_422(api, limit):
    response = api.get("/events", {"limit": limit})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize("limit", [1, 500])
def test_limit_bounds_themselves_are_accepted(api, make_invoice, limit):
    make_invoice()
    page = api.get("/events", {"limit": limit}).json()
    assert len(page["items"]) == min(limit, 2)


def test_key_without_events_scope_is_403(company, make_key, make_invoice):
    make_invoice()
    response = ApiClient(make_key(company, scopes=["invoices:read"])).get("/events")
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_reader_see_every_event_once_in_order(api_key, company):
    """Writers commit changes while a reader pages: no event is skipped, repeated or reordered.

    The writers add suppliers, links and payments, which share no lock but the event
    counter's row lock; held until commit, it keeps a later cursor from becoming visible
    before an earlier one. A skip here would be lost forever for a feed client.
    """
    writers, rounds = 3, 6

    def writing(n: int) -> Writer:
        def write(client: ApiClient, start: Callable[[], None]) -> None:
            supplier = client.post("/suppliers", {"name": f"Writer {n} AS", "country": "EE"})
            invoice = client.post(
                "/invoices",
                {
                    "supplier_id": supplier.json()["id"],
                    "invoice_number": f"W{n}",
                    "invoice_date": "2026-11-02",
                    "currency": "EUR",
                    "net_amount": "100.00",
                    "vat_amount": "22.00",
                    "gross_amount": "122.00",
                },
            ).json()
            start()
            for i in range(rounds):
                answers = [
                    client.post("/suppliers", {"name": f"Writer {n}.{i} AS", "country": "EE"}),
                    client.post(
                        f"/invoices/{invoice['id']}/attachments",
                        {"url": f"https://example.com/{n}/{i}.pdf"},
                    ),
                    client.post(
                        f"/invoices/{invoice['id']}/payments",
                        {"amount": "1.00", "payment_date": "2026-11-20"},
                    ),
                ]
                for answer in answers:
                    assert answer.status_code == 201, answer.json()

        return write

    seen = read_while_writing(
        api_key,
        "/events",
        [writing(n) for n in range(writers)],
        identity=lambda event: int(event["cursor"]),
    )
    total = writers * (2 + 3 * rounds)
    assert Event.objects.filter(company=company).count() == total
    assert seen == list(range(1, total + 1))
