"""The chart of accounts."""

from __future__ import annotations

from django.db import models

from payables.masterdata.models.records import CodedRecord
from payables.masterdata.models.vat_codes import VatCode


class Account(CodedRecord):
    """A ledger account invoice rows are booked to."""

    subject_type = "account"

    class Type(models.TextChoices):
        EXPENSE = "expense"
        ASSET = "asset"
        LIABILITY = "liability"
        EQUITY = "equity"
        REVENUE = "revenue"
        OTHER = "other"

    name = models.CharField(max_length=200)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.EXPENSE)
    default_vat_code = models.ForeignKey(
        VatCode, on_delete=models.PROTECT, null=True, blank=True, related_name="accounts"
    )

    class Meta(CodedRecord.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"], name="account_code_unique_per_company"
            )
        ]
