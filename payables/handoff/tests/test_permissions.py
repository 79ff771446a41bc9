"""Only accountants and admins hand invoices on: the services refuse anyone else, whoever calls."""

from __future__ import annotations

from datetime import date

import pytest

from payables.conftest import ApiClient
from payables.errors import error_body
from payables.events.models import Event
from payables.handoff.models import SyncError
from payables.handoff.services import (
    confirm_booking,
    export_invoice,
    export_invoices,
    report_sync_error,
)
from payables.invoices.models import AuditEntry, Invoice
from payables.masterdata.schemas import UserIn
from payables.masterdata.services.users import create_user
from payables.tenancy.actors import Actor
from payables.tenancy.errors import RoleRequired
from payables.tenancy.models import CompanyUser
from payables.tenancy.services import create_personal_api_key


@pytest.fixture
def accountant(actor: Actor) -> CompanyUser:
    return create_user(
        UserIn(code="ACC", name="Aivar Accountant", roles=["accountant"]).model_dump(), actor=actor
    )


def _exports(invoice: Invoice) -> int:
    return Event.objects.filter(subject_id=invoice.id, type="invoice.exported").count()


def test_an_approver_calling_the_export_service_is_refused(approver, approved_invoice):
    with pytest.raises(RoleRequired) as caught:
        export_invoice(approved_invoice, actor=Actor.for_user(approver))
    assert caught.value.status == 403
    assert error_body(caught.value)["code"] == "role_required"
    approved_invoice.refresh_from_db()
    assert (approved_invoice.status, approved_invoice.export_count) == ("approved", 0)
    assert _exports(approved_invoice) == 0


def test_an_approver_cannot_export_a_batch(approver, approved_invoice):
    with pytest.raises(RoleRequired):
        export_invoices([str(approved_invoice.id)], actor=Actor.for_user(approver))
    approved_invoice.refresh_from_db()
    assert approved_invoice.status == "approved"


def test_an_approver_cannot_confirm_a_booking(approver, exported_invoice):
    with pytest.raises(RoleRequired):
        confirm_booking(
            exported_invoice,
            actor=Actor.for_user(approver),
            document_id="GL-1",
            booking_date=date(2026, 11, 20),
        )
    exported_invoice.refresh_from_db()
    assert exported_invoice.status == "exported"


def test_an_approver_cannot_report_a_sync_error(approver, exported_invoice):
    with pytest.raises(RoleRequired):
        report_sync_error(
            actor=Actor.for_user(approver), message="nope", invoice_ref=str(exported_invoice.id)
        )
    assert not SyncError.objects.exists()


def test_an_accountant_hands_invoices_on_in_person(accountant, approved_invoice):
    actor = Actor.for_user(accountant)
    invoice = export_invoice(approved_invoice, actor=actor)
    report_sync_error(actor=actor, message="Unknown account", invoice_ref=str(invoice.id))
    invoice = confirm_booking(invoice, actor=actor, document_id="GL-1", booking_date=date.today())
    assert invoice.status == "booked"
    actors = AuditEntry.objects.filter(invoice=invoice).values_list("actor", flat=True)
    assert any(a.startswith("user:ACC") for a in actors)


def test_an_accountants_personal_key_exports(accountant, approved_invoice):
    _, raw = create_personal_api_key(accountant, scopes=["export:write"])
    response = ApiClient(raw).post(f"/invoices/{approved_invoice.id}/export")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "exported"


def test_an_approvers_personal_key_cannot_export(approver, approved_invoice):
    _, raw = create_personal_api_key(approver, scopes=["approvals:write", "invoices:read"])
    response = ApiClient(raw).post(f"/invoices/{approved_invoice.id}/export")
    assert response.status_code == 403
    assert _exports(approved_invoice) == 0
