"""Approval steps get a per-company sequential ``internal_id`` (the approval id of Fennoa)."""

from __future__ import annotations

from payables.approvals.services import ApproverRequest, append_approvers


def test_steps_are_numbered_across_the_companys_invoices(actor, make_invoice, make_user):
    make_user("ANN", last=False)
    make_user("BOB")
    numbers = []
    for _ in range(2):
        invoice = make_invoice()
        requests = [ApproverRequest("ANN", 2), ApproverRequest("BOB", 1)]
        append_approvers(invoice, requests, actor=actor)
        numbers += [s.internal_id for s in invoice.approval_steps.order_by("position")]
    assert numbers == [1, 2, 3, 4]
