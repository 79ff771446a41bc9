"""Company users: the people who approve and code invoices, with their roles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from payables.masterdata.models.records import MONEY, CodedRecord

ROLES = ("approver", "accountant", "admin")


class CompanyUser(CodedRecord):
    """A member of the company; ``code`` is the HR/ERP id, ``login`` the web sign-in.

    Each member has a Django auth user of its own, never shared with another company,
    so one company cannot touch the sign-in of another's people.
    """

    subject_type = "user"

    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254, blank=True, help_text="Lower case.")
    roles = models.JSONField(default=list, help_text=f"A sorted subset of {', '.join(ROLES)}.")
    can_be_last_approver = models.BooleanField(default=False)
    approval_limit_amount = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="In the company's home currency; none: no limit."
    )
    login = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="company_user",
    )

    class Meta(CodedRecord.Meta):
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
