"""Tenant isolation: company B's key finds nothing of company A's (a 404, never a 403)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from payables.conftest import invoice_data
from payables.events.models import Event
from payables.invoices.models import Attachment, Invoice, Payment
from payables.invoices.services import add_attachment, record_payment
from payables.masterdata.models import Supplier


@pytest.fixture
def invoice_of_a(make_invoice, actor):
    """Company A's invoice with a file attachment, a link and a payment."""
    invoice = make_invoice()
    add_attachment(invoice, actor=actor, content=b"%PDF-1.4 A's scan", filename="a.pdf")
    add_attachment(invoice, actor=actor, url="https://docs.example.com/a")
    record_payment(
        invoice, actor=actor, amount=invoice.gross_amount / 2, payment_date=invoice.invoice_date
    )
    return Invoice.objects.get(pk=invoice.pk)


def _snapshot() -> dict:
    """Everything a refused call of B's must leave as it was."""
    return {
        "invoices": list(Invoice.objects.order_by("pk").values()),
        "suppliers": list(Supplier.objects.order_by("pk").values()),
        "attachments": Attachment.objects.count(),
        "payments": Payment.objects.count(),
        "events": list(Event.objects.order_by("pk").values_list("company", "sequence", "type")),
    }


def _is_not_found(response: object) -> bool:
    return response.status_code == 404 and response.json()["code"].endswith("not_found")


# --- reads ---------------------------------------------------------------------------------


def test_other_company_gets_404_for_the_supplier(other_api, supplier):
    assert _is_not_found(other_api.get(f"/suppliers/{supplier.id}"))


def test_other_company_gets_404_for_the_invoice_by_uuid(other_api, invoice_of_a):
    assert _is_not_found(other_api.get(f"/invoices/{invoice_of_a.id}"))


def test_other_company_gets_404_for_the_invoice_by_internal_id(other_api, invoice_of_a):
    assert invoice_of_a.internal_id == 1
    assert _is_not_found(other_api.get("/invoices/1"))


def test_internal_id_finds_the_callers_own_invoice(api, other_api, invoice_of_a):
    """Both companies have an invoice 1; each key gets its own."""
    supplier_b = other_api.post("/suppliers", {"name": "B's supplier", "country": "FI"}).json()
    created = other_api.post("/invoices", invoice_data(supplier_b["id"]))
    assert created.json()["internal_id"] == 1
    assert other_api.get("/invoices/1").json()["id"] == created.json()["id"]
    assert api.get("/invoices/1").json()["id"] == str(invoice_of_a.id)


def test_other_company_gets_404_for_the_attachment_list(other_api, invoice_of_a):
    assert _is_not_found(other_api.get(f"/invoices/{invoice_of_a.id}/attachments"))


@pytest.mark.parametrize("encoding", ["raw", "base64"])
def test_other_company_gets_404_for_the_attachment_content(other_api, invoice_of_a, encoding):
    attachment = invoice_of_a.attachments.get(kind=Attachment.Kind.FILE)
    response = other_api.get(
        f"/invoices/{invoice_of_a.id}/attachments/{attachment.id}/content", {"encoding": encoding}
    )
    assert _is_not_found(response)
    assert b"A's scan" not in response.content


def test_other_company_gets_404_for_the_attachment_through_its_own_invoice(other_api, invoice_of_a):
    """An attachment id is only found on the invoice it belongs to."""
    supplier_b = other_api.post("/suppliers", {"name": "B's supplier", "country": "FI"}).json()
    invoice_b = other_api.post("/invoices", invoice_data(supplier_b["id"])).json()
    attachment = invoice_of_a.attachments.get(kind=Attachment.Kind.FILE)
    response = other_api.get(f"/invoices/{invoice_b['id']}/attachments/{attachment.id}/content")
    assert _is_not_found(response)


def test_other_company_gets_404_for_the_payments(other_api, invoice_of_a):
    assert _is_not_found(other_api.get(f"/invoices/{invoice_of_a.id}/payments"))


def test_owner_still_sees_everything(api, invoice_of_a, supplier):
    """The same calls succeed for A's own key, so the 404s above are about the company."""
    assert api.get(f"/suppliers/{supplier.id}").status_code == 200
    assert api.get(f"/invoices/{invoice_of_a.id}").status_code == 200
    assert len(api.get(f"/invoices/{invoice_of_a.id}/attachments").json()) == 2
    assert len(api.get(f"/invoices/{invoice_of_a.id}/payments").json()) == 1
    attachment = invoice_of_a.attachments.get(kind=Attachment.Kind.FILE)
    content = api.get(f"/invoices/{invoice_of_a.id}/attachments/{attachment.id}/content")
    assert content.content == b"%PDF-1.4 A's scan"


# --- lists and the feed --------------------------------------------------------------------


def test_other_company_lists_none_of_as_suppliers(other_api, supplier):
    assert other_api.get("/suppliers").json() == {"items": [], "count": 0}


def test_other_company_finds_none_of_as_suppliers_by_search(other_api, supplier):
    for q in (supplier.name, supplier.registry_code, supplier.vat_number):
        assert other_api.get("/suppliers", {"q": q}).json()["count"] == 0


def test_other_company_lists_none_of_as_invoices(other_api, invoice_of_a):
    assert other_api.get("/invoices").json() == {"items": [], "count": 0, "next": None}


def test_other_company_cannot_filter_invoices_by_as_supplier(other_api, invoice_of_a, supplier):
    response = other_api.get("/invoices", {"supplier_id": str(supplier.id)})
    assert response.json()["count"] == 0


def test_each_company_lists_only_its_own_suppliers(api, other_api, supplier):
    mine = other_api.post("/suppliers", {"name": "B's supplier", "country": "FI"}).json()
    assert [s["id"] for s in other_api.get("/suppliers").json()["items"]] == [mine["id"]]
    assert [s["id"] for s in api.get("/suppliers").json()["items"]] == [str(supplier.id)]


def test_other_companys_event_feed_holds_none_of_as_events(other_api, invoice_of_a):
    assert Event.objects.filter(company=invoice_of_a.company).count() >= 4
    body = other_api.get("/events").json()
    assert body["items"] == []
    assert body["next"] is None


def test_event_feeds_are_separate_per_company(api, other_api, invoice_of_a):
    created = other_api.post("/suppliers", {"name": "B's supplier", "country": "FI"}).json()
    items = other_api.get("/events").json()["items"]
    assert [(e["type"], e["subject_id"], e["cursor"]) for e in items] == [
        ("supplier.created", created["id"], "1")
    ]
    own = api.get("/events", {"limit": 500}).json()["items"]
    assert created["id"] not in {e["subject_id"] for e in own}
    assert {e["subject_id"] for e in own} == {str(invoice_of_a.id), str(invoice_of_a.supplier_id)}


def test_other_company_reading_from_the_start_sees_nothing_of_a(other_api, invoice_of_a):
    items = other_api.get("/events", {"from": "0"}).json()["items"]
    assert items == []


# --- writes --------------------------------------------------------------------------------


def test_other_company_gets_404_patching_the_supplier(other_api, supplier):
    before = _snapshot()
    assert _is_not_found(other_api.patch(f"/suppliers/{supplier.id}", {"name": "Taken"}))
    assert _snapshot() == before


@pytest.mark.parametrize("ref", ["uuid", "internal_id"])
def test_other_company_gets_404_patching_the_invoice(other_api, invoice_of_a, ref):
    before = _snapshot()
    path = f"/invoices/{getattr(invoice_of_a, 'id' if ref == 'uuid' else ref)}"
    assert _is_not_found(other_api.patch(path, {"payment_reference": "1232"}))
    assert _snapshot() == before


@pytest.mark.parametrize("ref", ["uuid", "internal_id"])
def test_other_company_gets_404_cancelling_the_invoice(other_api, invoice_of_a, ref):
    before = _snapshot()
    path = f"/invoices/{getattr(invoice_of_a, 'id' if ref == 'uuid' else ref)}/cancel"
    assert _is_not_found(other_api.post(path, {"reason": "not ours"}))
    assert _snapshot() == before
    assert Invoice.objects.get(pk=invoice_of_a.pk).status == invoice_of_a.status


def test_other_company_gets_404_paying_the_invoice(other_api, invoice_of_a):
    before = _snapshot()
    response = other_api.post(
        f"/invoices/{invoice_of_a.id}/payments",
        {"amount": "1.00", "payment_date": "2026-11-20"},
    )
    assert _is_not_found(response)
    assert _snapshot() == before


def test_other_company_gets_404_attaching_to_the_invoice(other_api, invoice_of_a):
    before = _snapshot()
    response = other_api.post(
        f"/invoices/{invoice_of_a.id}/attachments", {"url": "https://evil.example.com/x"}
    )
    assert _is_not_found(response)
    assert _snapshot() == before


def test_other_company_gets_404_uploading_to_the_invoice(other_api, invoice_of_a):
    before = _snapshot()
    response = other_api.upload(
        f"/invoices/{invoice_of_a.id}/attachments/upload",
        {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 x")},
    )
    assert _is_not_found(response)
    assert _snapshot() == before


def test_other_company_cannot_create_an_invoice_with_as_supplier_id(
    other_api, supplier, invoice_payload
):
    before = _snapshot()
    response = other_api.post("/invoices", invoice_payload())
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "supplier_id"]
    assert _snapshot() == before


def test_other_company_cannot_name_as_supplier_by_id_in_a_supplier_object(
    other_api, supplier, invoice_payload
):
    before = _snapshot()
    payload = invoice_payload()
    del payload["supplier_id"]
    response = other_api.post("/invoices", {**payload, "supplier": {"id": str(supplier.id)}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "supplier", "id"]
    assert _snapshot() == before


def test_supplier_named_by_registry_code_is_looked_up_only_in_the_callers_company(
    other_api, supplier, invoice_payload, other_company
):
    """B naming A's supplier by registry code gets its own supplier, not A's."""
    payload = invoice_payload()
    del payload["supplier_id"]
    payload["supplier"] = {"registry_code": supplier.registry_code, "country": "EE", "name": "X"}
    response = other_api.post("/invoices", payload)
    assert response.status_code == 201, response.content
    invoice = Invoice.objects.get(pk=response.json()["id"])
    assert invoice.company == other_company
    assert invoice.supplier != supplier
    assert invoice.supplier.company == other_company


# --- approvals and hand-off ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/invoices/{id}/approvals", None),
        ("get", "/invoices/{id}/history", None),
        ("post", "/invoices/{id}/approvers", {"approvers": [{"user": "X", "level": 1}]}),
        ("post", "/invoices/{id}/reroute", {}),
        ("post", "/invoices/{id}/export", {}),
        ("post", "/invoices/{id}/booked", {"document_id": "V-1", "booking_date": "2026-11-20"}),
    ],
)
def test_other_company_gets_404_for_approval_and_hand_off_calls(
    other_api, invoice_of_a, method, path, body
):
    before = _snapshot()
    url = path.format(id=invoice_of_a.id)
    response = other_api.get(url) if method == "get" else other_api.post(url, body)
    assert _is_not_found(response), response.json()
    assert _snapshot() == before


def test_other_companys_exports_never_reach_the_feed_or_sync_errors(other_api, invoice_of_a, api):
    response = other_api.post(
        "/sync-errors", {"invoice_id": str(invoice_of_a.id), "message": "not yours"}
    )
    assert response.status_code == 422
    assert other_api.get("/feeds/exported").json()["items"] == []
    assert other_api.get("/sync-errors").json()["count"] == 0
    assert other_api.get("/approvals/unassigned").json()["count"] == 0
