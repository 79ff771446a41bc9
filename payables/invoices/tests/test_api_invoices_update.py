"""Changing and cancelling invoices."""

from __future__ import annotations

from payables.events.models import Event
from payables.invoices.models import AuditEntry, Invoice


def test_patch_changes_only_the_given_fields(api, make_invoice):
    invoice = make_invoice(order_number="PO-1")
    response = api.patch(
        f"/invoices/{invoice.id}", {"payment_reference": "999", "due_date": "2026-12-31"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["payment_reference"], body["due_date"], body["order_number"]) == (
        "999", "2026-12-31", "PO-1",
    )  # fmt: skip
    assert len(body["rows"]) == 2
    event = Event.objects.get(type="invoice.updated", subject_id=invoice.id)
    assert event.payload["changed_fields"] == ["due_date", "payment_reference"]
    assert AuditEntry.objects.filter(invoice=invoice, action="updated").exists()


def test_patch_by_internal_id(api, make_invoice):
    invoice = make_invoice()
    response = api.patch(f"/invoices/{invoice.internal_id}", {"buyer_reference": "X"})
    assert response.json()["buyer_reference"] == "X"


def test_patch_replaces_rows_and_rechecks_totals(api, make_invoice):
    invoice = make_invoice()
    rows = [{"description": "One thing", "net_amount": "150.00", "vat_rate": "22"}]
    response = api.patch(f"/invoices/{invoice.id}", {"rows": rows})
    assert response.status_code == 200
    assert [r["description"] for r in response.json()["rows"]] == ["One thing"]


def test_patch_that_breaks_totals_is_422_and_changes_nothing(api, make_invoice):
    invoice = make_invoice()
    response = api.patch(f"/invoices/{invoice.id}", {"gross_amount": "176.51"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "gross_amount"]
    invoice.refresh_from_db()
    assert str(invoice.gross_amount.normalize()) == "176.5"
    assert not Event.objects.filter(type="invoice.updated").exists()


def test_patch_can_change_all_totals_together(api, make_invoice):
    invoice = make_invoice()
    patch = {
        "net_amount": "10.00", "vat_amount": "2.20", "gross_amount": "12.20",
        "rows": [{"description": "Pen", "net_amount": "10.00"}],
        "vat_breakdown": [{"vat_rate": "22", "base_amount": "10.00", "vat_amount": "2.20"}],
    }  # fmt: skip
    body = api.patch(f"/invoices/{invoice.id}", patch).json()
    assert (body["gross_amount"], body["amount_due"]) == ("12.20", "12.20")


def test_patch_to_a_number_the_supplier_used_is_409(api, make_invoice):
    make_invoice(invoice_number="A-1")
    second = make_invoice(invoice_number="A-2")
    response = api.patch(f"/invoices/{second.id}", {"invoice_number": "A-1"})
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_invoice_number"


def test_patch_refuses_unknown_fields(api, make_invoice):
    invoice = make_invoice()
    response = api.patch(f"/invoices/{invoice.id}", {"status": "approved"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "status"]


def test_cancel_sets_state_and_reason(api, make_invoice):
    invoice = make_invoice()
    response = api.post(f"/invoices/{invoice.id}/cancel", {"reason": "Sent twice"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_reason"]) == (
        "cancelled",
        "Sent twice",
    )
    assert Event.objects.filter(type="invoice.cancelled", subject_id=invoice.id).exists()


def test_cancelled_invoice_cannot_be_edited(api, make_invoice):
    invoice = make_invoice()
    api.post(f"/invoices/{invoice.id}/cancel", {})
    response = api.patch(f"/invoices/{invoice.id}", {"buyer_reference": "late"})
    assert response.status_code == 409
    assert response.json()["code"] == "invoice_not_editable"
    assert api.post(f"/invoices/{invoice.id}/cancel", {}).status_code == 409


def test_cancelled_number_can_be_sent_again(api, invoice_payload):
    first = api.post("/invoices", invoice_payload()).json()
    api.post(f"/invoices/{first['id']}/cancel", {"reason": "wrong amounts"})
    again = api.post("/invoices", invoice_payload())
    assert again.status_code == 201
    assert Invoice.objects.filter(invoice_number="INV-1001").count() == 2


def test_unknown_invoice_is_404(api):
    assert api.get("/invoices/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.get("/invoices/12345").status_code == 404
    assert api.get("/invoices/not-an-id").json()["code"] == "invoice_not_found"
