"""Coding: the posting lines an invoice is booked with, prebooking splits, rules, models.

Posting lines are what accounting receives: by default one per invoice row with the row's
coding, replaced by a person (``manual``), by prebooking splits (``prebooking``), or coded
by a rule (``rule:<id>``), a product item (``item``) or a learned suggestion
(``suggestion``). Their net and VAT reconcile with the invoice's to the cent.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models

from payables.invoices.models import Invoice
from payables.tenancy.models import Company

MONEY = {"max_digits": 19, "decimal_places": 4}
PERCENT = {"max_digits": 7, "decimal_places": 4}


class PostingLine(models.Model):
    """One transaction row: account, VAT code, dimensions and the amounts booked to them.

    ``vat_amount`` is the VAT the invoice charges on the line; ``reverse_charge_vat_amount``
    the VAT the buyer self-assesses (reverse charge: output and input side). Of the input
    VAT, ``deductible_vat_amount`` is reclaimed and ``non_deductible_vat_amount`` is a
    cost, added to the expense: ``expense_amount`` = net + non-deductible VAT.
    """

    class Source(models.TextChoices):
        ROW = "row"
        ITEM = "item"
        RULE = "rule"  # stored as ``rule:<rule id>``
        SUGGESTION = "suggestion"
        MANUAL = "manual"
        PREBOOKING = "prebooking"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="posting_lines")
    position = models.PositiveIntegerField()
    source = models.CharField(
        max_length=60, help_text="row, item, rule:<id>, suggestion, manual or prebooking."
    )
    row_position = models.PositiveIntegerField(
        null=True, blank=True, help_text="The invoice row the line was derived from."
    )
    description = models.CharField(max_length=1000, blank=True)
    account_code = models.CharField(max_length=50, blank=True)
    vat_code = models.CharField(max_length=50, blank=True)
    dimensions = models.JSONField(default=dict, blank=True)
    net_amount = models.DecimalField(**MONEY)
    vat_amount = models.DecimalField(**MONEY, default=Decimal(0))
    reverse_charge_vat_amount = models.DecimalField(**MONEY, default=Decimal(0))
    deductible_vat_amount = models.DecimalField(**MONEY, default=Decimal(0))
    non_deductible_vat_amount = models.DecimalField(**MONEY, default=Decimal(0))
    expense_amount = models.DecimalField(**MONEY, default=Decimal(0))
    set_by_person = models.BooleanField(
        default=False,
        help_text="Set or accepted by a person or an integrator (posting lines, prebooking, an "
        "accepted suggestion): kept while it still adds up to the invoice's totals.",
    )
    confidence = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="The probability of an applied suggestion.",
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="posting_line_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.account_code} {self.net_amount}"


class PrebookingSplit(models.Model):
    """A share of the invoice's gross, as the person gave it: a percent or a sum."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="prebooking_splits")
    position = models.PositiveIntegerField()
    percent = models.DecimalField(**PERCENT, null=True, blank=True)
    sum = models.DecimalField(**MONEY, null=True, blank=True)
    account_code = models.CharField(max_length=50)
    vat_code = models.CharField(max_length=50, blank=True)
    dimensions = models.JSONField(default=dict, blank=True)
    description = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="prebooking_split_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.percent or self.sum} to {self.account_code}"


class CodingRule(models.Model):
    """An autotransaction: when every condition holds, code the line with the actions.

    Rules apply in ``position`` order on creation and import, to lines without explicit
    coding; the first rule whose conditions hold codes the line.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    conditions = models.JSONField(default=dict, blank=True)
    actions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["position", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name"], name="coding_rule_name_unique_per_company"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CodingModel(models.Model):
    """A company's learned coding model, trained in the worker on its booked history."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    trained_at = models.DateTimeField()
    sample_count = models.PositiveIntegerField(help_text="Lines it was trained on.")
    booked_count = models.PositiveIntegerField(
        help_text="The company's booked invoices when it was trained."
    )
    engine_version = models.CharField(max_length=20)
    payload = models.BinaryField(help_text="The serialised model.")

    def __str__(self) -> str:
        return f"model of {self.company_id} ({self.sample_count} lines)"
