"""get/approval_queue, do/approve and do/reject, as the approver with a personal key."""

from __future__ import annotations

import pytest
from django.utils import timezone

from payables.approvals.models import ApprovalStep
from payables.approvals.services import ApproverRequest, append_approvers
from payables.compat.fennoa.tests.conftest import data_of, errors_of
from payables.conftest import invoice_data
from payables.invoices.inputs import InvoiceIn
from payables.invoices.models import Invoice
from payables.invoices.services import create_invoice
from payables.masterdata.schemas import UserIn
from payables.masterdata.services import create_supplier
from payables.masterdata.services.users import create_user
from payables.tenancy.actors import Actor


@pytest.fixture
def ann(make_user):
    return make_user("ANN")


@pytest.fixture
def assign(actor):
    """Give the invoice a chain of these users (codes), each at level 1."""

    def chain(invoice, *codes):
        append_approvers(invoice, [ApproverRequest(code, 1) for code in codes], actor=actor)
        return list(invoice.approval_steps.order_by("position"))

    return chain


def entries(data: dict) -> list[dict]:
    return [data[key] for key in sorted((k for k in data if k.isdigit()), key=int)]


def test_the_queue_gives_the_users_invoices_twenty_a_page(ann, as_user, make_invoice, assign):
    for _ in range(21):
        assign(make_invoice(), "ANN")
    client = as_user(ann)
    first = data_of(client.get("purchases_api/get/approval_queue"))
    assert (first["count"], first["page"], len(entries(first))) == (21, 1, 20)
    second = data_of(client.get("purchases_api/get/approval_queue", {"page": "2"}))
    assert (second["count"], second["page"], len(entries(second))) == (21, 2, 1)
    seen = {e["PurchaseInvoice"]["id"] for e in entries(first) + entries(second)}
    assert len(seen) == 21


def test_a_queue_entry_carries_its_approval_id(ann, as_user, make_invoice, assign):
    invoice = make_invoice()
    (step,) = assign(invoice, "ANN")
    (entry,) = entries(data_of(as_user(ann).get("purchases_api/get/approval_queue")))
    assert entry["PurchaseInvoiceApproval"] == [
        {"id": step.internal_id, "approval_level": 1, "status": 0}
    ]
    assert entry["PurchaseInvoice"]["id"] == invoice.internal_id
    assert entry["PurchaseInvoice"]["modified"]
    assert entry["Currency"]["code"] == "EUR"
    assert [row["total_net"] for row in entry["PurchaseInvoiceRow"]] == ["100.00", "50.00"]


def test_modified_after_filters_the_queue(ann, as_user, make_invoice, assign):
    old = make_invoice()
    assign(old, "ANN")
    cut = timezone.now()
    new = make_invoice()
    assign(new, "ANN")
    data = data_of(
        as_user(ann).get("purchases_api/get/approval_queue", {"modifiedAfter": cut.isoformat()})
    )
    assert [e["PurchaseInvoice"]["id"] for e in entries(data)] == [new.internal_id]
    assert data["count"] == 1


def test_the_descriptions_modified_after_example_is_read(ann, as_user, make_invoice, assign):
    assign(make_invoice(), "ANN")
    client = as_user(ann)
    data = data_of(
        client.get("purchases_api/get/approval_queue", {"modifiedAfter": "2024-10-01T T14:21:22"})
    )
    assert data["count"] == 1
    data = data_of(client.get("purchases_api/get/approval_queue", {"modifiedAfter": "2999-01-01"}))
    assert data["count"] == 0


def test_a_bad_modified_after_is_located(ann, as_user):
    response = as_user(ann).get("purchases_api/get/approval_queue", {"modifiedAfter": "yesterday"})
    assert response.status_code == 400
    assert errors_of(response) == {"modifiedAfter": "datetime_parsing"}


def test_the_queue_needs_a_person(fennoa):
    response = fennoa.get("purchases_api/get/approval_queue")
    assert response.status_code == 401
    assert errors_of(response) == {None: "personal_identity_required"}


def test_approve_by_approval_id_with_a_comment(ann, as_user, make_invoice, assign):
    invoice = make_invoice()
    (step,) = assign(invoice, "ANN")
    data = data_of(
        as_user(ann).post(f"purchases_api/do/approve/{step.internal_id}", {"comment": "OK"})
    )
    assert data["ApprovalStatus"] == {"status_id": 10, "status": "Approved"}
    assert data["Approver"]["status_id"] == 10
    step.refresh_from_db()
    assert (step.status, step.comment) == ("approved", "OK")
    assert Invoice.objects.get(pk=invoice.pk).status == "approved"


def test_approve_takes_the_approval_id_as_a_field_too(ann, as_user, make_invoice, assign):
    (step,) = assign(make_invoice(), "ANN")
    data_of(as_user(ann).post("purchases_api/do/approve", {"approval-id": str(step.internal_id)}))
    step.refresh_from_db()
    assert step.status == "approved"


def test_a_comment_over_200_characters_is_refused(ann, as_user, make_invoice, assign):
    (step,) = assign(make_invoice(), "ANN")
    response = as_user(ann).post(
        f"purchases_api/do/approve/{step.internal_id}", {"comment": "x" * 201}
    )
    assert response.status_code == 400
    assert errors_of(response) == {"comment": "invalid"}
    step.refresh_from_db()
    assert step.status == "waiting"


def test_an_approval_decided_already_is_refused(ann, as_user, make_invoice, assign):
    (step,) = assign(make_invoice(), "ANN")
    client = as_user(ann)
    data_of(client.post(f"purchases_api/do/approve/{step.internal_id}"))
    response = client.post(f"purchases_api/do/approve/{step.internal_id}")
    assert response.status_code == 400
    assert errors_of(response) == {None: "invoice_state_conflict"}


def test_someone_elses_approval_is_a_permission_error(
    ann, make_user, as_user, make_invoice, assign
):
    bob = make_user("BOB")
    (step,) = assign(make_invoice(), "ANN")
    response = as_user(bob).post(f"purchases_api/do/approve/{step.internal_id}")
    assert response.status_code == 401
    assert errors_of(response) == {None: "not_your_step"}


def test_another_companys_approval_is_not_found(ann, as_user, other_company, make_invoice, assign):
    """Each company numbers its own approvals: the other's second one is not ANN's."""
    assign(make_invoice(), "ANN")
    other = Actor.system(other_company, "test")
    create_user(
        UserIn(code="OLA", name="Ola", roles=["approver"], can_be_last_approver=True).model_dump(),
        actor=other,
    )
    supplier = create_supplier({"name": "Toinen Oy", "country": "FI"}, actor=other)
    for number in ("O-1", "O-2"):
        invoice = create_invoice(
            InvoiceIn(**invoice_data(supplier.id, invoice_number=number)), actor=other
        )
        append_approvers(invoice, [ApproverRequest("OLA", 1)], actor=other)
    theirs = ApprovalStep.objects.get(company=other_company, internal_id=2)
    response = as_user(ann).post(f"purchases_api/do/approve/{theirs.internal_id}")
    assert response.status_code == 400
    assert errors_of(response) == {None: "approval_step_not_found"}
    theirs.refresh_from_db()
    assert theirs.status == "waiting"


def test_reject_needs_a_reason(ann, as_user, make_invoice, assign):
    (step,) = assign(make_invoice(), "ANN")
    response = as_user(ann).post(f"purchases_api/do/reject/{step.internal_id}")
    assert response.status_code == 400
    assert errors_of(response) == {"reason": "invalid"}
    step.refresh_from_db()
    assert step.status == "waiting"


def test_reject_with_the_reason_as_comment(ann, as_user, make_invoice, assign):
    invoice = make_invoice()
    (step,) = assign(invoice, "ANN")
    data = data_of(
        as_user(ann).post(f"purchases_api/do/reject/{step.internal_id}", {"comment": "Wrong PO"})
    )
    assert data["ApprovalStatus"] == {"status_id": 30, "status": "Rejected"}
    step.refresh_from_db()
    assert (step.status, step.comment) == ("rejected", "Wrong PO")
    assert Invoice.objects.get(pk=invoice.pk).status == "rejected"


def test_a_reason_too_long_is_located_where_it_was_sent(ann, as_user, make_invoice, assign):
    (step,) = assign(make_invoice(), "ANN")
    response = as_user(ann).post(
        f"purchases_api/do/reject/{step.internal_id}", {"comment": "x" * 201}
    )
    assert errors_of(response) == {"comment": "invalid"}


def test_approving_is_a_post(ann, as_user, make_invoice, assign):
    (step,) = assign(make_invoice(), "ANN")
    response = as_user(ann).get(f"purchases_api/do/approve/{step.internal_id}")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert errors_of(response) == {None: "method_not_allowed"}
