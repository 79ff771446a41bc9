"""What creating an invoice writes and costs: its SQL statements, and a number the supplier
already has, refused by the database's unique index with the answer it always had."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from payables.events.models import Event
from payables.invoices.errors import DuplicateInvoiceNumber
from payables.invoices.models import Invoice
from payables.invoices.services import cancel_invoice
from payables.invoices.tests.master_data import coded

# A company without rules, subscriptions, custom fields or open orders; its counters exist.
# BEGIN, the company's write lock, the supplier, which settings the company has (one
# query for all kinds), the internal id, the invoice, its rows and VAT lines, then its
# trail stored together (posting lines, audit entry, the event's sequence and row), COMMIT.
MOST_STATEMENTS = 13


@pytest.mark.django_db(transaction=True)
def test_creating_an_invoice_takes_a_bounded_number_of_statements(make_invoice):
    make_invoice()  # the counters are created by the first write
    with CaptureQueriesContext(connection) as captured:
        make_invoice()
    statements = [q["sql"] for q in captured.captured_queries]
    assert len(statements) <= MOST_STATEMENTS, "\n".join(statements)
    assert not [s for s in statements if "SAVEPOINT" in s], "one transaction, no savepoints"


def test_a_duplicate_number_is_409_naming_the_invoice_that_has_it(make_invoice):
    first = make_invoice(invoice_number="D-1")
    with pytest.raises(DuplicateInvoiceNumber) as refused:
        make_invoice(invoice_number="D-1")
    assert refused.value.code == "duplicate_invoice_number"
    assert refused.value.extra == {
        "existing_id": str(first.id),
        "existing_internal_id": first.internal_id,
    }


def test_a_refused_duplicate_leaves_no_trace_and_no_gap_in_internal_ids(make_invoice):
    first = make_invoice(invoice_number="D-1")
    with pytest.raises(DuplicateInvoiceNumber):
        make_invoice(invoice_number="D-1")
    # The caller's transaction goes on: the refused insert rolled back to its savepoint.
    second = make_invoice(invoice_number="D-2")
    assert second.internal_id == first.internal_id + 1
    assert Invoice.objects.count() == 2
    assert Event.objects.filter(type="invoice.created").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_in_its_own_transaction_is_409_through_the_api(api, invoice_payload):
    """No caller's transaction: the refused insert rolls back the whole transaction (on
    PostgreSQL it aborts it), and the existing invoice is named from a fresh one."""
    first = api.post("/invoices", invoice_payload()).json()
    response = api.post("/invoices", invoice_payload())
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_invoice_number"
    assert response.json()["existing_id"] == first["id"]
    assert Invoice.objects.count() == 1


def test_a_duplicate_inside_a_callers_transaction_keeps_that_transaction_usable(make_invoice):
    with transaction.atomic():
        first = make_invoice(invoice_number="D-1")
        with pytest.raises(DuplicateInvoiceNumber):
            make_invoice(invoice_number="D-1")
        assert Invoice.objects.filter(pk=first.pk).exists()


def test_a_duplicate_number_is_reported_before_unknown_codes(api, invoice_payload, master_data):
    """As when the number was checked before the codes: the 409, not the 422."""
    master_data.account("4000")
    assert api.post("/invoices", invoice_payload()).status_code == 201
    payload = coded(invoice_payload(), {"account_code": "4999"})
    response = api.post("/invoices", payload)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_invoice_number"


def test_unknown_codes_without_a_duplicate_are_still_422(api, invoice_payload, master_data):
    master_data.account("4000")
    payload = coded(invoice_payload(invoice_number="NEW-1"), {"account_code": "4999"})
    response = api.post("/invoices", payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "unknown_code"


def test_a_cancelled_invoices_number_can_be_used_again(make_invoice, actor):
    first = make_invoice(invoice_number="D-1")
    cancel_invoice(first, actor=actor)
    assert make_invoice(invoice_number="D-1").invoice_number == "D-1"
