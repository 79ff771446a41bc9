"""GET /approvals/queue: the invoices waiting for the calling person, and the history trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from payables.approvals.models import ApprovalStep
from payables.invoices.models import Invoice


@pytest.fixture
def two_step_rule(make_user, make_rule):
    ann, bob = make_user("ANN", last=False), make_user("BOB")
    make_rule("two steps", [(ann, 2), (bob, 1)], is_default=True)
    return ann, bob


def test_queue_lists_the_invoices_whose_current_step_is_mine(two_step_rule, make_invoice, as_user):
    ann, bob = two_step_rule
    invoice = make_invoice()
    body = as_user(ann).get("/approvals/queue").json()
    assert body["count"] == 1
    entry = body["items"][0]
    step = ApprovalStep.objects.get(invoice=invoice, approver=ann)
    assert entry["step_id"] == str(step.id)
    assert (entry["level"], entry["position"], entry["steps_in_chain"]) == (2, 1, 2)
    assert entry["invoice"]["id"] == str(invoice.id)
    assert entry["invoice"]["invoice_number"] == invoice.invoice_number
    assert entry["invoice"]["gross_amount"] == "176.50"
    assert entry["invoice"]["supplier_name"] == "Tallinna Kontoritarbed AS"
    assert entry["invoice"]["due_date"] == "2026-11-16"
    assert as_user(bob).get("/approvals/queue").json() == {"items": [], "count": 0}


def test_after_approving_it_leaves_my_queue_and_reaches_the_next(
    two_step_rule, make_invoice, as_user
):
    ann, bob = two_step_rule
    make_invoice()
    ann_api, bob_api = as_user(ann), as_user(bob)
    step_id = ann_api.get("/approvals/queue").json()["items"][0]["step_id"]
    assert ann_api.post(f"/approvals/{step_id}/approve").status_code == 200
    assert ann_api.get("/approvals/queue").json()["count"] == 0
    bobs = bob_api.get("/approvals/queue").json()
    assert bobs["count"] == 1
    assert bob_api.post(f"/approvals/{bobs['items'][0]['step_id']}/approve").status_code == 200
    assert bob_api.get("/approvals/queue").json()["count"] == 0


def test_rejected_invoices_leave_the_queue(two_step_rule, make_invoice, as_user):
    ann, _ = two_step_rule
    make_invoice()
    api = as_user(ann)
    step_id = api.get("/approvals/queue").json()["items"][0]["step_id"]
    api.post(f"/approvals/{step_id}/reject", {"reason": "no"})
    assert api.get("/approvals/queue").json()["count"] == 0


def test_queue_pages_by_twenty(two_step_rule, make_invoice, as_user):
    ann, _ = two_step_rule
    numbers = {make_invoice().invoice_number for _ in range(23)}
    api = as_user(ann)
    first, second = api.get("/approvals/queue").json(), api.get("/approvals/queue?page=2").json()
    assert (first["count"], len(first["items"]), len(second["items"])) == (23, 20, 3)
    seen = [e["invoice"]["invoice_number"] for e in first["items"] + second["items"]]
    assert sorted(seen) == sorted(numbers)
    assert api.get("/approvals/queue?page=3").json()["items"] == []
    assert api.get("/approvals/queue?page=0").status_code == 422


def test_queue_is_oldest_due_date_first_then_oldest_invoice(two_step_rule, make_invoice, as_user):
    ann, bob = two_step_rule
    late = make_invoice(due_date="2026-12-31")
    early = make_invoice(due_date="2026-11-20")
    tied = make_invoice(due_date="2026-11-20")
    first = make_invoice(due_date="2026-11-03")
    ann_api = as_user(ann)
    queue = ann_api.get("/approvals/queue").json()["items"]
    expected = [str(i.id) for i in (first, early, tied, late)]
    assert [e["invoice"]["id"] for e in queue] == expected
    for entry in reversed(queue):  # the next step takes the keys when it becomes current
        assert ann_api.post(f"/approvals/{entry['step_id']}/approve").status_code == 200
    bobs = as_user(bob).get("/approvals/queue").json()
    assert [e["invoice"]["id"] for e in bobs["items"]] == expected
    assert bobs["count"] == 4


def test_a_changed_due_date_counts_once_the_invoice_is_routed_again(
    make_user, make_rule, make_invoice, as_user, api
):
    ann = make_user("ANN")
    invoice, other = make_invoice(due_date="2026-11-10"), make_invoice(due_date="2026-11-20")
    make_rule("everything", [(ann, 1)], is_default=True)
    # Unassigned (no rule when they came), so editable; a change routes them.
    for changed, due in ((invoice, "2026-12-01"), (other, "2026-11-30")):
        assert api.patch(f"/invoices/{changed.id}", {"due_date": due}).status_code == 200
    queue = as_user(ann).get("/approvals/queue").json()["items"]
    assert [(e["invoice"]["id"], e["invoice"]["due_date"]) for e in queue] == [
        (str(other.id), "2026-11-30"),
        (str(invoice.id), "2026-12-01"),
    ]


def test_cancelled_invoices_leave_the_queue(two_step_rule, make_invoice, as_user, api):
    ann, _ = two_step_rule
    invoice = make_invoice()
    assert api.post(f"/invoices/{invoice.id}/cancel", {"reason": "duplicate"}).status_code == 200
    assert as_user(ann).get("/approvals/queue").json() == {"items": [], "count": 0}


def test_queue_filters_by_modified_after(two_step_rule, make_invoice, as_user):
    ann, _ = two_step_rule
    old, new = make_invoice(), make_invoice()
    cutoff = timezone.now()
    Invoice.objects.filter(pk=old.pk).update(modified_at=cutoff - timedelta(hours=1))
    Invoice.objects.filter(pk=new.pk).update(modified_at=cutoff + timedelta(seconds=1))
    api = as_user(ann)
    body = api.get("/approvals/queue", {"modified_after": cutoff.isoformat()}).json()
    assert [e["invoice"]["id"] for e in body["items"]] == [str(new.id)]
    assert api.get("/approvals/queue", {"modified_after": "yesterday"}).status_code == 422


def test_queue_needs_a_person(api):
    response = api.get("/approvals/queue")
    assert response.status_code == 403
    assert response.json()["code"] == "personal_identity_required"


def test_queue_needs_the_approvals_read_scope(two_step_rule, as_user):
    ann, _ = two_step_rule
    response = as_user(ann, scopes=["invoices:read"]).get("/approvals/queue")
    assert response.status_code == 403


def test_queue_never_shows_another_companys_invoices(
    two_step_rule, make_invoice, as_user, other_company
):
    from payables.masterdata.schemas import UserIn
    from payables.masterdata.services.users import create_user
    from payables.tenancy.actors import Actor

    make_invoice()
    namesake = create_user(
        UserIn(
            code="ANN", name="Ann elsewhere", email="ann@example.com", roles=["approver"]
        ).model_dump(),
        actor=Actor.system(other_company),
    )
    assert as_user(namesake).get("/approvals/queue").json()["count"] == 0


# --- chain and history -------------------------------------------------------------------------


def test_history_tells_who_did_what_when_with_what_comment(
    two_step_rule, make_invoice, as_user, api
):
    ann, bob = two_step_rule
    invoice = make_invoice()
    step_id = as_user(ann).get("/approvals/queue").json()["items"][0]["step_id"]
    as_user(ann).post(f"/approvals/{step_id}/approve", {"comment": "fine"})
    step_id = as_user(bob).get("/approvals/queue").json()["items"][0]["step_id"]
    as_user(bob).post(f"/approvals/{step_id}/reject", {"reason": "price too high"})
    history = api.get(f"/invoices/{invoice.id}/history").json()
    assert [(h["action"], h["comment"]) for h in history] == [
        ("created", ""),
        ("routed", "rule two steps"),
        ("approved", "fine"),
        ("rejected", "price too high"),
    ]
    assert history[2]["actor"].startswith("user:ANN")
    assert history[3]["actor"].startswith("user:BOB")
    assert all(h["at"] for h in history)
    assert api.get(f"/invoices/{invoice.internal_id}/history").json() == history


def test_chain_shows_every_step_with_states(two_step_rule, make_invoice, api):
    invoice = make_invoice()
    body = api.get(f"/invoices/{invoice.id}/approvals").json()
    assert body["status"] == "assigned"
    assert [(s["approver"]["code"], s["level_name"], s["status"]) for s in body["steps"]] == [
        ("ANN", "verification", "waiting"),
        ("BOB", "approval", "waiting"),
    ]
    assert body["current_step_id"] == body["steps"][0]["id"]


def test_history_and_chain_of_another_companys_invoice_are_404(make_invoice, other_api):
    invoice = make_invoice()
    assert other_api.get(f"/invoices/{invoice.id}/history").status_code == 404
    assert other_api.get(f"/invoices/{invoice.id}/approvals").status_code == 404
