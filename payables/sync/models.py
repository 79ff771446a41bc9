"""The outbox: events written in the same transaction as the change they describe."""

from __future__ import annotations

from django.db import models

from payables.tenancy.models import Company


class Event(models.Model):
    """One business change. ``sequence`` is the company's feed cursor: gap-free, in commit order."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="events")
    sequence = models.BigIntegerField()
    type = models.CharField(max_length=50)
    subject_type = models.CharField(max_length=50)
    subject_id = models.UUIDField()
    actor = models.CharField(max_length=300)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "sequence"], name="event_sequence_unique_per_company"
            )
        ]
        indexes = [models.Index(fields=["company", "subject_id"], name="event_subject_idx")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.type}"
