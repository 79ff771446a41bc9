"""Tenants (companies), the client systems that act for them, and their API keys."""

from __future__ import annotations

import uuid

from django.db import models


class Company(models.Model):
    """A tenant: every business object belongs to exactly one company."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    registry_code = models.CharField(max_length=50, blank=True)
    vat_number = models.CharField(max_length=50, blank=True)
    home_currency = models.CharField(max_length=3, default="EUR")
    country = models.CharField(max_length=2)
    einvoice_invalid_policy = models.CharField(
        max_length=20,
        choices=[
            ("refuse", "Refuse the document"),
            ("needs_review", "Import it flagged for review"),
        ],
        default="refuse",
        help_text="What to do with an e-invoice that fails validation.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(
                fields=["country", "registry_code"],
                condition=~models.Q(registry_code=""),
                name="company_registry_code_unique_per_country",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Integrator(models.Model):
    """A client system (ERP, operator, scanning service) acting for one company."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="integrators")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name"], name="integrator_name_unique_per_company"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})"


class ApiKey(models.Model):
    """A secret an integrator sends as ``X-API-Key``; only its SHA-256 is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    integrator = models.ForeignKey(Integrator, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=200, blank=True)
    prefix = models.CharField(max_length=16, help_text="The visible start of the key.")
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.integrator.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Counter(models.Model):
    """A per-company sequence (invoice internal ids, event cursors).

    Values are taken under a row lock, so they are gap-free and follow commit order
    within a company.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=50)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="counter_unique_per_company")
        ]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class IdempotencyKey(models.Model):
    """A POST remembered by its ``Idempotency-Key``, so a retry gets the first answer."""

    class State(models.TextChoices):
        RUNNING = "running"
        DONE = "done"

    integrator = models.ForeignKey(Integrator, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    response_body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["integrator", "key"], name="idempotency_key_unique_per_integrator"
            )
        ]

    def __str__(self) -> str:
        return self.key
