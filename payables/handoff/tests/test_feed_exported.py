"""GET /feeds/exported: exported invoices as documents, in export order, paged by cursor."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payables.conftest import ApiClient
from payables.events.tests.feed_support import read_feed
from payables.handoff.services import export_invoice, export_invoices
from payables.invoices.models import Invoice


def _ids(documents: list[dict]) -> list[str]:
    return [d["document_id"] for d in documents]


def _in_feed_order(*invoices: Invoice) -> list[Invoice]:
    for invoice in invoices:
        invoice.refresh_from_db()
    return sorted(invoices, key=lambda i: (i.exported_at, i.id))


def test_empty_feed_has_no_next_and_no_cursor(api, approved_invoice):
    assert api.get("/feeds/exported").json() == {"items": [], "next": None, "cursor": None}


def test_paging_returns_every_export_once_in_export_order(api, make_exported):
    invoices = [make_exported() for _ in range(5)]
    documents, nexts = read_feed(api, limit=2)
    assert _ids(documents) == [f"{i.id}/1" for i in invoices]
    assert [n is None for n in nexts] == [False, False, True]
    assert nexts[0] == documents[1]["cursor"]


def test_next_is_null_when_the_last_page_is_exactly_full(api, make_exported):
    make_exported()
    make_exported()
    page = api.get("/feeds/exported", {"limit": 2}).json()
    assert page["next"] is None
    assert page["cursor"] == page["items"][-1]["cursor"]


def test_a_client_restarting_from_its_stored_cursor_loses_nothing(api, make_exported, actor):
    first = [make_exported() for _ in range(3)]
    page = api.get("/feeds/exported", {"limit": 2}).json()
    stored = page["cursor"]  # the client commits the page's data and this cursor, then stops
    later = [make_exported() for _ in range(2)]
    documents, _ = read_feed(api, limit=2, start=stored)
    assert _ids(page["items"] + documents) == [f"{i.id}/1" for i in first + later]
    nothing_new = api.get("/feeds/exported", {"from": documents[-1]["cursor"]}).json()
    assert nothing_new == {"items": [], "next": None, "cursor": documents[-1]["cursor"]}


def test_a_batch_shares_one_timestamp_and_pages_through_the_tie(api, make_approved, actor):
    invoices = [make_approved() for _ in range(4)]
    export_invoices([str(i.id) for i in invoices], actor=actor)
    ordered = _in_feed_order(*invoices)
    assert len({i.exported_at for i in ordered}) == 1
    documents, nexts = read_feed(api, limit=1)
    assert _ids(documents) == [f"{i.id}/1" for i in ordered]
    assert len(set(nexts)) == len(nexts) == 4  # the last page is full: its next is null


def test_ties_forced_in_the_database_are_neither_skipped_nor_repeated(api, make_exported):
    invoices = [make_exported() for _ in range(5)]
    same = invoices[0].exported_at
    Invoice.objects.filter(pk__in=[i.pk for i in invoices[1:4]]).update(exported_at=same)
    ordered = _in_feed_order(*invoices)
    for limit in (1, 2, 3):
        documents, _ = read_feed(api, limit=limit)
        assert _ids(documents) == [f"{i.id}/1" for i in ordered]


def test_a_re_export_appears_again_marked(api, make_exported, actor):
    first, second = make_exported(), make_exported()
    page = api.get("/feeds/exported").json()
    export_invoice(first, actor=actor)
    later = api.get("/feeds/exported", {"from": page["cursor"]}).json()
    [again] = later["items"]
    assert (again["document_id"], again["reexport"], again["export_count"]) == (
        f"{first.id}/2",
        True,
        2,
    )
    assert [d["reexport"] for d in page["items"]] == [False, False]
    assert _ids(read_feed(api, limit=10)[0]) == [f"{second.id}/1", f"{first.id}/2"]


def test_an_export_never_lands_before_the_latest_one(api, make_exported, make_approved, actor):
    """Clocks may step back: the clamp keeps a new export after every earlier one.

    Were it placed before, a reader already past that position would never see it.
    """
    early = make_exported()
    future = timezone.now() + timedelta(days=1)
    Invoice.objects.filter(pk=early.pk).update(exported_at=future)
    page = api.get("/feeds/exported").json()
    late = export_invoice(make_approved(), actor=actor)
    assert late.exported_at > future
    after = api.get("/feeds/exported", {"from": page["cursor"]}).json()
    assert _ids(after["items"]) == [f"{late.id}/1"]


def test_interleaved_exports_and_reads_see_every_export_once_in_order(api, make_approved, actor):
    """A reader paging between exports and re-exports misses none and repeats none."""
    a, b, c, d = (make_approved() for _ in range(4))
    seen: list[str] = []
    position = ""

    def pull() -> None:
        nonlocal position
        page = api.get("/feeds/exported", {"from": position, "limit": 1}).json()
        seen.extend(_ids(page["items"]))
        position = page["cursor"] or position

    export_invoice(a, actor=actor)
    export_invoice(b, actor=actor)
    pull()
    export_invoice(c, actor=actor)
    export_invoice(a, actor=actor)
    pull()
    pull()
    export_invoices([str(d.id), str(b.id)], actor=actor)
    for _ in range(4):
        pull()
    tied = [f"{i.id}/{i.export_count}" for i in _in_feed_order(d, b)]
    assert seen == [f"{a.id}/1", f"{b.id}/1", f"{c.id}/1", f"{a.id}/2", *tied]
    assert tied == sorted(tied)  # one batch, one timestamp: by id


def test_documents_are_complete(api, approved_invoice, approver):
    api.post(
        f"/invoices/{approved_invoice.id}/attachments",
        {"filename": "scan.pdf", "content_type": "application/pdf", "content_base64": "JVBERi0="},
    )
    api.post(f"/invoices/{approved_invoice.id}/attachments", {"url": "https://example.com/a.pdf"})
    api.post(f"/invoices/{approved_invoice.id}/export")
    [document] = api.get("/feeds/exported").json()["items"]
    assert document["document_id"] == f"{approved_invoice.id}/1"
    assert (document["status"], document["export_count"], document["reexport"]) == (
        "exported",
        1,
        False,
    )
    assert (document["sync_failed"], document["booking"]) == (False, None)
    invoice = document["invoice"]
    assert invoice == api.get(f"/invoices/{approved_invoice.id}").json()
    assert [r["net_amount"] for r in invoice["rows"]] == ["100.00", "50.00"]
    assert [v["vat_amount"] for v in invoice["vat_breakdown"]] == ["22.00", "4.50"]
    assert {"account_code", "vat_code", "dimensions"} <= set(invoice["rows"][0])
    stored, link = document["attachments"]
    assert (stored["filename"], stored["url"]) == ("scan.pdf", None)
    path = stored["download_url"].split("/api/v1", 1)[1]
    assert api.client.get("/api/v1" + path, headers={"X-API-Key": api.key}).content == (b"%PDF-")
    assert (link["url"], link["download_url"]) == ("https://example.com/a.pdf", None)
    [step] = document["approval_chain"]
    assert (step["status"], step["level"], step["approver"]["code"]) == ("approved", 1, "APPR")


def test_booked_and_failed_states_show_in_the_document(api, make_exported):
    booked, failed = make_exported(), make_exported()
    api.post(f"/invoices/{booked.id}/booked", {"document_id": "GL-7", "booking_date": "2026-11-20"})
    api.post("/sync-errors", {"document_id": f"{failed.id}/1", "message": "No such account"})
    first, second = api.get("/feeds/exported").json()["items"]
    assert first["status"] == "booked"
    assert first["booking"]["document_id"] == "GL-7"
    assert (second["sync_failed"], second["sync_error_message"]) == (True, "No such account")


def test_the_feed_shows_only_the_callers_company(api, other_api, exported_invoice):
    assert other_api.get("/feeds/exported").json()["items"] == []
    mine = api.get("/feeds/exported").json()
    response = other_api.get("/feeds/exported", {"from": mine["cursor"]})
    assert response.status_code == 422  # a cursor of another company's feed
    assert response.json()["detail"][0]["loc"] == ["query", "from"]


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        "x" * 101,
        _cursor("12345"),
        _cursor("abc." + "0" * 32),
        _cursor("1." + "z" * 32),
        _cursor("9" * 19 + "." + "0" * 32),
        _cursor("999999999999999999." + "0" * 32),
        _cursor("\u00b2." + "0" * 32),
        "\u00e9",
    ],
    ids=[
        "not_base64",
        "too_long",
        "no_id",
        "letters",
        "not_hex",
        "too_many_digits",
        "overflow",
        "sup2",
        "non_ascii",
    ],
)
def test_bad_cursor_is_422(api, exported_invoice, cursor):
    response = api.get("/feeds/exported", {"from": cursor})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "from"]


def test_a_cursor_past_the_last_export_is_422(api, exported_invoice):
    cursor = api.get("/feeds/exported").json()["cursor"]
    micros, _, hex_id = base64.urlsafe_b64decode(cursor + "==").decode().partition(".")
    made_up = _cursor(f"{int(micros) + 1}.{hex_id}")
    response = api.get("/feeds/exported", {"from": made_up})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "invalid_cursor"


@pytest.mark.parametrize("limit", ["0", "501", "x"])
def test_limit_out_of_bounds_is_422(api, limit):
    response = api.get("/feeds/exported", {"limit": limit})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


def test_the_feed_needs_the_export_read_scope(company, make_key, exported_invoice):
    client = ApiClient(make_key(company, scopes=["invoices:read", "export:write"]))
    response = client.get("/feeds/exported")
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"


def test_a_page_costs_the_same_queries_however_many_documents(api, make_exported):
    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/feeds/exported").status_code == 200
        return len(captured)

    make_exported()
    queries_for_a_page()  # the key's first use of the minute also writes last_used_at
    one = queries_for_a_page()
    for _ in range(3):
        make_exported()
    assert queries_for_a_page() == one
