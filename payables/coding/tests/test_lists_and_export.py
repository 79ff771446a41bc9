"""The accountant's worklists (invoice list filters) and the posting lines accounting gets."""

from __future__ import annotations

import pytest

from payables.coding.tests.conftest import line
from payables.events.models import Event

pytestmark = pytest.mark.usefixtures("master_data")

CODED = [
    line("4000", "100.00", "22.00", vat_code="VAT24"),
    line("4010", "50.00", "4.50", vat_code="VAT24"),
]


def ids(api, **params) -> set[str]:
    response = api.get("/invoices", params)
    assert response.status_code == 200, response.json()
    return {item["id"] for item in response.json()["items"]}


def test_filters_prebooked_and_coded(api, make_invoice):
    plain, coded = make_invoice(), make_invoice()
    api.put(f"/invoices/{coded.id}/posting-lines", {"lines": CODED})

    assert ids(api, prebooked="true") == {str(coded.id)}
    assert ids(api, prebooked="false") == {str(plain.id)}
    assert ids(api, coded="true") == {str(coded.id)}
    assert ids(api, coded="false", prebooked="false") == {str(plain.id)}


def test_filters_booked_and_approved(api, make_invoice, make_exported):
    waiting = make_invoice()
    exported = make_exported()
    booked = make_exported()
    api.post(f"/invoices/{booked.id}/booked", {"document_id": "V-9", "booking_date": "2026-11-20"})

    assert ids(api, booked="true") == {str(booked.id)}
    assert ids(api, booked="false") == {str(waiting.id), str(exported.id)}
    assert ids(api, approved="true") == {str(exported.id), str(booked.id)}
    assert ids(api, approved="false") == {str(waiting.id)}
    assert ids(api, needs_review="true") == set()
    assert ids(api, booked="false", modified_after="2000-01-01T00:00:00Z") == {
        str(waiting.id),
        str(exported.id),
    }


def test_refuses_a_filter_that_is_not_a_boolean(api):
    response = api.get("/invoices", {"prebooked": "perhaps"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "prebooked"]


def test_the_exported_feed_carries_the_posting_lines(api, make_approved, actor):
    from payables.handoff.services import export_invoice

    invoice = make_approved()
    api.put(f"/invoices/{invoice.id}/posting-lines", {"lines": CODED})
    export_invoice(invoice, actor=actor)

    (document,) = api.get("/feeds/exported").json()["items"]

    assert [(p["account_code"], p["deductible_vat_amount"]) for p in document["posting_lines"]] == [
        ("4000", "22.00"),
        ("4010", "4.50"),
    ]
    event = Event.objects.get(type="invoice.exported")
    assert [p["account_code"] for p in event.payload["posting_lines"]] == ["4000", "4010"]


def test_an_invoice_changed_to_other_totals_gets_its_lines_derived_again(api, make_invoice):
    invoice = make_invoice()
    api.put(f"/invoices/{invoice.id}/posting-lines", {"lines": CODED})

    rows = [{"net_amount": "150.00", "vat_rate": "0", "vat_amount": "0.00"}]
    vat = [{"vat_rate": "0", "base_amount": "150.00", "vat_amount": "0.00"}]
    changed = api.patch(
        f"/invoices/{invoice.id}",
        {"vat_amount": "0.00", "gross_amount": "150.00", "rows": rows, "vat_breakdown": vat},
    )

    assert changed.status_code == 200, changed.json()
    lines = api.get(f"/invoices/{invoice.id}/posting-lines").json()["posting_lines"]
    assert [(p["source"], p["vat_amount"]) for p in lines] == [("row", "0.00")]
    assert invoice.audit_entries.filter(action="posting_lines_rederived").exists()
    derived = Event.objects.filter(type="invoice.coding_changed", subject_id=invoice.id).last()
    assert derived.payload["how"] == "derived"
    assert [p["source"] for p in derived.payload["posting_lines"]] == ["row"]


def test_manual_lines_that_still_add_up_survive_a_change(api, make_invoice):
    invoice = make_invoice()
    api.put(f"/invoices/{invoice.id}/posting-lines", {"lines": CODED})

    api.patch(f"/invoices/{invoice.id}", {"due_date": "2026-12-31"})

    lines = api.get(f"/invoices/{invoice.id}/posting-lines").json()["posting_lines"]
    assert {p["source"] for p in lines} == {"manual"}


def test_an_invoice_without_rows_gets_a_line_per_vat_rate(api, make_invoice):
    invoice = make_invoice(rows=[])

    lines = api.get(f"/invoices/{invoice.id}/posting-lines").json()["posting_lines"]

    assert [(p["net_amount"], p["vat_amount"]) for p in lines] == [
        ("100.00", "22.00"),
        ("50.00", "4.50"),
    ]
