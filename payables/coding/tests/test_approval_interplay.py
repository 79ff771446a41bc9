"""Coding during approval: the chain restarts when routing depends on a changed dimension
(where the company wants it), and approvers code what waits for them, within their limits."""

from __future__ import annotations

import pytest

from payables.approvals.models import ApprovalStep
from payables.coding.tests.conftest import CODING_SCOPES, line
from payables.invoices.models import Invoice
from payables.tenancy.models import CompanyUser
from payables.tenancy.services import update_company

pytestmark = pytest.mark.usefixtures("master_data")

IT_LINES = [
    line("4000", "100.00", "22.00", dimensions={"department": "IT"}),
    line("4010", "50.00", "4.50"),
]


@pytest.fixture
def it_approver(make_user, make_rule, routed) -> CompanyUser:
    """IT invoices wait for their own approver; the rest for ``routed`` (the default)."""
    user = make_user("ITBOSS")
    make_rule("IT", [(user, 1)], dimension_values={"department": ["IT"]})
    return user


def waiting_for(invoice: Invoice) -> str:
    return ApprovalStep.objects.get(invoice=invoice, is_current=True).approver.code


def test_a_dimension_routing_depends_on_restarts_the_chain(api, make_invoice, it_approver):
    invoice = make_invoice()
    assert waiting_for(invoice) == "ROUTED"

    response = api.put(f"/invoices/{invoice.id}/posting-lines", {"lines": IT_LINES})

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "assigned"
    assert waiting_for(invoice) == "ITBOSS"
    assert invoice.audit_entries.filter(action="chain_restarted").exists()
    skipped = ApprovalStep.objects.get(invoice=invoice, approver__code="ROUTED")
    assert skipped.status == "skipped"


def test_the_chain_stays_where_the_company_does_not_restart_it(
    api, company, make_invoice, it_approver
):
    update_company(company, {"coding_change_restarts_chain": False})
    invoice = make_invoice()

    api.put(f"/invoices/{invoice.id}/posting-lines", {"lines": IT_LINES})

    assert waiting_for(invoice) == "ROUTED"
    assert not invoice.audit_entries.filter(action="chain_restarted").exists()


def test_a_change_routing_does_not_look_at_keeps_the_chain(api, make_invoice, it_approver):
    invoice = make_invoice()
    lines = [line("6000", "100.00", "22.00"), line("4010", "50.00", "4.50")]

    api.put(f"/invoices/{invoice.id}/posting-lines", {"lines": lines})

    assert waiting_for(invoice) == "ROUTED"


def test_a_new_invoice_is_routed_on_its_posting_lines(api, make_invoice, it_approver):
    rows = [
        {"net_amount": "100.00", "vat_rate": "22", "vat_amount": "22.00"},
        {"net_amount": "50.00", "vat_rate": "9", "vat_amount": "4.50",
         "dimensions": {"department": "IT"}},
    ]  # fmt: skip

    invoice = make_invoice(rows=rows)

    assert waiting_for(invoice) == "ITBOSS"


# --- approvers coding -------------------------------------------------------------------------


def test_approvers_may_not_code_unless_the_company_allows_it(approver_api, make_invoice):
    invoice = make_invoice()

    response = approver_api.put(f"/invoices/{invoice.id}/posting-lines", {"lines": IT_LINES})

    assert (response.status_code, response.json()["code"]) == (403, "approvers_may_not_code")


def test_an_approver_codes_the_invoice_waiting_for_them(approver_api, company, make_invoice):
    update_company(company, {"approvers_may_code": True})
    invoice = make_invoice()

    response = approver_api.put(f"/invoices/{invoice.id}/posting-lines", {"lines": IT_LINES})

    assert response.status_code == 200, response.json()
    entry = invoice.audit_entries.get(action="coding_changed")
    assert entry.actor.startswith("user:ROUTED")


def test_an_approver_codes_no_invoice_waiting_for_someone_else(
    as_user, make_user, company, make_invoice, routed
):
    update_company(company, {"approvers_may_code": True})
    other = as_user(make_user("OTHER"), scopes=CODING_SCOPES)
    invoice = make_invoice()

    response = other.put(f"/invoices/{invoice.id}/posting-lines", {"lines": IT_LINES})

    assert (response.status_code, response.json()["code"]) == (403, "invoice_not_waiting_for_you")


def test_an_approver_codes_only_to_the_accounts_they_are_allowed(
    approver_api, routed, company, make_invoice
):
    update_company(company, {"approvers_may_code": True})
    CompanyUser.objects.filter(pk=routed.pk).update(coding_accounts=["4000", "4010"])
    invoice = make_invoice()
    lines = [line("4000", "100.00", "22.00"), line("6000", "50.00", "4.50")]

    refused = approver_api.put(f"/invoices/{invoice.id}/posting-lines", {"lines": lines})
    allowed = approver_api.put(f"/invoices/{invoice.id}/posting-lines", {"lines": IT_LINES})

    assert refused.status_code == 403
    assert refused.json()["code"] == "coding_not_allowed"
    assert refused.json()["loc"] == ["body", "lines", 1, "account_code"]
    assert allowed.status_code == 200, allowed.json()


def test_an_approver_codes_only_to_the_dimension_values_they_are_allowed(
    approver_api, routed, company, make_invoice
):
    update_company(company, {"approvers_may_code": True})
    CompanyUser.objects.filter(pk=routed.pk).update(coding_dimensions={"department": ["HR"]})
    invoice = make_invoice()

    response = approver_api.put(
        f"/invoices/{invoice.id}/prebooking",
        {
            "splits": [
                {"account_code": "4000", "percent": "100", "dimensions": {"department": "IT"}}
            ]
        },
    )

    assert response.status_code == 403
    assert response.json()["loc"] == ["body", "splits", 0, "dimensions", "department"]


def test_accountants_code_any_invoice(make_user, as_user, make_invoice, routed):
    accountant = as_user(make_user("ACC", roles=("accountant",)), scopes=CODING_SCOPES)
    invoice = make_invoice()

    response = accountant.put(f"/invoices/{invoice.id}/posting-lines", {"lines": IT_LINES})

    assert response.status_code == 200, response.json()
