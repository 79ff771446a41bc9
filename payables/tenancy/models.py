"""Tenants (companies), the people and client systems that act for them, and their API keys."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


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
            ("review", "Import it flagged for review"),
            ("refuse", "Refuse the document"),
        ],
        default="review",
        help_text=(
            "What to do with an e-invoice that fails validation but can be read with "
            "determinate totals: import it for an accountant to review, or refuse it."
        ),
    )
    einvoice_other_buyer_policy = models.CharField(
        max_length=20,
        choices=[
            ("review", "Import it flagged for review"),
            ("refuse", "Refuse the document"),
        ],
        default="review",
        help_text=(
            "What to do with an e-invoice whose buyer's VAT number or registry code is not "
            "the company's own: import it for an accountant to review, or refuse it."
        ),
    )
    auto_export_on_approval = models.BooleanField(
        default=False, help_text="Export an invoice to accounting as soon as it is approved."
    )
    digitized_invoice_policy = models.CharField(
        max_length=20,
        choices=[
            ("create", "Create the invoice, flagged for review when a key field is unsure"),
            ("create_validated", "Create it only when every key field is validated"),
            ("review", "Leave every digitized document for review"),
        ],
        default="create",
        help_text=(
            "What a digitized document becomes: an invoice at once (flagged for review "
            "when a key field is missing or unsure), an invoice only when every key field "
            "is validated, or always a document waiting for an accountant's review."
        ),
    )
    coding_change_restarts_chain = models.BooleanField(
        default=True,
        help_text=(
            "Restart an invoice's approval chain when its coding changes during approval "
            "and a routing rule depends on what changed (a dimension, an account)."
        ),
    )
    approvers_may_code = models.BooleanField(
        default=False,
        help_text=(
            "Let approvers change the coding of the invoices waiting for them, within the "
            "accounts and dimension values each is allowed."
        ),
    )
    suggestion_auto_apply_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=(
            "Apply a learned suggestion to an uncoded line automatically when its "
            "probability is at least this (0-1); empty: never (the default)."
        ),
    )
    coding_retrain_after = models.PositiveIntegerField(
        default=50,
        help_text="Retrain the company's coding model after this many new bookings.",
    )
    po_matching = models.CharField(
        max_length=20,
        choices=[
            ("two_way", "Two-way: order and invoice"),
            ("three_way", "Three-way: order, goods receipt and invoice"),
        ],
        default="two_way",
        help_text=(
            "How invoices are checked against purchase orders: against what was ordered "
            "(two-way), or against what was ordered and received (three-way)."
        ),
    )
    auto_approve_matched = models.BooleanField(
        default=False,
        help_text=(
            "Approve an invoice without a chain when it matches its purchase order within "
            "the tolerances (and needs no review)."
        ),
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


class Role(models.TextChoices):
    """What a company user may do; ``payables.tenancy.permissions`` says what each allows."""

    APPROVER = "approver"
    ACCOUNTANT = "accountant"
    ADMIN = "admin"


ROLES = tuple(Role.values)  # the order a user's roles are stored in


class CompanyUserQuerySet(models.QuerySet):
    def for_company(self, company: Company) -> CompanyUserQuerySet:
        return self.filter(company=company)


class CompanyUser(models.Model):
    """A person of the company; ``code`` is the HR/ERP id, ``login`` the web sign-in.

    Each person has a Django auth user of their own, never shared with another company,
    so one company cannot touch the sign-in of another's people. Their writes (records
    with events) are services of the master data app, which loads people in bulk too.
    """

    subject_type = "user"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=50, help_text="The company's own code.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254, blank=True, help_text="Lower case.")
    roles = models.JSONField(default=list, help_text=f"A sorted subset of {', '.join(ROLES)}.")
    can_be_last_approver = models.BooleanField(default=False)
    approval_limit_amount = models.DecimalField(
        max_digits=19,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="In the company's home currency; none: no limit.",
    )
    coding_accounts = models.JSONField(
        default=list,
        blank=True,
        help_text="Account codes this approver may code to; empty: any.",
    )
    coding_dimensions = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per dimension type, the value codes this approver may code to; absent: any.",
    )
    login = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="company_user",
    )

    objects = CompanyUserQuerySet.as_manager()

    class Meta:
        ordering = ["code", "id"]
        verbose_name = "user"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"], name="user_code_unique_per_company"
            ),
            models.UniqueConstraint(
                fields=["company", "email"],
                condition=~Q(email=""),
                name="user_email_unique_per_company",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ApiKey(models.Model):
    """A secret sent as ``X-API-Key``; only its SHA-256 is stored.

    A key belongs either to an integrator (a client system) or to one company user
    (a personal key: the user's own queue, and every action recorded as theirs).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    integrator = models.ForeignKey(
        Integrator, on_delete=models.CASCADE, related_name="api_keys", null=True, blank=True
    )
    user = models.ForeignKey(
        CompanyUser,
        on_delete=models.CASCADE,
        related_name="api_keys",
        null=True,
        blank=True,
        help_text="Set for a personal key.",
    )
    name = models.CharField(max_length=200, blank=True)
    prefix = models.CharField(max_length=16, help_text="The visible start of the key.")
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    granted_companies = models.ManyToManyField(
        Company,
        blank=True,
        related_name="+",
        help_text=(
            "Other companies an integrator's key serves (an accounting office's key): "
            "the feeds give their documents too, and uploads and reports may name them."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(integrator__isnull=False, user__isnull=True)
                | models.Q(integrator__isnull=True, user__isnull=False),
                name="api_key_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.owner_label})"

    @property
    def company(self) -> Company:
        return self.user.company if self.user_id else self.integrator.company

    @property
    def owner_label(self) -> str:
        if self.user_id:
            return f"user:{self.user.code}"
        return f"integrator:{self.integrator.name}"

    @property
    def effective_scopes(self) -> frozenset[str]:
        """What the key may do now: a personal key never more than its user's roles allow,
        so a role taken away later narrows the keys the user already holds."""
        if self.user_id:
            from payables.tenancy.permissions import personal_scopes

            return frozenset(self.scopes) & personal_scopes(self.user.roles)
        return frozenset(self.scopes)

    @property
    def is_active(self) -> bool:
        """Revoked keys, and personal keys of deactivated users, are refused."""
        return self.revoked_at is None and (self.user_id is None or self.user.is_active)


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

    # The owner of the key that sent it: an integrator, or a user for a personal key,
    # so one owner's stored answer is never replayed to another.
    integrator = models.ForeignKey(
        Integrator, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    user = models.ForeignKey(
        CompanyUser, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
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
                fields=["integrator", "key"],
                condition=models.Q(user__isnull=True),
                name="idempotency_key_unique_per_integrator",
            ),
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=models.Q(user__isnull=False),
                name="idempotency_key_unique_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.key
