"""Exporting approved invoices to accounting: one by one, in batches, and on approval."""

from __future__ import annotations

from payables.approvals.services import ApproverRequest, append_approvers, approve_step
from payables.conftest import ApiClient
from payables.events.models import Event
from payables.invoices.models import AuditEntry, Invoice
from payables.tenancy.actors import Actor


def _events(invoice: Invoice, event_type: str = "invoice.exported") -> list[dict]:
    return [
        e.payload
        for e in Event.objects.filter(subject_id=invoice.id, type=event_type).order_by("sequence")
    ]


def _audit(invoice: Invoice, action: str = "exported") -> list[tuple[str, str]]:
    return list(
        AuditEntry.objects.filter(invoice=invoice, action=action).values_list("actor", "comment")
    )


def test_exporting_an_approved_invoice_makes_it_exported(api, approved_invoice):
    response = api.post(f"/invoices/{approved_invoice.id}/export")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "exported"
    assert body["export_count"] == 1
    assert body["exported_at"]
    assert body["sync_failed"] is False
    [payload] = _events(approved_invoice)
    assert payload["document_id"] == f"{approved_invoice.id}/1"
    assert payload["reexport"] is False
    assert payload["automatic"] is False
    [(actor, comment)] = _audit(approved_invoice)
    assert actor.startswith("integrator:ERP")
    assert comment == ""


def test_export_accepts_the_internal_id(api, approved_invoice):
    response = api.post(f"/invoices/{approved_invoice.internal_id}/export")
    assert response.status_code == 200
    assert response.json()["id"] == str(approved_invoice.id)


def test_exporting_a_new_invoice_is_409_and_changes_nothing(api, make_invoice):
    invoice = make_invoice()
    response = api.post(f"/invoices/{invoice.id}/export")
    assert response.status_code == 409
    assert response.json()["code"] == "invoice_not_exportable"
    invoice.refresh_from_db()
    assert (invoice.status, invoice.exported_at, invoice.export_count) == ("new", None, 0)
    assert _events(invoice) == []


def test_another_companys_invoice_is_404(other_api, approved_invoice):
    response = other_api.post(f"/invoices/{approved_invoice.id}/export")
    assert response.status_code == 404
    assert response.json()["code"] == "invoice_not_found"
    approved_invoice.refresh_from_db()
    assert approved_invoice.status == "approved"


def test_re_exporting_counts_and_marks_the_export(api, exported_invoice):
    first_at = exported_invoice.exported_at
    response = api.post(f"/invoices/{exported_invoice.id}/export")
    assert response.status_code == 200
    assert response.json()["export_count"] == 2
    exported_invoice.refresh_from_db()
    assert exported_invoice.exported_at > first_at
    assert [p["reexport"] for p in _events(exported_invoice)] == [False, True]
    assert _events(exported_invoice)[-1]["document_id"] == f"{exported_invoice.id}/2"
    assert _audit(exported_invoice)[-1][1] == "re-export #2"


def test_a_booked_invoice_is_not_exported_again(api, exported_invoice):
    api.post(
        f"/invoices/{exported_invoice.id}/booked",
        {"document_id": "GL-1", "booking_date": "2026-11-20"},
    )
    response = api.post(f"/invoices/{exported_invoice.id}/export")
    assert response.status_code == 409
    assert response.json()["code"] == "invoice_not_exportable"


def test_batch_export_answers_per_item(api, make_approved, make_invoice, other_api):
    first, second = make_approved(), make_approved()
    new = make_invoice()
    theirs = other_api.post("/suppliers", {"name": "Their OY", "country": "FI"}).json()
    refs = [str(first.id), str(new.id), "999999", str(second.internal_id), str(first.id)]
    response = api.post("/invoices/export", {"invoices": [*refs, theirs["id"]]})
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [(r["ref"], r["outcome"], r["code"]) for r in results] == [
        (str(first.id), "exported", None),
        (str(new.id), "error", "invoice_not_exportable"),
        ("999999", "error", "invoice_not_found"),
        (str(second.internal_id), "exported", None),
        (str(first.id), "error", "duplicate_in_batch"),
        (theirs["id"], "error", "invoice_not_found"),
    ]
    assert results[0]["document_id"] == f"{first.id}/1"
    assert results[3]["invoice_id"] == str(second.id)
    first.refresh_from_db()
    second.refresh_from_db()
    new.refresh_from_db()
    assert (first.status, second.status, new.status) == ("exported", "exported", "new")
    assert first.export_count == 1
    assert first.exported_at == second.exported_at  # one transaction, one position


def test_batch_export_takes_internal_ids_as_text_or_numbers(api, make_approved):
    """As every invoice path does: `/invoices/7` and `{"invoices": [7]}` name one invoice."""
    first, second = make_approved(), make_approved()
    response = api.post(
        "/invoices/export", {"invoices": [first.internal_id, str(second.internal_id), 999999]}
    )
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [(r["ref"], r["outcome"], r["invoice_id"]) for r in results] == [
        (str(first.internal_id), "exported", str(first.id)),
        (str(second.internal_id), "exported", str(second.id)),
        ("999999", "error", None),
    ]
    assert set(Invoice.objects.values_list("status", flat=True)) == {"exported"}


def test_batch_export_refuses_refs_that_are_no_ids(api, make_approved):
    invoice = make_approved()
    for bad in (True, 1.0, None, {"id": str(invoice.id)}):
        response = api.post("/invoices/export", {"invoices": [bad]})
        assert response.status_code == 422, bad
        assert {tuple(d["loc"]) for d in response.json()["detail"]} == {("body", "invoices", 0)}
    invoice.refresh_from_db()
    assert invoice.status == "approved"


def test_batch_export_can_re_export(api, exported_invoice):
    response = api.post("/invoices/export", {"invoices": [str(exported_invoice.id)]})
    [result] = response.json()["results"]
    assert (result["outcome"], result["export_count"], result["reexport"]) == (
        "exported",
        2,
        True,
    )


def test_batch_export_envelope_is_checked(api):
    empty = api.post("/invoices/export", {"invoices": []})
    assert empty.status_code == 422
    assert empty.json()["detail"][0]["loc"] == ["body", "invoices"]
    too_many = api.post("/invoices/export", {"invoices": ["1"] * 201})
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["body", "invoices"]
    typo = api.post("/invoices/export", {"invoice": ["1"]})
    assert typo.status_code == 422
    long_ref = api.post("/invoices/export", {"invoices": ["1", "x" * 51]})
    assert long_ref.status_code == 422
    assert long_ref.json()["detail"][0]["loc"] == ["body", "invoices", 1]


def test_exporting_needs_the_export_write_scope(company, make_key, approved_invoice):
    reader = ApiClient(make_key(company, scopes=["export:read", "invoices:write"]))
    for path in (f"/invoices/{approved_invoice.id}/export", "/invoices/export"):
        response = reader.post(path, {"invoices": [str(approved_invoice.id)]})
        assert response.status_code == 403
        assert response.json()["code"] == "missing_scope"
    approved_invoice.refresh_from_db()
    assert approved_invoice.status == "approved"


def test_company_exporting_on_approval_exports_at_once(company, make_invoice, approver, actor):
    company.auto_export_on_approval = True
    company.save(update_fields=["auto_export_on_approval"])
    invoice = make_invoice()
    append_approvers(invoice, [ApproverRequest(user=approver.code, level=1)], actor=actor)
    approve_step(invoice.approval_steps.get(is_current=True), actor=Actor.for_user(approver))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.export_count) == ("exported", 1)
    [payload] = _events(invoice)
    assert payload["automatic"] is True
    [(who, comment)] = _audit(invoice)
    assert who.startswith("user:APPR")
    assert comment == "automatic on approval"


def test_company_without_auto_export_leaves_approved_invoices_approved(approved_invoice):
    assert approved_invoice.status == "approved"
    assert _events(approved_invoice) == []


def test_a_repeated_export_with_the_same_idempotency_key_is_replayed(api, approved_invoice):
    headers = {"Idempotency-Key": "export-1"}
    first = api.post(f"/invoices/{approved_invoice.id}/export", headers=headers)
    again = api.post(f"/invoices/{approved_invoice.id}/export", headers=headers)
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    approved_invoice.refresh_from_db()
    assert approved_invoice.export_count == 1
