"""Bulk loads of master data, run by the worker a chunk at a time."""

from __future__ import annotations

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from payables.masterdata.models.dimensions import DimensionType
from payables.tenancy.models import Company, Integrator


class BulkJob(models.Model):
    """A load of up to 10,000 records of one kind, upserted by code in the background.

    The counts are updated with every chunk, so a poller sees the job progress. ``errors``
    keeps the first ``MAX_STORED_ERRORS`` problems; ``error_count`` counts them all.
    """

    class Kind(models.TextChoices):
        SUPPLIER = "supplier"
        ACCOUNT = "account"
        VAT_CODE = "vat_code"
        DIMENSION_TYPE = "dimension_type"
        DIMENSION_VALUE = "dimension_value"
        PAYMENT_METHOD = "payment_method"
        USER = "user"
        ITEM = "item"
        CUSTOM_FIELD = "custom_field"

    class Mode(models.TextChoices):
        UPSERT = "upsert"
        FULL = "full"  # also deactivates the records of the kind the load does not name

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Dimension values are loaded for one type; a full load deactivates within it only.
    dimension_type = models.ForeignKey(
        DimensionType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.UPSERT)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField()
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    deactivated_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="{index, code, loc, msg, type}")
    failure = models.TextField(blank=True, help_text="Why the job stopped, when it failed.")
    actor = models.CharField(max_length=300, help_text="Who submitted it, as events name them.")
    integrator = models.ForeignKey(
        Integrator, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "bulk job"

    def __str__(self) -> str:
        return f"{self.kind} {self.mode} ({self.state})"

    @property
    def processed(self) -> int:
        """Records done so far, refused ones included."""
        return self.created_count + self.updated_count + self.unchanged_count + self.failed_count


class BulkJobChunk(models.Model):
    """A slice of a job's records, as submitted; removed when the job finishes.

    Records live in the database beside their job rather than in file storage: a load is
    bounded (10,000 records, within the request size limit), it is committed together with
    its job so the worker never finds one without the other, and a chunk is read with
    the one query that also tells which chunk is next.
    """

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField()
    first_index = models.PositiveIntegerField(help_text="Index of its first record in the load.")
    # Numbers arrive as Decimal (never float) and are kept as strings, as the schemas accept.
    records = models.JSONField(encoder=DjangoJSONEncoder)
    # Index in the load → index of the earlier record with the same code.
    repeats = models.JSONField(default=dict, blank=True)
    is_done = models.BooleanField(default=False)
    # Of a full load: ids of the records the chunk names (written, unchanged or refused),
    # which stay active, and how many of its records name none (so may name any).
    named_ids = models.JSONField(default=list, blank=True)
    unnamed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "position"], name="bulk_job_chunk_position_unique_per_job"
            )
        ]

    def __str__(self) -> str:
        return f"chunk {self.position}"
