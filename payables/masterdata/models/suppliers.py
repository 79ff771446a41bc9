"""Suppliers: the sellers the company buys from, and their bank accounts."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from payables.tenancy.models import Company


class SupplierQuerySet(models.QuerySet):
    def for_company(self, company: Company) -> SupplierQuerySet:
        return self.filter(company=company)


class Supplier(models.Model):
    """A seller the company buys from."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="suppliers")
    internal_id = models.BigIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="Sequential number within the company, for APIs that name suppliers by "
        "an integer (the Fennoa-compatible API).",
    )
    name = models.CharField(max_length=200)
    registry_code = models.CharField(max_length=50, blank=True)
    vat_number = models.CharField(max_length=50, blank=True)
    country = models.CharField(max_length=2)
    street = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    erp_code = models.CharField(max_length=50, blank=True)
    default_currency = models.CharField(max_length=3, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "internal_id"], name="supplier_internal_id_unique_per_company"
            ),
            models.UniqueConstraint(
                fields=["company", "country", "registry_code"],
                condition=~Q(registry_code=""),
                name="supplier_registry_code_unique_per_company",
            ),
            models.UniqueConstraint(
                fields=["company", "vat_number"],
                condition=~Q(vat_number=""),
                name="supplier_vat_number_unique_per_company",
            ),
            models.UniqueConstraint(
                fields=["company", "erp_code"],
                condition=~Q(erp_code=""),
                name="supplier_erp_code_unique_per_company",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SupplierBankAccount(models.Model):
    """A bank account the supplier is paid to."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="bank_accounts")
    iban = models.CharField(max_length=34)
    bic = models.CharField(max_length=11, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.iban
