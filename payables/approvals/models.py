"""Approval chains of invoices and the company's routing rules that build them."""

from __future__ import annotations

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from payables.invoices.models import Invoice
from payables.tenancy.models import Company, CompanyUser

MONEY = {"max_digits": 19, "decimal_places": 4}


class Level(models.IntegerChoices):
    PRE_VERIFICATION = 3, "pre-verification"
    VERIFICATION = 2, "verification"
    APPROVAL = 1, "approval"


class ApprovalStep(models.Model):
    """One person's turn on an invoice. Steps are acted on in ``position`` order.

    A re-route starts a new ``round``; the steps of earlier rounds stay as history.
    ``is_current`` marks the one step per invoice waiting for its approver now: only an
    ``assigned`` invoice has one (every transition out of ``assigned`` ends it). The step
    that becomes current takes a copy of the invoice's queue sort keys (due date, internal
    id), which cannot change while it is assigned, so the approver's queue and its count
    are one range of one index, without reading an invoice.
    """

    class Status(models.TextChoices):
        WAITING = "waiting"
        APPROVED = "approved"
        REJECTED = "rejected"
        SKIPPED = "skipped"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="approval_steps")
    internal_id = models.BigIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="Sequential number within the company, for APIs that name approvals by "
        "an integer (the Fennoa-compatible API).",
    )
    round = models.PositiveIntegerField(default=1)
    position = models.PositiveIntegerField()
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    approver = models.ForeignKey(
        CompanyUser, on_delete=models.PROTECT, related_name="approval_steps"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    is_current = models.BooleanField(default=False)
    comment = models.CharField(max_length=200, blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)
    acted_by = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The queue's sort keys, copied from the invoice when the step becomes current.
    invoice_due_date = models.DateField(null=True, blank=True, editable=False)
    invoice_internal_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "round", "position"], name="approval_step_position_unique"
            ),
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(is_current=True), name="one_current_step"
            ),
            models.UniqueConstraint(
                fields=["company", "internal_id"], name="approval_step_internal_id_unique"
            ),
        ]
        indexes = [
            # The approver's queue in its order: oldest due date first.
            models.Index(
                fields=["approver", "invoice_due_date", "invoice_internal_id"],
                condition=Q(is_current=True),
                name="approval_step_queue_order_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} #{self.round}.{self.position} {self.status}"


class RoutingRule(models.Model):
    """When an invoice matches every condition set here, these approvers get it.

    Rules are tried in ``position`` order; the first match wins. The company's default
    rule (at most one) applies when none matches. Conditions left empty match anything.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False)
    supplier_ids = models.JSONField(default=list, blank=True, help_text="Supplier UUIDs.")
    min_amount = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Gross in home currency, inclusive."
    )
    max_amount = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Gross in home currency, exclusive."
    )
    currencies = models.JSONField(default=list, blank=True)
    dimension_values = models.JSONField(
        default=dict,
        blank=True,
        help_text="Dimension type code → value codes; a row carrying one of them matches.",
    )
    custom_field_values = models.JSONField(
        default=dict, blank=True, encoder=DjangoJSONEncoder, help_text="Field code → values."
    )
    approvers = models.JSONField(
        default=list, help_text='Ordered [{"user_id": UUID, "level": 3|2|1}].'
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["position", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=Q(is_default=True), name="one_default_rule"
            ),
            models.UniqueConstraint(fields=["company", "name"], name="routing_rule_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name
