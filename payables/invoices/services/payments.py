"""Record payments against invoices; the amount due follows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from payables.errors import FieldError
from payables.events import event_types
from payables.events.services import lock_company_writes
from payables.invoices import lifecycle
from payables.invoices.coding import judge_account
from payables.invoices.errors import InvoiceNotEditable, Overpayment
from payables.invoices.lifecycle import lock_invoice
from payables.invoices.models import Invoice, Payment
from payables.invoices.trail import add_audit_entry, record_invoice_event
from payables.money import ZERO, fits_scale, format_amount
from payables.tenancy.actors import Actor


def record_payment(
    invoice: Invoice,
    *,
    actor: Actor,
    amount: Decimal,
    payment_date: date,
    description: str = "",
    account_code: str = "",
) -> Payment:
    """Record a (partial) payment; paying more than is due is refused.

    A credit note is settled with negative payments (money coming back). A given
    ``account_code`` is checked against the chart of accounts as a row's account is (not
    when the company keeps none); without one the configured payment account is used.
    """
    with transaction.atomic():
        lock_company_writes(actor.company)
        invoice = lock_invoice(invoice)
        cur = invoice.currency
        if invoice.status in lifecycle.UNPAYABLE:
            raise InvoiceNotEditable(f"An invoice in state {invoice.status!r} cannot be paid.")
        if amount == ZERO:
            raise FieldError("A payment cannot be zero.", loc=["amount"], code="zero_payment")
        if not fits_scale(amount, cur):
            raise FieldError(
                f"{cur} amounts have fewer decimals.", loc=["amount"], code="amount_scale"
            )
        due = invoice.amount_due
        if (amount > 0) != (invoice.gross_amount > 0):
            raise FieldError(
                "A payment has the sign of the invoice total (negative for credit notes).",
                loc=["amount"],
                code="payment_sign",
            )
        if abs(amount) > abs(due):
            raise Overpayment(
                f"The payment {format_amount(amount, cur)} exceeds the amount due "
                f"{format_amount(due, cur)} {cur}.",
                loc=["amount"],
            )
        if account_code:
            problem = judge_account(
                actor.company, account_code, on=payment_date, loc=["account_code"]
            )
            if problem is not None:
                raise problem
        payment = Payment.objects.create(
            invoice=invoice,
            amount=amount,
            payment_date=payment_date,
            description=description,
            account_code=account_code or settings.PAYABLES_DEFAULT_PAYMENT_ACCOUNT,
        )
        invoice.paid_amount += amount
        invoice.save(update_fields=["paid_amount", "modified_at"])
        add_audit_entry(invoice, actor, "payment_recorded", comment=format_amount(amount, cur))
        record_invoice_event(
            event_types.PAYMENT_RECORDED,
            invoice,
            actor=actor,
            details={
                "payment_id": str(payment.id),
                "amount": format_amount(amount, cur),
                "payment_date": payment_date.isoformat(),
            },
        )
        if invoice.amount_due == ZERO:
            record_invoice_event(event_types.INVOICE_PAID, invoice, actor=actor)
    return payment
