"""Attachments get a per-company sequential ``internal_id`` (integer-keyed APIs name them by it)."""

from __future__ import annotations

from payables.invoices.services import add_attachment


def test_attachments_are_numbered_across_the_companys_invoices(actor, make_invoice):
    one, two = make_invoice(), make_invoice()
    added = [
        add_attachment(invoice, actor=actor, content=b"x", filename="a.pdf").attachment
        for invoice in (one, two, one)
    ]
    added.append(add_attachment(two, actor=actor, url="https://example.com/a").attachment)
    assert [a.internal_id for a in added] == [1, 2, 3, 4]
