"""POST /invoices/{ref}/approvers: appending approvers, each added or skipped with a reason."""

from __future__ import annotations

import pytest

from payables.approvals.models import ApprovalStep
from payables.events.models import Event
from payables.invoices.models import AuditEntry, Invoice
from payables.invoices.services import cancel_invoice


def _append(api, invoice, *approvers):
    return api.post(f"/invoices/{invoice.id}/approvers", {"approvers": list(approvers)})


def _results(response):
    return [(r["user"], r["outcome"], r["reason"]) for r in response.json()["results"]]


def test_appending_to_a_new_invoice_assigns_it(api, make_invoice, make_user):
    ann, bob = make_user("ANN", last=False), make_user("BOB")
    invoice = make_invoice()
    assert invoice.status == "new"
    response = _append(api, invoice, {"user": "ANN", "level": 2}, {"user": "BOB", "level": 1})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "assigned"
    assert _results(response) == [("ANN", "added", None), ("BOB", "added", None)]
    steps = list(ApprovalStep.objects.filter(invoice=invoice))
    assert [(s.approver, s.level, s.position, s.status) for s in steps] == [
        (ann, 2, 1, "waiting"),
        (bob, 1, 2, "waiting"),
    ]
    assert [s.is_current for s in steps] == [True, False]
    assert body["results"][0]["step_id"] == str(steps[0].id)
    assert Event.objects.filter(type="invoice.assigned", subject_id=invoice.id).count() == 1


def test_users_are_found_by_uuid_email_or_code(api, make_invoice, make_user):
    ann, bob, cid = make_user("ANN", last=False), make_user("BOB", last=False), make_user("CID")
    invoice = make_invoice()
    response = _append(
        api,
        invoice,
        {"user": str(ann.id), "level": 3},
        {"user": "BOB@EXAMPLE.COM", "level": 2},
        {"user": "CID", "level": 1},
    )
    assert [r["user_id"] for r in response.json()["results"]] == [
        str(ann.id),
        str(bob.id),
        str(cid.id),
    ]
    assert all(r["outcome"] == "added" for r in response.json()["results"])


def test_unknown_inactive_and_non_approver_users_are_skipped_the_rest_added(
    api, make_invoice, make_user
):
    make_user("GONE", active=False)
    make_user("CLERK", roles=("accountant",))
    make_user("BOB")
    invoice = make_invoice()
    response = _append(
        api,
        invoice,
        {"user": "nobody@example.com", "level": 2},
        {"user": "GONE", "level": 2},
        {"user": "CLERK", "level": 2},
        {"user": "BOB", "level": 1},
    )
    assert response.status_code == 200
    assert _results(response) == [
        ("nobody@example.com", "skipped", "unknown_user"),
        ("GONE", "skipped", "inactive"),
        ("CLERK", "skipped", "not_an_approver"),
        ("BOB", "added", None),
    ]
    assert ApprovalStep.objects.filter(invoice=invoice).count() == 1


def test_would_be_last_who_cannot_be_last_is_skipped_and_the_one_before_becomes_last(
    api, make_invoice, make_user
):
    make_user("ANN")
    make_user("PRE", last=False)
    invoice = make_invoice()
    response = _append(api, invoice, {"user": "ANN", "level": 1}, {"user": "PRE", "level": 3})
    assert _results(response) == [
        ("ANN", "added", None),
        ("PRE", "skipped", "cannot_be_last_approver"),
    ]


def test_someone_who_cannot_be_last_is_added_when_not_last(api, make_invoice, make_user):
    make_user("PRE", last=False)
    make_user("ANN")
    invoice = make_invoice()
    response = _append(api, invoice, {"user": "PRE", "level": 3}, {"user": "ANN", "level": 1})
    assert _results(response) == [("PRE", "added", None), ("ANN", "added", None)]


def test_approval_limit_below_the_amount_skips_the_would_be_last(api, make_invoice, make_user):
    make_user("SMALL", limit="100.00")
    make_user("BIG", limit="176.50")
    invoice = make_invoice()  # 176.50 EUR
    response = _append(api, invoice, {"user": "BIG", "level": 1}, {"user": "SMALL", "level": 1})
    assert _results(response) == [
        ("BIG", "added", None),
        ("SMALL", "skipped", "approval_limit_below_amount"),
    ]


def test_limit_is_compared_with_the_home_currency_amount(api, make_invoice, make_user):
    make_user("LIM", limit="100.00")
    invoice = make_invoice(currency="SEK", currency_rate="0.1", home_gross_amount=None)
    assert invoice.home_gross_amount == pytest.approx(invoice.gross_amount / 10)
    response = _append(api, invoice, {"user": "LIM", "level": 1})
    assert _results(response) == [("LIM", "added", None)]


def test_nobody_able_to_be_last_leaves_the_invoice_new(api, make_invoice, make_user):
    make_user("PRE", last=False)
    invoice = make_invoice()
    response = _append(api, invoice, {"user": "PRE", "level": 3})
    assert _results(response) == [("PRE", "skipped", "cannot_be_last_approver")]
    assert response.json()["status"] == "new"
    assert not ApprovalStep.objects.exists()


def test_duplicates_and_users_already_waiting_are_skipped(api, make_invoice, make_user):
    make_user("ANN", last=False)
    make_user("BOB")
    invoice = make_invoice()
    _append(api, invoice, {"user": "ANN", "level": 2})  # ANN cannot be last: skipped
    _append(api, invoice, {"user": "BOB", "level": 1})
    response = _append(
        api, invoice, {"user": "ann@example.com", "level": 2}, {"user": "ANN", "level": 2},
        {"user": "BOB", "level": 1},
    )  # fmt: skip
    assert _results(response) == [
        ("ann@example.com", "skipped", "cannot_be_last_approver"),
        ("ANN", "skipped", "duplicate_in_request"),
        ("BOB", "skipped", "already_in_chain"),
    ]


def test_appending_to_an_assigned_invoice_keeps_the_steps_and_appends_at_the_end(
    api, make_invoice, make_user
):
    make_user("ANN")
    make_user("BOB")
    invoice = make_invoice()
    _append(api, invoice, {"user": "ANN", "level": 2})
    first = ApprovalStep.objects.get(invoice=invoice)
    response = _append(api, invoice, {"user": "BOB", "level": 1})
    assert response.json()["status"] == "assigned"
    steps = list(ApprovalStep.objects.filter(invoice=invoice))
    assert [s.approver.code for s in steps] == ["ANN", "BOB"]
    assert steps[0].pk == first.pk and steps[0].is_current
    assert [s.position for s in steps] == [1, 2]


@pytest.mark.parametrize("state", ["approved", "rejected", "cancelled"])
def test_appending_to_an_invoice_past_assignment_is_409(
    api, make_invoice, make_user, as_user, actor, state
):
    ann = make_user("ANN")
    make_user("BOB")
    invoice = make_invoice()
    _append(api, invoice, {"user": "ANN", "level": 1})
    step = ApprovalStep.objects.get(invoice=invoice)
    if state == "approved":
        as_user(ann).post(f"/approvals/{step.id}/approve", {})
    elif state == "rejected":
        as_user(ann).post(f"/approvals/{step.id}/reject", {"reason": "wrong"})
    else:
        cancel_invoice(invoice, actor=actor, reason="dup")
    assert Invoice.objects.get(pk=invoice.pk).status == state
    response = _append(api, invoice, {"user": "BOB", "level": 1})
    assert response.status_code == 409
    assert response.json()["code"] == "invoice_state_conflict"
    assert ApprovalStep.objects.filter(invoice=invoice).count() == 1


def test_appending_writes_an_event_and_the_trail(api, make_invoice, make_user):
    make_user("BOB")
    invoice = make_invoice()
    _append(api, invoice, {"user": "BOB", "level": 1}, {"user": "X", "level": 2})
    event = Event.objects.get(type="invoice.approvers_appended")
    assert [a["outcome"] for a in event.payload["appended"]] == ["added", "skipped"]
    entry = AuditEntry.objects.get(invoice=invoice, action="approvers_appended")
    assert "BOB added" in entry.comment and "X skipped (unknown_user)" in entry.comment
    assert entry.actor.startswith("integrator:ERP")


def test_another_companys_invoice_is_404(other_api, make_invoice, make_user):
    make_user("BOB")
    invoice = make_invoice()
    response = _append(other_api, invoice, {"user": "BOB", "level": 1})
    assert response.status_code == 404
    assert not ApprovalStep.objects.exists()


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({}, ["body", "approvers"]),
        ({"approvers": []}, ["body", "approvers"]),
        ({"approvers": [{"user": "BOB", "level": 4}]}, ["body", "approvers", 0, "level"]),
        ({"approvers": [{"level": 1}]}, ["body", "approvers", 0, "user"]),
        ({"approvers": [{"user": "BOB", "level": 1, "x": 1}]}, ["body", "approvers", 0, "x"]),
    ],
)  # fmt: skip
def test_bad_requests_are_422_at_the_field(api, make_invoice, make_user, payload, loc):
    make_user("BOB")
    invoice = make_invoice()
    response = api.post(f"/invoices/{invoice.id}/approvers", payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert not ApprovalStep.objects.exists()


def test_a_person_needs_the_accountant_or_admin_role(make_invoice, make_user, as_user):
    approver = make_user("BOB")
    accountant = make_user("ACC", roles=("accountant",))
    invoice = make_invoice()
    denied = as_user(approver).post(
        f"/invoices/{invoice.id}/approvers", {"approvers": [{"user": "BOB"}]}
    )
    assert denied.status_code == 403
    assert denied.json()["code"] == "role_required"
    allowed = as_user(accountant).post(
        f"/invoices/{invoice.id}/approvers", {"approvers": [{"user": "BOB"}]}
    )
    assert allowed.status_code == 200
    assert _results(allowed) == [("BOB", "added", None)]


def test_appending_needs_the_approvals_write_scope(company, make_key, make_invoice):
    from payables.conftest import ApiClient

    api = ApiClient(make_key(company, scopes=["approvals:read", "invoices:write"]))
    invoice = make_invoice()
    response = api.post(f"/invoices/{invoice.id}/approvers", {"approvers": [{"user": "X"}]})
    assert response.status_code == 403
