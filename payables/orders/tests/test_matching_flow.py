"""Matching through an invoice's life: routing a discrepancy to the order's requester,
approving matched invoices automatically, invoiced quantities on approval and export,
released on rejection and cancellation, credit notes, a changed order, a person's match."""

from __future__ import annotations

import pytest
from django.db import transaction

from payables.approvals.models import ApprovalStep
from payables.approvals.services import approve_step, reject_step, route_new_invoice
from payables.conftest import ApiClient
from payables.invoices.models import AuditEntry, Invoice
from payables.masterdata.schemas import UserIn
from payables.masterdata.services.users import create_user
from payables.orders.tests.matching_cases import (
    invoice_body,
    match_of,
    order_lines,
    post_invoice,
    row,
)
from payables.tenancy.actors import Actor
from payables.tenancy.models import CompanyUser
from payables.tenancy.services import update_company

PO = "PO-2026-001"


def _paper(quantity: str, price: str = "12.50") -> dict:
    return row("Paper A4, box of 5 reams", quantity, price)


@pytest.fixture
def requester(actor: Actor) -> CompanyUser:
    """The order's requester, an approver who may approve last."""
    data = UserIn(
        code="REQ-1", name="Riina Requester", email="riina@example.com", roles=["approver"],
        can_be_last_approver=True,
    )  # fmt: skip
    return create_user(data.model_dump(), actor=actor)


def _act_as(user: CompanyUser, invoice: dict, *, approve: bool = True) -> None:
    step = ApprovalStep.objects.get(invoice_id=invoice["id"], is_current=True)
    assert step.approver_id == user.pk
    actor = Actor.for_user(user)
    if approve:
        approve_step(step, actor=actor)
    else:
        reject_step(step, actor=actor, reason="Not what we ordered")


def test_a_discrepancy_goes_to_the_order_s_requester_with_its_reasons(
    api: ApiClient, make_order, supplier, requester
):
    make_order(requester="REQ-1")
    invoice = post_invoice(api, invoice_body(supplier, "INV-1", [_paper("12")], order_number=PO))
    assert invoice["status"] == "assigned"
    step = ApprovalStep.objects.get(invoice_id=invoice["id"])
    assert (step.approver_id, step.level) == (requester.pk, 3)
    routed = AuditEntry.objects.get(invoice_id=invoice["id"], action="routed")
    assert routed.comment.startswith(f"PO {PO} discrepancy to its requester: Row 1 bills 12")


def test_a_matched_invoice_is_not_sent_to_the_requester(
    api: ApiClient, make_order, supplier, requester
):
    make_order(requester="REQ-1")
    invoice = post_invoice(api, invoice_body(supplier, "INV-2", [_paper("10")], order_number=PO))
    assert invoice["status"] == "new"  # no routing rule: unassigned, as any invoice
    assert not ApprovalStep.objects.filter(invoice_id=invoice["id"]).exists()


def test_a_match_within_tolerance_is_approved_when_the_company_wants(
    api: ApiClient, make_order, supplier, company
):
    update_company(company, {"auto_approve_matched": True})
    order = make_order()
    invoice = post_invoice(api, invoice_body(supplier, "INV-3", [_paper("10")], order_number=PO))
    assert invoice["status"] == "approved"
    entry = AuditEntry.objects.get(invoice_id=invoice["id"], action="invoice_approved")
    assert entry.comment == f"matched PO {PO} within tolerance"
    # Approved: its quantities are invoiced now.
    assert order_lines(api, order)["1"] == ("0", "10")
    assert order_lines(api, order)["status"] == "partially_invoiced"
    assert match_of(api, invoice)["counted"] is True

    over = post_invoice(api, invoice_body(supplier, "INV-4", [_paper("1")], order_number=PO))
    assert (over["status"], over["po_match_status"]) == ("new", "discrepancy")


def test_an_invoice_needing_review_is_not_approved_automatically(
    api: ApiClient, make_order, supplier, company, actor: Actor
):
    make_order()
    invoice = post_invoice(api, invoice_body(supplier, "INV-5", [_paper("10")], order_number=PO))
    assert (invoice["status"], invoice["po_match_status"]) == ("new", "matched")
    update_company(company, {"auto_approve_matched": True})
    stored = Invoice.objects.get(pk=invoice["id"])
    stored.needs_review = True  # as an import with findings leaves it
    stored.save(update_fields=["needs_review"])
    with transaction.atomic():
        route_new_invoice(Invoice.objects.get(pk=invoice["id"]), actor=actor)
    assert Invoice.objects.get(pk=invoice["id"]).status == "new"


def test_quantities_count_on_approval_and_are_released_on_cancellation(
    api: ApiClient, make_order, supplier, requester
):
    order = make_order(requester="REQ-1")
    invoice = post_invoice(api, invoice_body(supplier, "INV-6", [_paper("12")], order_number=PO))
    _act_as(requester, invoice)  # the requester accepts the over-delivery
    assert Invoice.objects.get(pk=invoice["id"]).status == "approved"
    assert order_lines(api, order)["1"] == ("0", "12")

    cancelled = api.post(f"/invoices/{invoice['id']}/cancel", {"reason": "Sent by mistake"})
    assert cancelled.status_code == 200, cancelled.content
    assert order_lines(api, order)["1"] == ("0", "0")
    assert order_lines(api, order)["status"] == "open"
    again = post_invoice(api, invoice_body(supplier, "INV-7", [_paper("10")], order_number=PO))
    assert again["po_match_status"] == "matched"


def test_a_rejected_invoice_frees_what_it_held(api: ApiClient, make_order, supplier, requester):
    make_order(requester="REQ-1")
    first = post_invoice(api, invoice_body(supplier, "INV-8", [_paper("12")], order_number=PO))
    held = post_invoice(api, invoice_body(supplier, "INV-9", [_paper("1")], order_number=PO))
    assert held["po_match_status"] == "discrepancy"
    _act_as(requester, first, approve=False)
    freed = post_invoice(api, invoice_body(supplier, "INV-10", [_paper("10")], order_number=PO))
    assert freed["po_match_status"] == "matched"


def test_export_counts_once_and_the_feed_shows_the_match(
    api: ApiClient, make_order, supplier, company
):
    update_company(company, {"auto_approve_matched": True})
    order = make_order()
    invoice = post_invoice(api, invoice_body(supplier, "INV-11", [_paper("4")], order_number=PO))
    exported = api.post("/invoices/export", {"invoices": [invoice["id"]]})
    assert exported.status_code == 200, exported.content
    assert order_lines(api, order)["1"] == ("0", "4")  # counted on approval, not again
    feed = api.get("/feeds/exported").json()
    match = feed["items"][0]["purchase_order_match"]
    assert (match["status"], match["purchase_order_number"]) == ("matched", PO)
    assert match["lines"][0]["order_lines"][0]["quantity"] == "4"


def test_a_credit_note_takes_back_invoiced_quantity(api: ApiClient, make_order, supplier, company):
    update_company(company, {"auto_approve_matched": True})
    order = make_order()
    post_invoice(api, invoice_body(supplier, "INV-12", [_paper("10")], order_number=PO))
    credit = invoice_body(supplier, "CN-1", [_paper("2")], credit=True, order_number=PO)
    credited = post_invoice(api, credit)
    assert (credited["po_match_status"], credited["status"]) == ("matched", "approved")
    assert match_of(api, credited)["lines"][0]["quantity"] == "-2"
    assert order_lines(api, order)["1"] == ("0", "8")

    too_much = invoice_body(supplier, "CN-2", [_paper("9")], credit=True, order_number=PO)
    refused = post_invoice(api, too_much)
    assert refused["po_match_status"] == "discrepancy"
    assert match_of(api, refused)["lines"][0]["reasons"][0]["code"] == "over_credited"


def test_the_order_changed_after_a_partial_invoice(api: ApiClient, make_order, supplier, company):
    update_company(company, {"auto_approve_matched": True})
    order = make_order()
    post_invoice(api, invoice_body(supplier, "INV-13", [_paper("6")], order_number=PO))
    shown = api.get(f"/purchase-orders/{order['id']}").json()
    lines = [
        {k: v for k, v in line.items() if k in ("line_id", "description", "unit_price")}
        for line in shown["lines"]
    ]
    lines[0] |= {"quantity": "5", "unit_price": "13.00"}
    lines[1] |= {"quantity": "1", "net_amount": "20.00"}
    below = api.patch(f"/purchase-orders/{order['id']}", {"lines": lines})
    assert below.status_code == 422  # 6 were invoiced already
    assert below.json()["detail"][0]["loc"] == ["body", "lines", 0, "quantity"]
    lines[0]["quantity"] = "15"
    assert api.patch(f"/purchase-orders/{order['id']}", {"lines": lines}).status_code == 200
    # The rest is billed at the new price and quantity.
    rest = [_paper("9", "13.00")]
    second = post_invoice(api, invoice_body(supplier, "INV-14", rest, order_number=PO))
    assert second["po_match_status"] == "matched"
    assert order_lines(api, order)["1"] == ("0", "15")


def test_a_person_matches_and_unmatches(api: ApiClient, make_order, supplier):
    make_order()
    make_order(number="PO-2026-002")
    rows = [row("Misc", "2", "12.50")]
    invoice = post_invoice(api, invoice_body(supplier, "INV-15", rows))
    assert invoice["po_match_status"] == "no_po"  # two open orders: none guessed
    path = f"/invoices/{invoice['id']}/purchase-order-match"

    chosen = api.put(path, {"order": "PO-2026-002", "lines": [{"row": 1, "line_id": "1"}]})
    assert chosen.status_code == 200, chosen.content
    body = chosen.json()
    assert (body["status"], body["manual"], body["purchase_order_number"]) == (
        "matched",
        True,
        "PO-2026-002",
    )
    assert body["lines"][0]["found_by"] == "line_id"
    assert Invoice.objects.get(pk=invoice["id"]).po_match_status == "matched"

    none = api.delete(path)
    assert (none.status_code, none.json()["status"], none.json()["manual"]) == (200, "no_po", True)
    assert api.get(path).json()["status"] == "no_po"


def test_bad_manual_matches_are_located_and_change_nothing(api: ApiClient, make_order, supplier):
    make_order()
    invoice = post_invoice(api, invoice_body(supplier, "INV-16", [_paper("10")], order_number=PO))
    path = f"/invoices/{invoice['id']}/purchase-order-match"
    before = api.get(path).json()
    cases = [
        ({"order": "NOPE"}, ["body", "order"]),
        ({"order": PO, "lines": [{"row": 9, "line_id": "1"}]}, ["body", "lines", 0, "row"]),
        ({"order": PO, "lines": [{"row": 1, "line_id": "77"}]}, ["body", "lines", 0, "line_id"]),
        ({"order": PO, "lines": [{"row": 1, "line_id": "1", "quantity": "0"}]},
         ["body", "lines", 0, "quantity"]),
        ({"order": PO, "lines": [{"row": 0, "line_id": "1"}]}, ["body", "lines", 0, "row"]),
        ({"order": None, "lines": [{"row": 1, "line_id": "1"}]}, ["body", "order"]),
    ]  # fmt: skip
    for body, loc in cases:
        answer = api.put(path, body)
        assert answer.status_code == 422, (body, answer.content)
        assert answer.json()["detail"][0]["loc"] == loc, body
    assert api.get(path).json()["matched_at"] == before["matched_at"]


def test_a_settled_match_no_longer_changes(api: ApiClient, make_order, supplier, company):
    update_company(company, {"auto_approve_matched": True})
    make_order()
    invoice = post_invoice(api, invoice_body(supplier, "INV-17", [_paper("10")], order_number=PO))
    answer = api.delete(f"/invoices/{invoice['id']}/purchase-order-match")
    assert (answer.status_code, answer.json()["code"]) == (409, "match_not_changeable")


def test_another_company_s_invoice_is_not_found(
    api: ApiClient, other_api: ApiClient, make_order, supplier
):
    make_order()
    invoice = post_invoice(api, invoice_body(supplier, "INV-18", [_paper("1")], order_number=PO))
    assert other_api.get(f"/invoices/{invoice['id']}/purchase-order-match").status_code == 404


def test_tolerance_bad_input_is_located(api: ApiClient, supplier):
    cases = [
        ({"price_percent": "-1"}, ["body", "price_percent"]),
        ({"price_amount": "abc"}, ["body", "price_amount"]),
        ({"total_amount": "1.123456"}, ["body", "total_amount"]),
        ({"quantity_percent": "1001"}, ["body", "quantity_percent"]),
        ({"bogus": 1}, ["body", "bogus"]),
    ]
    for body, loc in cases:
        answer = api.put("/match-tolerances/company", body)
        assert answer.status_code == 422, (body, answer.content)
        assert answer.json()["detail"][0]["loc"] == loc, body
    assert api.get("/match-tolerances").json() == []
    unknown = "/match-tolerances/suppliers/7b0c2b4e-4a55-4f4e-9d51-0d0f6d0a5d11"
    assert api.put(unknown, {}).status_code == 404


def test_a_person_s_match_holds_until_the_rows_change(api: ApiClient, make_order, supplier):
    make_order()
    make_order(number="PO-2026-002")
    body = invoice_body(supplier, "INV-19", [row("Misc", "2", "12.50")])
    invoice = post_invoice(api, body)
    path = f"/invoices/{invoice['id']}/purchase-order-match"
    api.put(path, {"order": "PO-2026-002", "lines": [{"row": 1, "line_id": "1"}]})
    unchanged = api.patch(f"/invoices/{invoice['id']}", {"due_date": "2026-12-31"})
    assert unchanged.status_code == 200, unchanged.content
    assert api.get(path).json()["manual"] is True  # routed again, the choice stays

    new_rows = invoice_body(supplier, "INV-19", [row("Misc", "3", "12.50")])
    changed = api.patch(f"/invoices/{invoice['id']}", new_rows)
    assert changed.status_code == 200, changed.content
    again = api.get(path).json()
    assert (again["manual"], again["status"]) == (False, "no_po")  # two open orders
