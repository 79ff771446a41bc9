"""The inbox (the signed-in user's queue) and the all-invoices list with its filters."""

from __future__ import annotations

import re
from datetime import date

import pytest

from payables.approvals.services import approve_step
from payables.conftest import invoice_data
from payables.handoff.services import export_invoice, report_sync_error
from payables.invoices.models import Invoice
from payables.invoices.schemas import InvoiceIn
from payables.invoices.services import create_invoice
from payables.masterdata.services import create_supplier
from payables.tenancy.actors import Actor


def _invoice_links(html: str) -> list[str]:
    return re.findall(r'class="rowlink" href="/invoices/([0-9a-f-]+)/"', html)


def test_the_inbox_shows_what_waits_for_the_user(chain, browser_for, ann):
    invoice, _, _ = chain
    page = browser_for(ann).get("/")
    assert page.status_code == 200
    assert _invoice_links(page.text) == [str(invoice.id)]
    for text in [
        "Tallinna Kontoritarbed AS",
        "INV-7",
        "2 Nov 2026",
        "16 Nov 2026",
        "176.50",
        "EUR",
        "verification",
        "step 1 of 2",
        "<strong>1</strong> waiting for you",
    ]:
        assert text in page.text, text


def test_the_next_approver_sees_the_invoice_only_after_the_first_approved(
    chain, browser_for, ann, bob
):
    invoice, first, _ = chain
    assert _invoice_links(browser_for(bob).get("/").text) == []
    approve_step(first, actor=Actor.for_user(ann))
    assert _invoice_links(browser_for(ann).get("/").text) == []
    page = browser_for(bob).get("/").text
    assert _invoice_links(page) == [str(invoice.id)]
    assert "step 2 of 2" in page


def test_an_empty_inbox_says_so(browser_for, ann):
    page = browser_for(ann).get("/")
    assert "Nothing is waiting for you." in page.text


def test_the_inbox_pages_by_twenty(make_invoice, assign, browser_for, bob):
    for _ in range(21):
        assign(make_invoice(), (bob, 1))
    client = browser_for(bob)
    first = client.get("/")
    assert len(_invoice_links(first.text)) == 20
    assert "Page 1 of 2" in first.text
    assert "<strong>21</strong> waiting for you" in first.text
    second = client.get("/", {"page": 2})
    assert len(_invoice_links(second.text)) == 1
    assert not set(_invoice_links(first.text)) & set(_invoice_links(second.text))


def test_amounts_have_the_currencys_decimals(make_invoice, assign, browser_for, bob, company):
    row = {"description": "Ink", "quantity": "1", "unit_price": "1500", "net_amount": "1500",
           "vat_rate": "22", "vat_amount": "330"}  # fmt: skip
    invoice = make_invoice(
        currency="JPY",
        currency_rate="0.0061",
        net_amount="1500",
        vat_amount="330",
        gross_amount="1830",
        rows=[row],
        vat_breakdown=[{"vat_rate": "22", "base_amount": "1500", "vat_amount": "330"}],
    )
    assign(invoice, (bob, 1))
    page = browser_for(bob).get("/").text
    assert '<span class="amount">1830</span> <span class="currency">JPY</span>' in page


def test_accountants_see_unassigned_and_all_counts(make_invoice, assign, make_member, browser_for):
    accountant = make_member("ACC", roles=("accountant", "approver"))
    assign(make_invoice(), (accountant, 1))
    make_invoice()  # unassigned: no rule routed it
    page = browser_for(accountant).get("/").text
    assert "<strong>1</strong> unassigned" in page
    assert "<strong>2</strong> invoices in all" in page
    assert 'href="/invoices/"' in page


def test_approvers_see_neither_other_counts_nor_all_invoices(chain, browser_for, ann):
    client = browser_for(ann)
    page = client.get("/").text
    assert "unassigned" not in page
    assert "All invoices" not in page
    assert client.get("/invoices/").status_code == 403


@pytest.fixture
def accountant_client(make_member, browser_for):
    return browser_for(make_member("ACC", roles=("accountant",)))


@pytest.fixture
def three_invoices(make_invoice, assign, bob, actor):
    """INV-A new (2 Nov), INV-B assigned (10 Nov), INV-C from another supplier (20 Nov)."""
    other = create_supplier({"name": "Papiers Dupont SARL", "country": "FR"}, actor=actor)
    a = make_invoice(invoice_number="INV-A")
    b = make_invoice(invoice_number="INV-B", invoice_date="2026-11-10")
    assign(b, (bob, 1))
    data = invoice_data(other.id, invoice_number="INV-C", invoice_date="2026-11-20")
    c = create_invoice(InvoiceIn(**data), actor=actor)
    return a, b, c


def _listed(client, **params) -> list[str]:
    response = client.get("/invoices/", params)
    assert response.status_code == 200
    return sorted(Invoice.objects.get(pk=pk).invoice_number for pk in _invoice_links(response.text))


def test_all_invoices_lists_the_companys_invoices(accountant_client, three_invoices):
    assert _listed(accountant_client) == ["INV-A", "INV-B", "INV-C"]


def test_all_invoices_filters_by_status(accountant_client, three_invoices):
    assert _listed(accountant_client, status="assigned") == ["INV-B"]
    assert _listed(accountant_client, status="new") == ["INV-A", "INV-C"]


def test_all_invoices_filters_by_supplier_text(accountant_client, three_invoices):
    assert _listed(accountant_client, supplier="dupont") == ["INV-C"]
    assert _listed(accountant_client, supplier="Kontoritarbed") == ["INV-A", "INV-B"]


def test_all_invoices_filters_by_invoice_date(accountant_client, three_invoices):
    assert _listed(accountant_client, date_from="2026-11-05") == ["INV-B", "INV-C"]
    assert _listed(accountant_client, date_to="2026-11-10") == ["INV-A", "INV-B"]
    both = _listed(accountant_client, date_from="2026-11-05", date_to="2026-11-15")
    assert both == ["INV-B"]


def test_a_bad_filter_value_is_shown_and_filters_nothing(accountant_client, three_invoices):
    response = accountant_client.get("/invoices/", {"date_from": "not a date", "status": "new"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.text
    assert 'aria-invalid="true"' in response.text
    assert len(_invoice_links(response.text)) == 2  # the status filter still applies


def test_all_invoices_filters_failed_syncs(accountant_client, three_invoices, bob, actor):
    _, b, _ = three_invoices
    approve_step(b.approval_steps.get(), actor=Actor.for_user(bob))
    export_invoice(Invoice.objects.get(pk=b.pk), actor=actor)
    report_sync_error(actor=actor, message="Unknown account 4000", invoice_ref=str(b.id))
    assert _listed(accountant_client, sync_failed="on") == ["INV-B"]
    page = accountant_client.get("/invoices/").text
    assert "sync failed" in page


def test_all_invoices_pages_by_twenty(accountant_client, make_invoice):
    for _ in range(21):
        make_invoice()
    first = accountant_client.get("/invoices/", {"status": "new"})
    assert len(_invoice_links(first.text)) == 20
    assert "?status=new&amp;page=2" in first.text  # the filters stay on the next page
    second = accountant_client.get("/invoices/", {"status": "new", "page": 2})
    assert len(_invoice_links(second.text)) == 1


def test_all_invoices_shows_no_other_companys_invoice(accountant_client, three_invoices, other_api):
    supplier = other_api.post("/suppliers", {"name": "Theirs Oy", "country": "FI"}).json()
    response = other_api.post(
        "/invoices",
        {
            "supplier_id": supplier["id"],
            "invoice_number": "THEIRS-1",
            "invoice_date": date(2026, 11, 3).isoformat(),
            "currency": "EUR",
            "net_amount": "10.00",
            "vat_amount": "0.00",
            "gross_amount": "10.00",
        },
    )
    assert response.status_code == 201, response.json()
    assert "THEIRS-1" not in _listed(accountant_client)
