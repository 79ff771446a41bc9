"""Listing invoices: paging and filters."""

from __future__ import annotations

import json

from django.utils import timezone


def test_lists_newest_first_with_count(api, make_invoice):
    for _ in range(3):
        make_invoice()
    body = api.get("/invoices").json()
    assert body["count"] == 3
    assert [i["internal_id"] for i in body["items"]] == [3, 2, 1]


def test_pages_do_not_overlap(api, make_invoice):
    for _ in range(5):
        make_invoice()
    seen = []
    for page in (1, 2, 3):
        body = api.get("/invoices", {"page": page, "page_size": 2}).json()
        assert body["count"] == 5
        seen += [i["internal_id"] for i in body["items"]]
    assert seen == [5, 4, 3, 2, 1]


def test_page_size_is_bounded(api):
    assert api.get("/invoices", {"page_size": 201}).status_code == 422


def test_filters_by_status_and_type(api, make_invoice):
    keep = make_invoice()
    gone = make_invoice()
    api.post(f"/invoices/{gone.id}/cancel", {})
    ids = [i["id"] for i in api.get("/invoices", {"status": "new"}).json()["items"]]
    assert ids == [str(keep.id)]
    assert api.get("/invoices", {"type": "credit_note"}).json()["count"] == 0
    assert api.get("/invoices", {"status": "bogus"}).status_code == 422


def test_filters_by_supplier_and_dates(api, make_invoice, supplier):
    make_invoice(invoice_date="2026-01-10", due_date="2026-01-20")
    make_invoice(invoice_date="2026-03-10", due_date="2026-03-20")
    assert api.get("/invoices", {"supplier_id": str(supplier.id)}).json()["count"] == 2
    body = api.get("/invoices", {"invoice_date_from": "2026-02-01"}).json()
    assert [i["invoice_date"] for i in body["items"]] == ["2026-03-10"]
    assert api.get("/invoices", {"invoice_date_to": "2026-02-01"}).json()["count"] == 1
    assert api.get("/invoices", {"due_date_from": "2026-03-01"}).json()["count"] == 1


def test_filters_by_modification_time(api, make_invoice):
    old = make_invoice()
    cutoff = timezone.now()
    new = make_invoice()
    after = api.get("/invoices", {"modified_after": cutoff.isoformat()}).json()["items"]
    before = api.get("/invoices", {"modified_before": cutoff.isoformat()}).json()["items"]
    assert [i["id"] for i in after] == [str(new.id)]
    assert [i["id"] for i in before] == [str(old.id)]


def test_timestamp_without_offset_is_read_as_utc(api, make_invoice):
    invoice = make_invoice()
    naive = invoice.created_at.replace(tzinfo=None) - timezone.timedelta(seconds=1)
    body = api.get("/invoices", {"created_after": naive.isoformat()}).json()
    assert [i["id"] for i in body["items"]] == [str(invoice.id)]


def test_summaries_leave_rows_out_unless_expanded(api, make_invoice):
    make_invoice()
    [item] = api.get("/invoices").json()["items"]
    assert (item["rows"], item["vat_breakdown"]) == (None, None)
    assert item["amount_due"] == item["gross_amount"]
    assert item["supplier"]["name"]
    [full] = api.get("/invoices", {"expand": "rows,vat_breakdown"}).json()["items"]
    detail = api.get(f"/invoices/{full['id']}").json()
    assert (full["rows"], full["vat_breakdown"]) == (detail["rows"], detail["vat_breakdown"])
    assert {k: v for k, v in full.items() if k in detail} == {
        k: v for k, v in detail.items() if k in full
    }
    assert api.get("/invoices", {"expand": "payments"}).status_code == 422


def test_keyset_pages_follow_next_without_a_count(api, make_invoice):
    for _ in range(5):
        make_invoice()
    first = api.get("/invoices", {"page_size": 2}).json()
    assert (first["count"], first["next"]) == (5, "i4")
    seen = [i["internal_id"] for i in first["items"]]
    after = first["next"]
    while after:
        page = api.get("/invoices", {"page_size": 2, "after": after}).json()
        assert page["count"] is None
        seen += [i["internal_id"] for i in page["items"]]
        after = page["next"]
    assert seen == [5, 4, 3, 2, 1]
    bad = api.get("/invoices", {"after": "5; drop"})
    assert (bad.status_code, bad.json()["detail"][0]["loc"]) == (422, ["query", "after"])


def test_keyset_pages_of_one_status_skip_the_others(api, make_invoice, make_exported):
    for kind in ("new", "exported", "new", "exported", "exported", "new", "new"):
        make_exported() if kind == "exported" else make_invoice()
    seen, after = [], None
    while True:
        params = {"status": "exported", "page_size": 2} | ({"after": after} if after else {})
        page = api.get("/invoices", params).json()
        seen += [(i["internal_id"], i["status"]) for i in page["items"]]
        if not (after := page["next"]):
            break
    assert seen == [(5, "exported"), (4, "exported"), (2, "exported")]
    counted = api.get("/invoices", {"status": "new", "page": 2, "page_size": 3}).json()
    assert [i["internal_id"] for i in counted["items"]] == [1]
    assert counted["count"] == 4


def test_count_false_leaves_the_count_out_and_pages_alike(api, make_invoice):
    for _ in range(3):
        make_invoice()
    counted = api.get("/invoices", {"page_size": 2}).json()
    uncounted = api.get("/invoices", {"page_size": 2, "count": "false"}).json()
    assert (counted["count"], uncounted["count"]) == (3, None)
    assert uncounted["items"] == counted["items"]
    assert uncounted["next"] == counted["next"] == "i2"
    bad = api.get("/invoices", {"count": "maybe"})
    assert (bad.status_code, bad.json()["detail"][0]["loc"]) == (422, ["query", "count"])


# The keys of a summary in the order answers have always written them.
SUMMARY_KEYS = (
    "id", "internal_id", "invoice_number", "type", "status", "origin", "invoice_date",
    "due_date", "currency", "net_amount", "vat_amount", "gross_amount", "home_gross_amount",
    "order_number", "needs_review", "coded", "prebooked", "po_match_status", "sync_failed",
    "exported_at", "booked_at", "created_at", "modified_at", "supplier", "home_currency",
    "amount_due", "rows", "vat_breakdown",
)  # fmt: skip


def test_list_answer_is_byte_for_byte_the_invoices_details_in_summary(
    api, make_invoice, make_exported
):
    """Built from plain values; the same bytes as the details' fields written in order."""
    make_invoice(due_date=None, order_number="PO-7")
    make_exported(invoice_number="EXP-1")
    tea = {"description": "Tea", "net_amount": "150", "vat_rate": "18", "vat_amount": "27"}
    make_invoice(
        invoice_number="JPY-1",
        currency="JPY",
        net_amount="150",
        vat_amount="27",
        gross_amount="177",
        currency_rate="0.0061",
        rows=[tea],
        vat_breakdown=[{"vat_rate": "18", "base_amount": "150", "vat_amount": "27"}],
    )
    for query, expand in [({}, ()), ({"expand": "rows,vat_breakdown"}, ("rows", "vat_breakdown"))]:
        answer = api.get("/invoices", query)
        items = []
        for item in answer.json()["items"]:
            detail = api.get(f"/invoices/{item['id']}").json()
            detail |= {key: None for key in ("rows", "vat_breakdown") if key not in expand}
            detail |= {key: item[key] for key in ("coded", "prebooked")}  # not in a detail
            items.append({key: detail[key] for key in SUMMARY_KEYS})
        assert items[1]["exported_at"] and items[2]["due_date"] is None
        expected = {"items": items, "count": 3, "next": None}
        assert answer.content == json.dumps(expected).encode()
