"""Product items and the seller product codes that map to them."""

from __future__ import annotations

from django.db import models

from payables.masterdata.models.accounts import Account
from payables.masterdata.models.records import CodedRecord
from payables.masterdata.models.suppliers import Supplier
from payables.masterdata.models.vat_codes import VatCode
from payables.tenancy.models import Company


class ProductItem(CodedRecord):
    """Something the company buys, with the coding its invoice rows get by default."""

    subject_type = "item"

    class Type(models.TextChoices):
        STOCK = "stock"
        SERVICE = "service"
        ITEM = "item"

    description = models.CharField(max_length=500)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.ITEM)
    unit = models.CharField(max_length=20, blank=True)
    default_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    default_vat_code = models.ForeignKey(
        VatCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    default_dimensions = models.JSONField(
        default=dict, blank=True, help_text="Dimension type code → dimension value code."
    )

    class Meta(CodedRecord.Meta):
        verbose_name = "product item"
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="item_code_unique_per_company")
        ]


class SellerMapping(models.Model):
    """A supplier's own product code that means one of the company's items."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ProductItem, on_delete=models.CASCADE, related_name="seller_mappings")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="+")
    seller_code = models.CharField(max_length=100)

    class Meta:
        ordering = ["supplier_id", "seller_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "seller_code"], name="seller_code_unique_per_supplier"
            )
        ]

    def __str__(self) -> str:
        return self.seller_code
