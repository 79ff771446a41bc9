"""Custom invoice header fields the company adds, and the dated values of list fields."""

from __future__ import annotations

from django.db import models

from payables.masterdata.models.records import CodedRecord


class CustomField(CodedRecord):
    """An extra invoice header field; a ``list`` field takes one of its values' codes."""

    subject_type = "custom_field"

    class Type(models.TextChoices):
        TEXT = "text"
        NUMBER = "number"
        DATE = "date"
        LIST = "list"

    name = models.CharField(max_length=200)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.TEXT)
    is_required = models.BooleanField(default=False)

    class Meta(CodedRecord.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"], name="custom_field_code_unique_per_company"
            )
        ]


class CustomFieldValue(models.Model):
    """One choice of a list field, valid between optional dates."""

    field = models.ForeignKey(CustomField, on_delete=models.CASCADE, related_name="values")
    code = models.CharField(max_length=50)
    description = models.CharField(max_length=500, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["field", "code"], name="custom_field_value_code_unique_per_field"
            )
        ]

    def __str__(self) -> str:
        return self.code
