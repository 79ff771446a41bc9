"""Creating and reading invoices through the API."""

from __future__ import annotations

from payables.invoices.models import Invoice
from payables.sync.models import Event


def test_creates_invoice_and_reads_it_back(api, invoice_payload):
    response = api.post("/invoices", invoice_payload())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "new"
    assert body["internal_id"] == 1
    assert body["gross_amount"] == "176.50"
    again = api.get(f"/invoices/{body['id']}").json()
    assert again == body
    by_internal_id = api.get("/invoices/1").json()
    assert by_internal_id["id"] == body["id"]
    assert Event.objects.filter(type="invoice.created", subject_id=body["id"]).count() == 1
    assert Invoice.objects.count() == 1
