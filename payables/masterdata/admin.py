"""Admin screens for master data: browse and search (writes go through services)."""

from __future__ import annotations

from django.contrib import admin

from payables.admin_views import ReadOnlyAdmin, ReadOnlyInline
from payables.masterdata.models import (
    Account,
    BulkJob,
    CompanyUser,
    CustomField,
    CustomFieldValue,
    DimensionType,
    DimensionValue,
    PaymentMethod,
    ProductItem,
    SellerMapping,
    Supplier,
    SupplierBankAccount,
    VatCode,
)

_STAMPS = ["is_active", "modified_at"]


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


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "type", "default_vat_code", "company", *_STAMPS]
    list_filter = ["company", "type", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["company", "default_vat_code"]


@admin.register(VatCode)
class VatCodeAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "rate",
        "kind",
        "is_reverse_charge",
        "non_deductible_share",
        "valid_from",
        "valid_to",
        "company",
        *_STAMPS,
    ]
    list_filter = ["company", "kind", "is_reverse_charge", "is_active"]
    search_fields = ["code", "description"]
    list_select_related = ["company"]


@admin.register(DimensionType)
class DimensionTypeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "company", *_STAMPS]
    list_filter = ["company", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["company"]


@admin.register(DimensionValue)
class DimensionValueAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "type", "valid_from", "valid_to", "company", *_STAMPS]
    list_filter = ["company", "type__code", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["company", "type"]


@admin.register(PaymentMethod)
class PaymentMethodAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "bank_account", "company", *_STAMPS]
    list_filter = ["company", "is_active"]
    search_fields = ["code", "name", "bank_account"]
    list_select_related = ["company"]


@admin.register(CompanyUser)
class CompanyUserAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "name",
        "email",
        "roles",
        "can_be_last_approver",
        "approval_limit_amount",
        "company",
        *_STAMPS,
    ]
    list_filter = ["company", "can_be_last_approver", "is_active"]
    search_fields = ["code", "name", "email"]
    list_select_related = ["company"]
    exclude = ["login"]  # the sign-in is managed by the services; never show password data


class SellerMappingInline(ReadOnlyInline):
    model = SellerMapping
    fields = ["supplier", "seller_code"]


@admin.register(ProductItem)
class ProductItemAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "description",
        "type",
        "unit",
        "default_account",
        "default_vat_code",
        "company",
        *_STAMPS,
    ]
    list_filter = ["company", "type", "is_active"]
    search_fields = ["code", "description", "seller_mappings__seller_code"]
    list_select_related = ["company", "default_account", "default_vat_code"]
    inlines = [SellerMappingInline]


class ListValueInline(ReadOnlyInline):
    model = CustomFieldValue


@admin.register(CustomField)
class CustomFieldAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "type", "is_required", "company", *_STAMPS]
    list_filter = ["company", "type", "is_required", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["company"]
    inlines = [ListValueInline]


@admin.register(BulkJob)
class BulkJobAdmin(ReadOnlyAdmin):
    """Bulk loads and how they went; the submitted records are not shown (they can be big)."""

    list_display = [
        "created_at",
        "kind",
        "mode",
        "state",
        "total",
        "created_count",
        "updated_count",
        "unchanged_count",
        "failed_count",
        "deactivated_count",
        "company",
        "finished_at",
    ]
    list_filter = ["company", "kind", "mode", "state"]
    search_fields = ["id", "actor"]
    list_select_related = ["company"]
    date_hierarchy = "created_at"
