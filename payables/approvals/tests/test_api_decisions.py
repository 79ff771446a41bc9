"""Approve, reject and re-route through the API, as the step's approver with a personal key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payables.approvals.models import ApprovalStep
from payables.events.models import Event
from payables.invoices.models import AuditEntry, Invoice
from payables.masterdata.services.users import update_user


@pytest.fixture
def chain(api, make_invoice, make_user):
    """An invoice assigned to ANN (verification) then BOB (approval)."""
    ann, bob = make_user("ANN", last=False), make_user("BOB")
    invoice = make_invoice()
    response = api.post(
        f"/invoices/{invoice.id}/approvers",
        {"approvers": [{"user": "ANN", "level": 2}, {"user": "BOB", "level": 1}]},
    )
    assert response.json()["status"] == "assigned"
    first, second = ApprovalStep.objects.filter(invoice=invoice)
    return invoice, ann, bob, first, second


def _status(invoice):
    return Invoice.objects.get(pk=invoice.pk).status


def test_approvals_in_order_end_with_an_approved_invoice(chain, as_user):
    invoice, ann, bob, first, second = chain
    response = as_user(ann).post(f"/approvals/{first.id}/approve", {"comment": "ok by me"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "assigned"
    assert body["current_step_id"] == str(second.id)
    assert [s["status"] for s in body["steps"]] == ["approved", "waiting"]
    assert body["steps"][0]["comment"] == "ok by me"
    assert body["steps"][0]["acted_by"].startswith("user:ANN")
    assert body["steps"][0]["acted_at"] is not None

    response = as_user(bob).post(f"/approvals/{second.id}/approve")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    assert response.json()["current_step_id"] is None
    assert _status(invoice) == "approved"
    types = list(
        Event.objects.filter(subject_id=invoice.id)
        .order_by("sequence")
        .values_list("type", flat=True)
    )
    assert types[-3:] == ["approval_step.approved", "approval_step.approved", "invoice.approved"]


def test_only_the_steps_approver_may_act(chain, as_user):
    _, _, bob, first, _ = chain
    response = as_user(bob).post(f"/approvals/{first.id}/approve")
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_step"
    assert ApprovalStep.objects.get(pk=first.pk).status == "waiting"


def test_only_the_current_step_may_be_acted_on(chain, as_user):
    _, _, bob, _, second = chain
    response = as_user(bob).post(f"/approvals/{second.id}/approve")
    assert response.status_code == 409
    assert response.json()["code"] == "step_not_current"
    rejected = as_user(bob).post(f"/approvals/{second.id}/reject", {"reason": "no"})
    assert rejected.status_code == 409


def test_a_step_cannot_be_approved_twice(chain, as_user):
    _, ann, _, first, _ = chain
    assert as_user(ann).post(f"/approvals/{first.id}/approve").status_code == 200
    again = as_user(ann).post(f"/approvals/{first.id}/approve")
    assert again.status_code == 409
    assert "already approved" in again.json()["detail"]


def test_an_integrator_key_cannot_approve(chain, api):
    _, _, _, first, _ = chain
    response = api.post(f"/approvals/{first.id}/approve")
    assert response.status_code == 403
    assert response.json()["code"] == "personal_identity_required"


def test_another_companys_step_is_404(chain, other_company, as_user, make_user):
    _, _, _, first, _ = chain
    from payables.masterdata.schemas import UserIn
    from payables.masterdata.services.users import create_user
    from payables.tenancy.actors import Actor

    stranger = create_user(
        UserIn(code="ANN", name="Other Ann", roles=["approver"]).model_dump(),
        actor=Actor.system(other_company),
    )
    response = as_user(stranger).post(f"/approvals/{first.id}/approve")
    assert response.status_code == 404
    assert response.json()["code"] == "approval_step_not_found"


def test_comment_longer_than_200_characters_is_422(chain, as_user):
    _, ann, _, first, _ = chain
    response = as_user(ann).post(f"/approvals/{first.id}/approve", {"comment": "x" * 201})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "comment"]
    assert ApprovalStep.objects.get(pk=first.pk).status == "waiting"
    ok = as_user(ann).post(f"/approvals/{first.id}/approve", {"comment": "x" * 200})
    assert ok.status_code == 200


def test_approval_limit_below_the_amount_refuses_the_final_approval(chain, as_user, actor):
    _, ann, bob, first, second = chain
    as_user(ann).post(f"/approvals/{first.id}/approve")
    update_user(bob, {"approval_limit_amount": Decimal("100.00")}, actor=actor)
    response = as_user(bob).post(f"/approvals/{second.id}/approve")
    assert response.status_code == 403
    assert response.json()["code"] == "cannot_be_final_approver"
    assert "176.50" in response.json()["detail"]
    assert ApprovalStep.objects.get(pk=second.pk).status == "waiting"
    update_user(bob, {"approval_limit_amount": Decimal("176.50")}, actor=actor)
    assert as_user(bob).post(f"/approvals/{second.id}/approve").status_code == 200


def test_approval_limit_does_not_matter_before_the_last_step(chain, as_user, actor):
    _, ann, _, first, _ = chain
    update_user(ann, {"approval_limit_amount": Decimal("1.00")}, actor=actor)
    assert as_user(ann).post(f"/approvals/{first.id}/approve").status_code == 200


def test_reject_makes_the_invoice_rejected_and_skips_the_rest(chain, as_user):
    invoice, ann, _, first, _ = chain
    response = as_user(ann).post(f"/approvals/{first.id}/reject", {"reason": "Wrong cost centre"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "rejected"
    assert [(s["status"], s["comment"]) for s in body["steps"]] == [
        ("rejected", "Wrong cost centre"),
        ("skipped", "skipped: invoice rejected"),
    ]
    assert Event.objects.filter(type="invoice.rejected", subject_id=invoice.id).count() == 1
    entry = AuditEntry.objects.get(invoice=invoice, action="rejected")
    assert entry.comment == "Wrong cost centre"


@pytest.mark.parametrize(
    ("payload", "loc"),
    [({}, ["body", "reason"]), ({"reason": "   "}, ["body", "reason"]),
     ({"reason": "x" * 201}, ["body", "reason"])],
)  # fmt: skip
def test_reject_needs_a_reason_of_at_most_200_characters(chain, as_user, payload, loc):
    invoice, ann, _, first, _ = chain
    response = as_user(ann).post(f"/approvals/{first.id}/reject", payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert _status(invoice) == "assigned"


def test_acting_on_a_rejected_invoice_is_409(chain, as_user):
    _, ann, _, first, _ = chain
    as_user(ann).post(f"/approvals/{first.id}/reject", {"reason": "no"})
    response = as_user(ann).post(f"/approvals/{first.id}/approve")
    assert response.status_code == 409


# --- re-routing --------------------------------------------------------------------------------


def test_accountant_reroutes_a_rejected_invoice_keeping_the_history(
    chain, as_user, make_user, make_rule
):
    invoice, ann, bob, first, _ = chain
    as_user(ann).post(f"/approvals/{first.id}/reject", {"reason": "ask Bob"})
    make_rule("everything", [(bob, 1)], is_default=True)
    accountant = make_user("ACC", roles=("accountant",))
    response = as_user(accountant).post(f"/invoices/{invoice.id}/reroute", {"comment": "again"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "assigned"
    assert [(s["round"], s["status"]) for s in body["steps"]] == [
        (1, "rejected"),
        (1, "skipped"),
        (2, "waiting"),
    ]
    assert body["current_step_id"] == body["steps"][2]["id"]
    new_step = ApprovalStep.objects.get(pk=body["current_step_id"])
    assert as_user(bob).post(f"/approvals/{new_step.id}/approve").status_code == 200
    assert _status(invoice) == "approved"
    actions = list(AuditEntry.objects.filter(invoice=invoice).values_list("action", flat=True))
    assert "rerouted" in actions and "rejected" in actions


def test_reroute_without_a_matching_rule_leaves_it_unassigned(chain, as_user, api):
    invoice, ann, _, first, _ = chain
    as_user(ann).post(f"/approvals/{first.id}/reject", {"reason": "no"})
    response = api.post(f"/invoices/{invoice.id}/reroute")
    assert response.status_code == 200
    assert response.json()["status"] == "new"
    unassigned = api.get("/approvals/unassigned").json()
    assert [i["id"] for i in unassigned["items"]] == [str(invoice.id)]


def test_an_approver_cannot_reroute(chain, as_user):
    invoice, ann, _, first, _ = chain
    as_user(ann).post(f"/approvals/{first.id}/reject", {"reason": "no"})
    response = as_user(ann).post(f"/invoices/{invoice.id}/reroute")
    assert response.status_code == 403
    assert response.json()["code"] == "role_required"
    assert _status(invoice) == "rejected"


def test_only_rejected_invoices_are_rerouted(chain, api):
    invoice, *_ = chain
    response = api.post(f"/invoices/{invoice.id}/reroute")
    assert response.status_code == 409
    assert _status(invoice) == "assigned"


def test_reroute_of_another_companys_invoice_is_404(chain, other_api):
    invoice, *_ = chain
    assert other_api.post(f"/invoices/{invoice.id}/reroute").status_code == 404


def test_the_service_itself_refuses_a_blank_or_long_reason_and_comment(chain):
    from payables.approvals.services import approve_step, reject_step
    from payables.errors import FieldError
    from payables.tenancy.actors import Actor

    invoice, ann, _, first, _ = chain
    for reason in ("", "  ", "x" * 201):
        with pytest.raises(FieldError) as caught:
            reject_step(first, actor=Actor.for_user(ann), reason=reason)
        assert caught.value.loc == ("reason",)
    with pytest.raises(FieldError):
        approve_step(first, actor=Actor.for_user(ann), comment="x" * 201)
    assert _status(invoice) == "assigned"


# --- the chain across re-routing, cancellation and changed people ------------------------------


def test_approvers_added_after_a_reroute_without_match_start_a_new_round(chain, as_user, api):
    invoice, ann, _, first, _ = chain
    as_user(ann).post(f"/approvals/{first.id}/reject", {"reason": "no"})
    assert api.post(f"/invoices/{invoice.id}/reroute", {"comment": "retry"}).json()["status"] == (
        "new"
    )
    event = Event.objects.get(type="invoice.rerouted", subject_id=invoice.id)
    assert (event.payload["status"], event.payload["comment"]) == ("new", "retry")
    added = api.post(f"/invoices/{invoice.id}/approvers", {"approvers": [{"user": "BOB"}]})
    assert added.json()["status"] == "assigned"
    steps = api.get(f"/invoices/{invoice.id}/approvals").json()["steps"]
    assert [(s["round"], s["position"], s["status"]) for s in steps] == [
        (1, 1, "rejected"),
        (1, 2, "skipped"),
        (2, 1, "waiting"),
    ]


def test_a_new_invoice_left_unassigned_by_a_reroute_is_routed_when_a_rule_matches_later(
    chain, as_user, api, actor, make_rule
):
    from payables.invoices.schemas import InvoicePatch
    from payables.invoices.services import update_invoice

    invoice, ann, bob, first, _ = chain
    as_user(ann).post(f"/approvals/{first.id}/reject", {"reason": "no"})
    api.post(f"/invoices/{invoice.id}/reroute")
    make_rule("P-7", [(bob, 1)], custom_field_values={"project": ["P-7"]})
    update_invoice(
        Invoice.objects.get(pk=invoice.pk), InvoicePatch(custom_fields={"project": "P-7"}),
        actor=actor,
    )  # fmt: skip
    assert _status(invoice) == "assigned"
    current = ApprovalStep.objects.get(invoice=invoice, is_current=True)
    assert (current.round, current.approver) == (2, bob)


def test_someone_whose_approver_role_was_taken_away_cannot_approve(chain, as_user, actor):
    _, ann, _, first, _ = chain
    api = as_user(ann)
    update_user(ann, {"roles": ["accountant"]}, actor=actor)
    response = api.post(f"/approvals/{first.id}/approve")
    assert response.status_code == 403
    assert response.json()["code"] in {"not_an_approver", "missing_scope", "permission_denied"}
    assert ApprovalStep.objects.get(pk=first.pk).status == "waiting"


def test_the_service_refuses_a_former_approver_too(chain, actor):
    from payables.approvals.errors import NotAnApprover
    from payables.approvals.services import approve_step
    from payables.tenancy.actors import Actor

    _, ann, _, first, _ = chain
    update_user(ann, {"roles": ["accountant"]}, actor=actor)
    ann.refresh_from_db()
    with pytest.raises(NotAnApprover):
        approve_step(first, actor=Actor.for_user(ann))


def test_cancelling_an_assigned_invoice_closes_its_chain(chain, api, as_user):
    invoice, ann, *_ = chain
    assert api.post(f"/invoices/{invoice.id}/cancel", {"reason": "duplicate"}).status_code == 200
    body = api.get(f"/invoices/{invoice.id}/approvals").json()
    assert body["current_step_id"] is None
    assert {s["status"] for s in body["steps"]} == {"skipped"}
    assert as_user(ann).get("/approvals/queue").json()["count"] == 0


def test_appending_skips_a_current_approver_who_was_deactivated(chain, api, actor, make_user):
    invoice, ann, *_ = chain
    update_user(ann, {"is_active": False}, actor=actor)
    make_user("CID")
    response = api.post(f"/invoices/{invoice.id}/approvers", {"approvers": [{"user": "CID"}]})
    assert response.status_code == 200
    steps = {s.approver.code: s for s in ApprovalStep.objects.filter(invoice=invoice)}
    assert steps["ANN"].status == "skipped" and not steps["ANN"].is_current
    assert steps["ANN"].comment == "skipped: approver inactive"
    assert steps["BOB"].is_current  # the chain goes on with the next active approver
    assert _status(invoice) == "assigned"
