"""Reads for Fennoa's answers, over the apps' own query functions (no writes here)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from payables.approvals.models import ApprovalStep
from payables.approvals.queries import chain_of
from payables.invoices.errors import InvoiceNotFound
from payables.invoices.models import Attachment, Invoice
from payables.invoices.queries import invoices_with_details
from payables.tenancy.models import Company


def with_fennoa_facts(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Add what Fennoa's invoice states besides the invoice's own fields, in one query.

    ``fennoa_has_earlier``: the supplier sent an earlier invoice (not cancelled), so this is
    not their first; ``fennoa_files``: its stored files, in the order they came.
    """
    earlier = Invoice.objects.filter(
        company=OuterRef("company"),
        supplier=OuterRef("supplier"),
        internal_id__lt=OuterRef("internal_id"),
    ).exclude(status=Invoice.Status.CANCELLED)
    files = Attachment.objects.filter(kind=Attachment.Kind.FILE).order_by("internal_id", "pk")
    return invoices.annotate(fennoa_has_earlier=Exists(earlier)).prefetch_related(
        Prefetch("attachments", queryset=files, to_attr="fennoa_files")
    )


def fennoa_invoice(company: Company, internal_id: int) -> Invoice:
    """The company's invoice with this id (its ``internal_id``), as Fennoa's answers need it."""
    invoice = with_fennoa_facts(invoices_with_details(company)).filter(internal_id=internal_id)
    found = invoice.first()
    if found is None:
        raise InvoiceNotFound()
    return found


def fennoa_invoices_by_pk(company: Company, pks: list) -> dict:
    """Several of the company's invoices, by primary key, with Fennoa's facts."""
    found = with_fennoa_facts(invoices_with_details(company)).filter(pk__in=pks)
    return {invoice.pk: invoice for invoice in found}


def current_round(invoice: Invoice) -> list[ApprovalStep]:
    """The steps of the invoice's latest chain (a re-route starts a new one; older rounds
    are history, not the invoice's approvers)."""
    steps = chain_of(invoice)
    last = max((step.round for step in steps), default=None)
    return [step for step in steps if step.round == last]


def original_document(invoice: Invoice) -> Attachment | None:
    """The document the invoice was read from (the latest, if it was sent again)."""
    return (
        invoice.attachments.filter(is_original=True, kind=Attachment.Kind.FILE)
        .order_by("-created_at", "-pk")
        .first()
    )
