"""GET /approvals/queue is written from plain values: byte for byte the schema-built page."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from payables.approvals.models import ApprovalStep
from payables.approvals.queries import QUEUE_PAGE_SIZE, chain_lengths, queue_of
from payables.approvals.schemas import QueueEntryOut, summary_of
from payables.invoices.models import Invoice
from payables.json_encoding import PreciseJSONEncoder
from payables.masterdata.services.suppliers import create_supplier
from payables.schema_types import Page, PageParams, paginate
from payables.tenancy.models import CompanyUser

YEN = {
    "currency": "JPY", "currency_rate": "0.0061", "net_amount": "1000", "vat_amount": "100",
    "gross_amount": "1100", "rows": [{"description": "Tea", "net_amount": "1000"}],
    "vat_breakdown": [{"vat_rate": "10", "base_amount": "1000", "vat_amount": "100"}],
}  # fmt: skip
CREDIT_NOTE = {
    "type": "credit_note", "net_amount": "-100.00", "vat_amount": "-22.00",
    "gross_amount": "-122.00", "rows": [{"description": "Returned paper", "net_amount": "-100.00"}],
    "vat_breakdown": [{"vat_rate": "22", "base_amount": "-100.00", "vat_amount": "-22.00"}],
}  # fmt: skip


def _schema_page(user: CompanyUser, page: int, modified_after: datetime | None) -> str:
    """The page as ``QueueEntryOut`` and ``summary_of`` build it from model instances."""
    steps = queue_of(user, modified_after=modified_after)
    found, count = paginate(steps, PageParams(page=page, page_size=QUEUE_PAGE_SIZE))
    lengths = chain_lengths(found)
    items = [
        QueueEntryOut(
            step_id=s.id,
            level=s.level,
            position=s.position,
            steps_in_chain=lengths[(s.invoice_id, s.round)],
            invoice=summary_of(s.invoice),
        )
        for s in found
    ]
    built = Page[QueueEntryOut](items=items, count=count).model_dump()
    return json.dumps(built, cls=PreciseJSONEncoder)


@pytest.fixture
def varied_queues(make_user, make_rule, make_invoice, as_user, actor, api, invoice_payload):
    """Two approvers' queues over two pages: currencies of 0 and 2 decimals, a credit note,
    no due date, a supplier whose name needs escaping, chains of two steps and a re-routed
    one of a single step in its second round."""
    ann, bob = make_user("ANN", last=False), make_user("BOB")
    make_rule("two steps", [(ann, 2), (bob, 1)], is_default=True)
    odd = create_supplier(
        {"name": 'Öko "Paber" & Co ✓ <OÜ>', "country": "FI"},
        actor=actor,
    )
    invoices = [
        make_invoice(currency="SEK", currency_rate="0.0868"),
        make_invoice(**YEN),
        make_invoice(**CREDIT_NOTE),
        make_invoice(due_date=None),
    ]
    made = api.post("/invoices", invoice_payload(supplier_id=str(odd.id), due_date="2026-11-03"))
    invoices.append(Invoice.objects.get(pk=made.json()["id"]))
    invoices += [make_invoice(due_date=f"2026-12-{1 + n % 28:02d}") for n in range(30)]
    ann_api = as_user(ann)
    for invoice in invoices[::3]:  # to Bob's queue
        step = ApprovalStep.objects.get(invoice=invoice, approver=ann, is_current=True)
        assert ann_api.post(f"/approvals/{step.id}/approve").status_code == 200
    rerouted = invoices[1]
    step = ApprovalStep.objects.get(invoice=rerouted, approver=ann, is_current=True)
    assert ann_api.post(f"/approvals/{step.id}/reject", {"reason": "ask Bob"}).status_code == 200
    make_rule("yen to Bob alone", [(bob, 1)], currencies=["JPY"])
    accountant = as_user(make_user("ACC", roles=("accountant",)))
    assert accountant.post(f"/invoices/{rerouted.id}/reroute").status_code == 200
    Invoice.objects.filter(pk=invoices[4].pk).update(modified_at=timezone.now() + timedelta(1))
    return ann, bob


@pytest.mark.django_db
def test_the_queue_page_is_the_schema_built_page(varied_queues, as_user):
    cutoff = timezone.now() + timedelta(hours=1)
    for user in varied_queues:
        api = as_user(user)
        for page, modified_after in ((1, None), (2, None), (3, None), (1, cutoff)):
            params = {"page": page} | (
                {"modified_after": modified_after.isoformat()} if modified_after else {}
            )
            answer = api.get("/approvals/queue", params)
            assert answer["Content-Type"] == "application/json; charset=utf-8"
            assert answer.content.decode() == _schema_page(user, page, modified_after), params
    ann, bob = varied_queues
    assert as_user(ann).get("/approvals/queue").json()["count"] == 22
    bobs = as_user(bob).get("/approvals/queue").json()["items"]
    assert sorted(e["steps_in_chain"] for e in bobs) == [1] + [2] * 12
    assert {e["invoice"]["currency"]: e["invoice"]["gross_amount"] for e in bobs} == {
        "SEK": "176.50", "EUR": "176.50", "JPY": "1100",
    }  # fmt: skip
