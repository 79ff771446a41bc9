"""Record a Merit purchase: the invoice, its payment and its file, all or nothing.

Merit creates the document, its payment and its attachment in one call; payables has a
service for each. They run in one transaction here, so a payment or file that is refused
leaves no invoice behind (a file already written to storage may stay as an orphan, as
``add_attachment`` says).
"""

from __future__ import annotations

from django.db import transaction

from payables.compat.merit.mapping import Purchase
from payables.invoices.models import Invoice
from payables.invoices.services import (
    add_attachment,
    create_invoice,
    find_or_create_supplier,
    record_payment,
)
from payables.tenancy.actors import Actor


def record_purchase(purchase: Purchase, *, actor: Actor) -> Invoice:
    """Create the invoice (state ``new``), then its payment and attachment, if any."""
    metadata = purchase.metadata
    with transaction.atomic():
        if purchase.receiver is not None:
            receiver = find_or_create_supplier(purchase.receiver, actor=actor, loc=("receiver",))
            metadata = {"merit": metadata["merit"] | {"ReceiverId": str(receiver.id)}}
        invoice = create_invoice(purchase.invoice, actor=actor, source={"metadata": metadata})
        if purchase.payment is not None:
            plan = purchase.payment
            record_payment(
                invoice,
                actor=actor,
                amount=invoice.gross_amount if plan.amount is None else plan.amount,
                payment_date=plan.payment_date,
                description=plan.method,
            )
        if purchase.file is not None:
            add_attachment(
                invoice,
                actor=actor,
                content=purchase.file.content,
                filename=purchase.file.filename,
                content_type="application/pdf" if purchase.file.content[:5] == b"%PDF-" else "",
            )
    return invoice
