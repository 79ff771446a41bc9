"""Dimensions: the types (department, project, cost centre, …) and their values."""

from __future__ import annotations

from django.db import models

from payables.masterdata.models.records import CodedRecord

# Created for every company the first time its dimensions are used (see services).
DEFAULT_DIMENSION_TYPES = {
    "department": "Department",
    "project": "Project",
    "cost_centre": "Cost centre",
}


class DimensionType(CodedRecord):
    """A way of slicing costs, such as department or project."""

    subject_type = "dimension_type"

    name = models.CharField(max_length=200)

    class Meta(CodedRecord.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"], name="dimension_type_code_unique_per_company"
            )
        ]


class DimensionValue(CodedRecord):
    """One value of a dimension type; its code is unique within the type."""

    subject_type = "dimension_value"

    type = models.ForeignKey(DimensionType, on_delete=models.PROTECT, related_name="values")
    name = models.CharField(max_length=200)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta(CodedRecord.Meta):
        ordering = ["type__code", "code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "code"], name="dimension_value_code_unique_per_type"
            )
        ]
