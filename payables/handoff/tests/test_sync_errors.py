"""Accounting reports a failure: POST /sync-errors; listed at GET /sync-errors."""

from __future__ import annotations

import pytest

from payables.conftest import ApiClient
from payables.events.models import Event
from payables.handoff.models import SyncError
from payables.invoices.models import AuditEntry, Invoice


def _report(api: ApiClient, **body: str) -> object:
    return api.post("/sync-errors", {"message": "Account 4000 is closed"} | body)


def _failed_events(invoice: Invoice) -> list[dict]:
    return [
        e.payload for e in Event.objects.filter(subject_id=invoice.id, type="invoice.sync_failed")
    ]


def test_a_report_by_document_id_flags_the_invoice(api, exported_invoice):
    document_id = f"{exported_invoice.id}/1"
    response = _report(api, document_id=document_id, company_code="10137319")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["document_id"] == document_id
    assert body["invoice_id"] == str(exported_invoice.id)
    assert (body["is_open"], body["resolution"], body["export_count"]) == (True, None, 1)
    assert body["actor"].startswith("integrator:ERP")
    invoice = api.get(f"/invoices/{exported_invoice.id}").json()
    assert (invoice["status"], invoice["sync_failed"]) == ("exported", True)
    assert invoice["sync_error_message"] == "Account 4000 is closed"
    [payload] = _failed_events(exported_invoice)
    assert (payload["sync_error_id"], payload["superseded"]) == (body["id"], False)
    assert AuditEntry.objects.filter(
        invoice=exported_invoice, action="sync_failed", comment="Account 4000 is closed"
    ).exists()


@pytest.mark.parametrize("ref", ["id", "internal_id"])
def test_a_report_by_invoice_id_is_about_its_latest_export(api, exported_invoice, ref):
    api.post(f"/invoices/{exported_invoice.id}/export")
    response = _report(api, invoice_id=str(getattr(exported_invoice, ref)))
    assert response.status_code == 201, response.json()
    assert response.json()["document_id"] == f"{exported_invoice.id}/2"


def test_flagged_invoices_are_listed_and_filtered(api, make_exported):
    failed, fine = make_exported(), make_exported()
    _report(api, invoice_id=str(failed.id))
    flagged = api.get("/invoices", {"sync_failed": "true"}).json()
    assert [i["id"] for i in flagged["items"]] == [str(failed.id)]
    others = api.get("/invoices", {"sync_failed": "false"}).json()
    assert str(fine.id) in [i["id"] for i in others["items"]]
    assert str(failed.id) not in [i["id"] for i in others["items"]]


def test_every_report_is_kept_and_the_flag_shows_the_latest(api, exported_invoice):
    _report(api, invoice_id=str(exported_invoice.id), message="first")
    _report(api, invoice_id=str(exported_invoice.id), message="second")
    listed = api.get("/sync-errors").json()
    assert listed["count"] == 2
    assert [e["message"] for e in listed["items"]] == ["second", "first"]
    exported_invoice.refresh_from_db()
    assert exported_invoice.sync_error_message == "second"


def test_re_export_resolves_the_errors_and_clears_the_flag(api, exported_invoice):
    _report(api, invoice_id=str(exported_invoice.id))
    response = api.post(f"/invoices/{exported_invoice.id}/export")
    assert response.json()["sync_failed"] is False
    assert api.get("/sync-errors", {"status": "open"}).json()["count"] == 0
    [resolved] = api.get("/sync-errors", {"status": "resolved"}).json()["items"]
    assert resolved["resolution"] == "reexported"
    assert api.get("/invoices", {"sync_failed": "true"}).json()["count"] == 0


def test_a_report_about_a_superseded_export_is_kept_resolved(api, exported_invoice):
    api.post(f"/invoices/{exported_invoice.id}/export")
    response = _report(api, document_id=f"{exported_invoice.id}/1")
    assert response.status_code == 201
    assert (response.json()["is_open"], response.json()["resolution"]) == (False, "superseded")
    exported_invoice.refresh_from_db()
    assert exported_invoice.sync_failed is False
    assert _failed_events(exported_invoice)[0]["superseded"] is True


def test_errors_are_filtered_by_invoice_and_modification_time(api, make_exported):
    first, second = make_exported(), make_exported()
    early = _report(api, invoice_id=str(first.id)).json()
    late = _report(api, invoice_id=str(second.id)).json()
    by_invoice = api.get("/sync-errors", {"invoice_id": str(second.id)}).json()
    assert [e["id"] for e in by_invoice["items"]] == [late["id"]]
    after = api.get("/sync-errors", {"modified_after": early["modified_at"]}).json()
    assert [e["id"] for e in after["items"]] == [late["id"]]
    api.post(f"/invoices/{first.id}/export")  # resolving changes the first one
    changed = api.get("/sync-errors", {"modified_after": late["modified_at"]}).json()
    assert [e["id"] for e in changed["items"]] == [early["id"]]


def test_one_error_is_read_by_id_and_another_companys_is_404(api, other_api, exported_invoice):
    created = _report(api, invoice_id=str(exported_invoice.id)).json()
    assert api.get(f"/sync-errors/{created['id']}").json() == created
    assert other_api.get(f"/sync-errors/{created['id']}").status_code == 404
    assert other_api.get("/sync-errors").json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "loc", "kind"),
    [
        ({}, ["body", "invoice_id"], "missing_reference"),
        ({"invoice_id": "1", "document_id": "x/1"}, ["body", "document_id"], "two_references"),
        ({"document_id": "not-a-document"}, ["body", "document_id"], "unknown_document"),
        ({"document_id": "{id}/2"}, ["body", "document_id"], "unknown_document"),
        ({"document_id": "{id}/0"}, ["body", "document_id"], "unknown_document"),
        ({"document_id": "{id}/x"}, ["body", "document_id"], "unknown_document"),
        ({"invoice_id": "999999"}, ["body", "invoice_id"], "unknown_document"),
        ({"invoice_id": "{id}", "company_code": "2077474-0"}, ["body", "company_code"], None),
        ({"invoice_id": "{id}", "message": ""}, ["body", "message"], None),
        ({"invoice_id": "{id}", "message": "x" * 2001}, ["body", "message"], None),
        ({"invoice_id": "{id}", "note": "x"}, ["body", "note"], None),
    ],
    ids=[
        "neither",
        "both",
        "malformed_document",
        "future_export",
        "export_zero",
        "export_not_a_number",
        "unknown_invoice",
        "wrong_company_code",
        "empty_message",
        "long_message",
        "unknown_field",
    ],
)
def test_bad_report_is_422_and_changes_nothing(api, exported_invoice, body, loc, kind):
    body = {k: v.replace("{id}", str(exported_invoice.id)) for k, v in body.items()}
    response = api.post("/sync-errors", {"message": "Failed"} | body)
    assert response.status_code == 422, response.json()
    [error] = response.json()["detail"]
    assert error["loc"] == loc
    if kind:
        assert error["type"] == kind
    assert SyncError.objects.count() == 0
    exported_invoice.refresh_from_db()
    assert exported_invoice.sync_failed is False


def test_another_companys_invoice_is_unknown(other_api, exported_invoice):
    response = _report(other_api, document_id=f"{exported_invoice.id}/1")
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "unknown_document"
    exported_invoice.refresh_from_db()
    assert exported_invoice.sync_failed is False


def test_reports_about_invoices_not_exported_or_booked_are_409(
    api, approved_invoice, make_exported
):
    not_exported = _report(api, invoice_id=str(approved_invoice.id))
    assert not_exported.status_code == 409
    assert not_exported.json()["code"] == "invoice_not_exported"
    booked = make_exported()
    api.post(f"/invoices/{booked.id}/booked", {"document_id": "GL-1", "booking_date": "2026-11-20"})
    after_booking = _report(api, document_id=f"{booked.id}/1")
    assert after_booking.status_code == 409
    assert after_booking.json()["code"] == "invoice_already_booked"
    assert SyncError.objects.count() == 0


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"status": "closed"}, ["query", "status"]),
        ({"invoice_id": "x"}, ["query", "invoice_id"]),
        ({"modified_after": "yesterday"}, ["query", "modified_after"]),
        ({"page_size": "201"}, ["query", "page_size"]),
    ],
)
def test_bad_list_filters_are_422(api, params, loc):
    response = api.get("/sync-errors", params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_scopes_guard_reporting_and_reading(company, make_key, exported_invoice):
    reader = ApiClient(make_key(company, scopes=["export:read"], integrator="Reader"))
    writer = ApiClient(make_key(company, scopes=["export:write"], integrator="Writer"))
    refused = _report(reader, invoice_id=str(exported_invoice.id))
    assert refused.status_code == 403
    assert writer.get("/sync-errors").status_code == 403
    assert _report(writer, invoice_id=str(exported_invoice.id)).status_code == 201
    assert reader.get("/sync-errors").json()["count"] == 1
