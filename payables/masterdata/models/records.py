"""What every coded master data record shares: public id, company, own code, active flag."""

from __future__ import annotations

import uuid

from django.db import models

from payables.tenancy.models import Company

# Decimal money columns, as invoices store them: 15 integer digits, 4 decimals.
MONEY = {"max_digits": 19, "decimal_places": 4}
# Percentages such as VAT rates and shares: 0-100 with 4 decimals.
PERCENT = {"max_digits": 7, "decimal_places": 4}


class RecordQuerySet(models.QuerySet):
    def for_company(self, company: Company) -> RecordQuerySet:
        return self.filter(company=company)


class CodedRecord(models.Model):
    """A master data record the company names by its own ``code``.

    Each concrete model declares its ``<kind>_code_unique_per_company`` constraint and
    ``subject_type``, the name its events carry.
    """

    subject_type = ""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=50, help_text="The company's own code.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code", "id"]

    def __str__(self) -> str:
        return self.code
