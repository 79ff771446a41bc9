"""Admin screens for suppliers (read-only until master data editing goes through services)."""

from __future__ import annotations

from django.contrib import admin

from payables.admin_views import ReadOnlyAdmin, ReadOnlyInline
from payables.masterdata.models import Supplier, SupplierBankAccount


class BankAccountInline(ReadOnlyInline):
    model = SupplierBankAccount


@admin.register(Supplier)
class SupplierAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "company",
        "country",
        "registry_code",
        "vat_number",
        "erp_code",
        "is_active",
        "modified_at",
    ]
    list_filter = ["company", "country", "is_active"]
    search_fields = ["name", "registry_code", "vat_number", "erp_code"]
    inlines = [BankAccountInline]
