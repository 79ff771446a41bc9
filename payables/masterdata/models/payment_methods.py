"""Payment methods: how and from which bank account the company pays."""

from __future__ import annotations

from django.db import models

from payables.masterdata.models.records import CodedRecord


class PaymentMethod(CodedRecord):
    """A way of paying invoices, optionally from one of the company's bank accounts."""

    subject_type = "payment_method"

    name = models.CharField(max_length=200)
    bank_account = models.CharField(max_length=34, blank=True, help_text="IBAN, compact.")

    class Meta(CodedRecord.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"], name="payment_method_code_unique_per_company"
            )
        ]
