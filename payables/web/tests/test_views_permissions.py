"""What the inbox shows and allows follows ``tenancy.permissions``: approvers only decide."""

from __future__ import annotations

import pytest

from payables.approvals.services import approve_step, reject_step
from payables.invoices.models import Invoice
from payables.masterdata.services.users import update_user
from payables.tenancy.actors import Actor

EXPORT_REFUSAL = (
    "Only an accountant or an admin may export invoices, confirm bookings and report sync errors."
)
MANAGE_REFUSAL = (
    "Only an accountant or an admin may append approvers, re-route invoices and edit routing rules."
)


@pytest.fixture
def approved(chain, ann, bob) -> Invoice:
    invoice, first, second = chain
    approve_step(first, actor=Actor.for_user(ann))
    approve_step(second, actor=Actor.for_user(bob))
    return invoice


@pytest.fixture
def rejected(chain, ann) -> Invoice:
    invoice, first, _ = chain
    reject_step(first, actor=Actor.for_user(ann), reason="wrong project")
    return invoice


def _controls(page: str, invoice: Invoice) -> dict[str, bool]:
    return {
        "export": f'action="/invoices/{invoice.id}/export/"' in page,
        "add approver": f'action="/invoices/{invoice.id}/approvers/"' in page,
        "re-route": f'action="/invoices/{invoice.id}/reroute/"' in page,
        "all invoices": 'href="/invoices/"' in page,
    }


@pytest.mark.parametrize(
    ("state", "shown"),
    [("approved", "export"), ("rejected", "re-route"), ("fresh", "add approver")],
)
def test_an_approver_is_shown_no_export_or_manage_controls(
    request, make_invoice, browser_for, make_member, bob, state, shown
):
    invoice = (
        make_invoice(invoice_number="INV-9") if state == "fresh" else request.getfixturevalue(state)
    )
    as_approver = _controls(browser_for(bob).get(f"/invoices/{invoice.id}/").text, invoice)
    assert not any(as_approver.values()), as_approver
    accountant = browser_for(make_member("ACC", roles=("accountant",)))
    as_accountant = _controls(accountant.get(f"/invoices/{invoice.id}/").text, invoice)
    assert as_accountant[shown] and as_accountant["all invoices"], as_accountant


def test_an_approver_posting_an_export_gets_the_services_refusal(approved, browser_for, bob):
    response = browser_for(bob).post(f"/invoices/{approved.id}/export/")
    assert response.status_code == 403
    assert EXPORT_REFUSAL in response.text
    assert Invoice.objects.get(pk=approved.pk).status == "approved"


def test_an_approver_posting_a_reroute_gets_the_services_refusal(rejected, browser_for, bob):
    response = browser_for(bob).post(f"/invoices/{rejected.id}/reroute/")
    assert response.status_code == 403
    assert MANAGE_REFUSAL in response.text
    assert Invoice.objects.get(pk=rejected.pk).status == "rejected"


def test_the_all_invoices_list_refuses_an_approver_with_the_reason(chain, browser_for, ann):
    response = browser_for(ann).get("/invoices/")
    assert response.status_code == 403
    assert "Only an accountant or an admin may see every invoice of the company." in response.text


def test_an_admin_without_the_approver_role_manages_but_is_offered_no_decision(
    chain, browser_for, make_member, actor, ann
):
    invoice, *_ = chain
    update_user(ann, {"roles": ["admin"]}, actor=actor)
    page = browser_for(ann).get(f"/invoices/{invoice.id}/").text
    assert "Your decision" not in page
    assert _controls(page, invoice)["add approver"]
