"""VAT codes: the rates and treatments the company books purchases and sales with."""

from __future__ import annotations

from django.db import models

from payables.masterdata.models.records import PERCENT, CodedRecord


class VatCode(CodedRecord):
    """A VAT rate with its treatment, valid between optional dates."""

    subject_type = "vat_code"

    class Kind(models.TextChoices):
        PURCHASES = "purchases"
        SALES = "sales"

    rate = models.DecimalField(**PERCENT, help_text="Percent, 0-100.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PURCHASES)
    is_reverse_charge = models.BooleanField(default=False)
    non_deductible_share = models.DecimalField(
        **PERCENT, default=0, help_text="Percent of the VAT that cannot be deducted, 0-100."
    )
    description = models.CharField(max_length=500, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta(CodedRecord.Meta):
        verbose_name = "VAT code"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"], name="vat_code_code_unique_per_company"
            )
        ]
