"""Reads of the approvals app: chains, steps, the approver's queue, rules, history."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db.models import Count, Func, IntegerField, OuterRef, QuerySet, Subquery

from payables.approvals.errors import RuleNotFound, StepNotFound
from payables.approvals.models import ApprovalStep, RoutingRule
from payables.invoices.models import AuditEntry, Invoice
from payables.tenancy.models import Company, CompanyUser

QUEUE_PAGE_SIZE = 20


def chain_of(invoice: Invoice) -> list[ApprovalStep]:
    """Every step of the invoice, all rounds, in the order they are acted on."""
    return list(invoice.approval_steps.select_related("approver").order_by("round", "position"))


def get_step(company: Company, step_id: UUID) -> ApprovalStep:
    step = (
        ApprovalStep.objects.select_related("invoice__company", "invoice__supplier", "approver")
        .filter(company=company, pk=step_id)
        .first()
    )
    if step is None:
        raise StepNotFound()
    return step


def get_step_by_internal_id(company: Company, internal_id: int) -> ApprovalStep:
    """The company's step with this sequential number (the approval id of integer-keyed APIs)."""
    step = (
        ApprovalStep.objects.select_related("invoice__company", "invoice__supplier", "approver")
        .filter(company=company, internal_id=internal_id)
        .first()
    )
    if step is None:
        raise StepNotFound()
    return step


class Queue:
    """An approver's queue as paginators read it: ``count()`` and slices of steps.

    Sorted and counted by the keys each current step copied from its invoice (only an
    assigned invoice has a current step), along one index, whatever the number of
    invoices. A slice finds its steps' ids along that index first and only then reads
    those steps with their invoices: a deep page joins no invoice of the pages before it.
    """

    def __init__(self, steps: QuerySet[ApprovalStep]) -> None:
        self.steps = steps

    def count(self) -> int:
        return self.steps.count()

    def __getitem__(self, page: slice) -> list[ApprovalStep]:
        ids = list(self.steps.values_list("pk", flat=True)[page])
        found = ApprovalStep.objects.select_related(
            "invoice__supplier", "invoice__company"
        ).in_bulk(ids)
        return [found[step_id] for step_id in ids]

    def entries(self, page: slice) -> list[dict]:
        """A page of the queue as plain values (``QUEUE_ENTRY_VALUES`` and
        ``steps_in_chain``), in one statement: the page's step ids along the index in a
        subquery, then only those steps joined to their invoices, suppliers and companies,
        each with the number of steps in its round."""
        ids = self.steps.values("pk")[page]
        in_round = (
            ApprovalStep.objects.filter(invoice_id=OuterRef("invoice_id"), round=OuterRef("round"))
            .order_by()
            .annotate(n=Func("pk", function="COUNT"))
            .values("n")
        )
        rows = (
            ApprovalStep.objects.filter(pk__in=ids)
            .annotate(steps_in_chain=Subquery(in_round, output_field=IntegerField()))
            .order_by(*self.steps.query.order_by)
        )
        return list(rows.values(*QUEUE_ENTRY_VALUES, "steps_in_chain"))


# What a queue entry shows of its step and invoice: ``queue_page`` writes the page from them.
QUEUE_ENTRY_VALUES = (
    "id", "level", "position", "invoice_id", "invoice__internal_id", "invoice__invoice_number",
    "invoice__status", "invoice__supplier_id", "invoice__supplier__name",
    "invoice__invoice_date", "invoice__due_date", "invoice__currency", "invoice__gross_amount",
    "invoice__home_gross_amount", "invoice__company__home_currency", "invoice__modified_at",
)  # fmt: skip


def queue_of(user: CompanyUser, *, modified_after: datetime | None = None) -> Queue:
    """Steps waiting for this user now, oldest due date first (then oldest invoice)."""
    steps = ApprovalStep.objects.filter(approver=user, is_current=True)
    if modified_after is not None:
        steps = steps.filter(invoice__modified_at__gt=modified_after)
    return Queue(steps.order_by("invoice_due_date", "invoice_internal_id"))


def is_waiting_for(invoice: Invoice, user: CompanyUser) -> bool:
    """Whether the invoice's current step is this user's (coding asks, for approvers)."""
    return ApprovalStep.objects.filter(
        invoice=invoice, approver=user, is_current=True, invoice__status=Invoice.Status.ASSIGNED
    ).exists()


def chain_lengths(steps: list[ApprovalStep]) -> dict[tuple, int]:
    """Steps per (invoice, round) for a page of queue entries."""
    rows = (
        ApprovalStep.objects.filter(invoice_id__in={s.invoice_id for s in steps})
        .values("invoice_id", "round")
        .annotate(n=Count("id"))
    )
    return {(r["invoice_id"], r["round"]): r["n"] for r in rows}


def unassigned(company: Company) -> QuerySet:
    """New invoices no routing rule gave a chain to."""
    return (
        Invoice.objects.filter(company=company, status=Invoice.Status.NEW)
        .select_related("supplier", "company")
        .order_by("internal_id")
    )


def history_of(invoice: Invoice) -> QuerySet[AuditEntry]:
    return invoice.audit_entries.order_by("at", "pk")


def rules_of(company: Company) -> QuerySet[RoutingRule]:
    return RoutingRule.objects.filter(company=company)


def get_rule(company: Company, rule_id: UUID) -> RoutingRule:
    rule = RoutingRule.objects.filter(company=company, pk=rule_id).first()
    if rule is None:
        raise RuleNotFound()
    return rule
