"""get/unbooked: showPreBooked, isApproved, modifiedAfter and modifiedBefore filter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from payables.coding.inputs import PrebookingSplitIn
from payables.coding.services import set_prebooking
from payables.compat.fennoa.tests.conftest import data_of, errors_of
from payables.handoff.services import confirm_booking
from payables.handoff.tests.handoff_support import (  # noqa: F401 (fixtures)
    approver,
    make_approved,
    make_exported,
)
from payables.invoices.services import cancel_invoice

RANGE = "modifiedBefore=2024-04-24 12:45:00&modifiedAfter=2024-04-20 12:45:00"


def ids(response) -> list[int]:
    return [entry["PurchaseInvoice"]["id"] for entry in data_of(response)]


@pytest.fixture
def invoices(make_invoice, make_approved, make_exported, actor):  # noqa: F811
    """One of each: new, prebooked, approved, booked, cancelled."""
    new = make_invoice()
    prebooked = make_invoice()
    set_prebooking(
        prebooked, [PrebookingSplitIn(percent=Decimal(100), account_code="4000")], actor=actor
    )
    approved = make_approved()
    booked = make_exported()
    confirm_booking(booked, actor=actor, document_id="GL-1", booking_date=date(2026, 11, 30))
    cancelled = make_invoice()
    cancel_invoice(cancelled, actor=actor)
    return {
        name: invoice.internal_id
        for name, invoice in {
            "new": new,
            "prebooked": prebooked,
            "approved": approved,
            "booked": booked,
            "cancelled": cancelled,
        }.items()
    }


def test_unbooked_invoices_not_prebooked_oldest_first(fennoa, invoices):
    response = fennoa.get("purchases_api/get/unbooked")
    assert ids(response) == [invoices["new"], invoices["approved"]]


def test_show_prebooked_adds_the_prebooked(fennoa, invoices):
    response = fennoa.get("purchases_api/get/unbooked", {"showPreBooked": "1"})
    assert ids(response) == [invoices["new"], invoices["prebooked"], invoices["approved"]]
    records = {e["PurchaseInvoice"]["id"]: e["PurchaseInvoice"] for e in data_of(response)}
    assert records[invoices["prebooked"]]["is_prebooked"] == 1


def test_is_approved_filters_by_final_approval(fennoa, invoices):
    approved = fennoa.get("purchases_api/get/unbooked", {"isApproved": "1"})
    waiting = fennoa.get("purchases_api/get/unbooked", {"isApproved": "0", "showPreBooked": "1"})
    assert ids(approved) == [invoices["approved"]]
    assert ids(waiting) == [invoices["new"], invoices["prebooked"]]


def test_modified_after_and_before_filter(fennoa, make_invoice):
    old = make_invoice()
    cut = timezone.now()
    new = make_invoice()
    after = fennoa.get("purchases_api/get/unbooked", {"modifiedAfter": cut.isoformat()})
    before = fennoa.get("purchases_api/get/unbooked", {"modifiedBefore": cut.isoformat()})
    assert ids(after) == [new.internal_id]
    assert ids(before) == [old.internal_id]


def test_the_descriptions_date_range_example_filters(fennoa, make_invoice):
    make_invoice()
    response = fennoa.get(f"purchases_api/get/unbooked?{RANGE}")
    assert ids(response) == []
    response = fennoa.get("purchases_api/get/unbooked", {"modifiedAfter": "2024-04-25 12:48:00"})
    assert len(ids(response)) == 1


def test_only_one_is_approved_at_a_time(fennoa):
    response = fennoa.get("purchases_api/get/unbooked?isApproved=1&isApproved=0")
    assert response.status_code == 400
    assert errors_of(response) == {"isApproved": "repeated_parameter"}


def test_a_misspelt_filter_is_refused_not_ignored(fennoa):
    response = fennoa.get("purchases_api/get/unbooked", {"isapproved": "1"})
    assert errors_of(response) == {"isapproved": "extra_forbidden"}
    response = fennoa.get("purchases_api/get/unbooked", {"isApproved": "yes"})
    assert errors_of(response) == {"isApproved": "literal_error"}


def test_another_companys_invoices_are_not_listed(other_fennoa, invoices):
    assert ids(other_fennoa.get("purchases_api/get/unbooked", {"showPreBooked": "1"})) == []
