"""Listing invoices: paging and filters."""

from __future__ import annotations

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
