"""Accounting confirms a booking: POST /invoices/{ref}/booked."""

from __future__ import annotations

import pytest

from payables.conftest import ApiClient
from payables.events.models import Event
from payables.handoff.models import SyncError
from payables.invoices.models import AuditEntry, Invoice

BOOKING = {"document_id": "GL-2026-0042", "booking_date": "2026-11-20"}


def _booked_events(invoice: Invoice) -> list[dict]:
    return [e.payload for e in Event.objects.filter(subject_id=invoice.id, type="invoice.booked")]


def test_booking_an_exported_invoice_makes_it_booked(api, exported_invoice):
    response = api.post(f"/invoices/{exported_invoice.id}/booked", BOOKING)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "booked"
    assert body["booking_document_id"] == "GL-2026-0042"
    assert body["booking_date"] == "2026-11-20"
    assert body["booked_at"]
    [payload] = _booked_events(exported_invoice)
    assert payload["booking_document_id"] == "GL-2026-0042"
    assert payload["export_document_id"] == f"{exported_invoice.id}/1"
    assert AuditEntry.objects.filter(
        invoice=exported_invoice, action="booked", comment="GL-2026-0042 on 2026-11-20"
    ).exists()


def test_the_same_confirmation_again_changes_nothing(api, exported_invoice):
    first = api.post(f"/invoices/{exported_invoice.internal_id}/booked", BOOKING).json()
    again = api.post(f"/invoices/{exported_invoice.id}/booked", BOOKING)
    assert again.status_code == 200
    assert again.json()["booked_at"] == first["booked_at"]
    assert len(_booked_events(exported_invoice)) == 1
    assert AuditEntry.objects.filter(invoice=exported_invoice, action="booked").count() == 1


def test_another_document_id_for_a_booked_invoice_is_409(api, exported_invoice):
    api.post(f"/invoices/{exported_invoice.id}/booked", BOOKING)
    response = api.post(
        f"/invoices/{exported_invoice.id}/booked", BOOKING | {"document_id": "GL-OTHER"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invoice_already_booked"
    assert response.json()["booking_document_id"] == "GL-2026-0042"
    exported_invoice.refresh_from_db()
    assert exported_invoice.booking_document_id == "GL-2026-0042"


def test_an_invoice_not_exported_cannot_be_booked(api, approved_invoice):
    response = api.post(f"/invoices/{approved_invoice.id}/booked", BOOKING)
    assert response.status_code == 409
    assert response.json()["code"] == "invoice_not_exported"
    approved_invoice.refresh_from_db()
    assert approved_invoice.status == "approved"
    assert _booked_events(approved_invoice) == []


def test_booking_resolves_the_sync_errors_and_clears_the_flag(api, exported_invoice):
    api.post("/sync-errors", {"invoice_id": str(exported_invoice.id), "message": "Period closed"})
    response = api.post(f"/invoices/{exported_invoice.id}/booked", BOOKING)
    body = response.json()
    assert (body["sync_failed"], body["sync_error_message"]) == (False, "")
    [error] = SyncError.objects.filter(invoice=exported_invoice)
    assert (error.resolution, error.resolved_at is not None) == ("booked", True)
    assert _booked_events(exported_invoice)[0]["resolved_sync_errors"] == 1


def test_another_companys_invoice_is_404(other_api, exported_invoice):
    response = other_api.post(f"/invoices/{exported_invoice.id}/booked", BOOKING)
    assert response.status_code == 404
    exported_invoice.refresh_from_db()
    assert exported_invoice.status == "exported"


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"booking_date": "2026-11-20"}, ["body", "document_id"]),
        ({"document_id": "", "booking_date": "2026-11-20"}, ["body", "document_id"]),
        ({"document_id": "x" * 201, "booking_date": "2026-11-20"}, ["body", "document_id"]),
        ({"document_id": "GL-1"}, ["body", "booking_date"]),
        ({"document_id": "GL-1", "booking_date": "2026-02-30"}, ["body", "booking_date"]),
        (BOOKING | {"booked": True}, ["body", "booked"]),
    ],
    ids=["no_document", "empty_document", "long_document", "no_date", "bad_date", "unknown"],
)
def test_bad_confirmation_is_422_and_changes_nothing(api, exported_invoice, payload, loc):
    response = api.post(f"/invoices/{exported_invoice.id}/booked", payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    exported_invoice.refresh_from_db()
    assert exported_invoice.status == "exported"


def test_booking_needs_the_export_write_scope(company, make_key, exported_invoice):
    client = ApiClient(make_key(company, scopes=["export:read", "invoices:write"]))
    response = client.post(f"/invoices/{exported_invoice.id}/booked", BOOKING)
    assert response.status_code == 403
