"""Accountants and admins in the web UI: assigning approvers by hand, re-routing rejections."""

from __future__ import annotations

import pytest

from payables.approvals.models import ApprovalStep
from payables.approvals.services import create_rule
from payables.invoices.models import AuditEntry, Invoice


@pytest.fixture
def make_rule(actor):
    def make(name, approvers, **conditions):
        entries = [{"user": u.code, "level": lv} for u, lv in approvers]
        return create_rule({"name": name, "approvers": entries} | conditions, actor=actor)

    return make


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_an_accountant_assigns_an_unassigned_invoice(make_invoice, make_member, browser_for, bob):
    clerk = make_member("CLERK", roles=("accountant",))
    invoice = make_invoice()
    assert invoice.status == "new"
    client = browser_for(clerk)
    page = client.get(f"/invoices/{invoice.id}/")
    assert b"Assign approvers" in page.content
    assert bob.name.encode() in page.content  # offered in the approver list
    response = client.post(
        f"/invoices/{invoice.id}/approvers/", {"user": str(bob.id), "level": 1}, follow=True
    )
    assert response.status_code == 200
    assert f"{bob.name} was added to the approval chain." in _messages(response)
    assert Invoice.objects.get(pk=invoice.pk).status == "assigned"
    step = ApprovalStep.objects.get(invoice=invoice)
    assert (step.approver, step.is_current) == (bob, True)
    assert AuditEntry.objects.get(invoice=invoice, action="approvers_appended").actor.startswith(
        "user:CLERK"
    )


def test_a_skipped_approver_is_explained(make_invoice, make_member, browser_for, ann):
    clerk = make_member("CLERK", roles=("accountant",))
    invoice = make_invoice()
    response = browser_for(clerk).post(
        f"/invoices/{invoice.id}/approvers/", {"user": str(ann.id), "level": 2}, follow=True
    )
    assert any("may not be" in m for m in _messages(response))
    assert not ApprovalStep.objects.filter(invoice=invoice).exists()


def test_a_bad_choice_changes_nothing(make_invoice, make_member, browser_for):
    clerk = make_member("CLERK", roles=("accountant",))
    invoice = make_invoice()
    response = browser_for(clerk).post(
        f"/invoices/{invoice.id}/approvers/", {"user": "nobody", "level": 7}, follow=True
    )
    assert "Choose an approver and a level." in _messages(response)
    assert not ApprovalStep.objects.exists()


def test_approvers_cannot_assign_or_reroute(chain, browser_for, ann):
    invoice, *_ = chain
    client = browser_for(ann)
    assert b"Add an approver" not in client.get(f"/invoices/{invoice.id}/").content
    assert (
        client.post(f"/invoices/{invoice.id}/approvers/", {"user": str(ann.id)}).status_code == 403
    )
    assert client.post(f"/invoices/{invoice.id}/reroute/").status_code == 403


def _rejected(chain, browser_for, ann):
    invoice, first, _ = chain
    browser_for(ann).post(
        f"/invoices/{invoice.id}/steps/{first.id}/reject/", {"reason": "wrong project"}
    )
    assert Invoice.objects.get(pk=invoice.pk).status == "rejected"
    return invoice


def test_an_admin_reroutes_a_rejected_invoice_to_a_new_chain(
    chain, make_member, browser_for, ann, bob, make_rule
):
    invoice = _rejected(chain, browser_for, ann)
    make_rule("all", [(bob, 1)], is_default=True)
    client = browser_for(make_member("BOSS", roles=("admin",)))
    assert b"Re-route" in client.get(f"/invoices/{invoice.id}/").content
    response = client.post(f"/invoices/{invoice.id}/reroute/", {"comment": "again"}, follow=True)
    assert "The invoice has a new approval chain." in _messages(response)
    assert Invoice.objects.get(pk=invoice.pk).status == "assigned"
    current = ApprovalStep.objects.get(invoice=invoice, is_current=True)
    assert (current.round, current.approver) == (2, bob)
    assert AuditEntry.objects.get(invoice=invoice, action="rerouted").comment == "again"


def test_rerouting_without_a_matching_rule_leaves_it_for_assignment(
    chain, make_member, browser_for, ann
):
    invoice = _rejected(chain, browser_for, ann)
    client = browser_for(make_member("BOSS", roles=("admin",)))
    response = client.post(f"/invoices/{invoice.id}/reroute/", follow=True)
    assert "No routing rule matches: add approvers by hand." in _messages(response)
    assert Invoice.objects.get(pk=invoice.pk).status == "new"
    assert b"Assign approvers" in client.get(f"/invoices/{invoice.id}/").content


def test_the_invoice_list_filters_by_supplier_name_through_the_api_filter(
    make_invoice, make_member, browser_for, api
):
    make_invoice()
    clerk = make_member("CLERK", roles=("accountant",))
    page = browser_for(clerk).get("/invoices/", {"supplier": "kontoritarbed"})
    assert b"INV-" in page.content or b"T-1" in page.content
    assert (
        browser_for(clerk).get("/invoices/", {"supplier": "nobody"}).context["page"].paginator.count
        == 0
    )
    assert api.get("/invoices", {"supplier_name": "TALLINNA"}).json()["count"] == 1
    assert api.get("/invoices", {"supplier_name": "Helsingin"}).json()["count"] == 0
