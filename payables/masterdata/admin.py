"""Admin screens for master data: browse, search, add and change through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from payables.admin_views import ReadOnlyAdmin, ReadOnlyInline, ServiceAdmin, ServiceForm
from payables.errors import FieldError
from payables.masterdata import schemas, services
from payables.masterdata.models import (
    ROLES,
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
from payables.tenancy.actors import Actor

_STAMPS = ["is_active", "modified_at"]


class BankAccountInline(ReadOnlyInline):
    model = SupplierBankAccount


class SupplierForm(ServiceForm):
    default_currency = forms.CharField(
        max_length=3, required=False, empty_value=None, help_text="ISO 4217 code, e.g. EUR."
    )


@admin.register(Supplier)
class SupplierAdmin(ServiceAdmin):
    """Bank accounts are shown only; the API and bulk loads replace them."""

    form = SupplierForm
    schema_in = schemas.SupplierIn
    schema_patch = schemas.SupplierPatch
    create_service = services.create_supplier
    update_service = services.update_supplier
    deactivate_service = services.deactivate_supplier
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
class AccountAdmin(ServiceAdmin):
    schema_in = schemas.AccountIn
    schema_patch = schemas.AccountPatch
    create_service = services.create_account
    update_service = services.update_account
    deactivate_service = services.deactivate_account
    list_display = ["code", "name", "type", "default_vat_code", "company", *_STAMPS]
    list_filter = ["company", "type", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["company", "default_vat_code"]


@admin.register(VatCode)
class VatCodeAdmin(ServiceAdmin):
    schema_in = schemas.VatCodeIn
    schema_patch = schemas.VatCodePatch
    create_service = services.create_vat_code
    update_service = services.update_vat_code
    deactivate_service = services.deactivate_vat_code
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
class DimensionTypeAdmin(ServiceAdmin):
    schema_in = schemas.DimensionTypeIn
    schema_patch = schemas.DimensionTypePatch
    create_service = services.create_dimension_type
    update_service = services.update_dimension_type
    deactivate_service = services.deactivate_dimension_type
    list_display = ["code", "name", "company", *_STAMPS]
    list_filter = ["company", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["company"]


@admin.register(DimensionValue)
class DimensionValueAdmin(ServiceAdmin):
    schema_in = schemas.DimensionValueIn
    schema_patch = schemas.DimensionValuePatch
    create_service = services.create_dimension_value
    update_service = services.update_dimension_value
    deactivate_service = services.deactivate_dimension_value
    fixed_on_change = ("type",)  # a value's code is unique within its type
    list_display = ["code", "name", "type", "valid_from", "valid_to", "company", *_STAMPS]
    list_filter = ["company", "type__code", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["company", "type"]

    def create(self, data: dict, *, actor: Actor) -> DimensionValue:
        """A value belongs to the type named by its code, within the record's company."""
        code = data.pop("type")
        dimension_type = DimensionType.objects.for_company(actor.company).filter(code=code).first()
        if dimension_type is None:
            raise FieldError(f"There is no dimension type with code {code!r}.", loc=["type"])
        data = self._input(data)
        return services.create_dimension_value(
            dimension_type, schemas.DimensionValueIn(**data), actor=actor
        )


@admin.register(PaymentMethod)
class PaymentMethodAdmin(ServiceAdmin):
    schema_in = schemas.PaymentMethodIn
    schema_patch = schemas.PaymentMethodPatch
    create_service = services.create_payment_method
    update_service = services.update_payment_method
    deactivate_service = services.deactivate_payment_method
    list_display = ["code", "name", "bank_account", "company", *_STAMPS]
    list_filter = ["company", "is_active"]
    search_fields = ["code", "name", "bank_account"]
    list_select_related = ["company"]


class UserForm(ServiceForm):
    """Roles are ticked, not typed; the password is set by ``set_user_password``."""

    roles = forms.MultipleChoiceField(
        choices=[(role, role) for role in ROLES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@admin.register(CompanyUser)
class CompanyUserAdmin(ServiceAdmin):
    schema_in = schemas.UserIn
    schema_patch = schemas.UserPatch
    create_service = services.create_user
    update_service = services.update_user
    deactivate_service = services.deactivate_user
    form = UserForm
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
class ProductItemAdmin(ServiceAdmin):
    schema_in = schemas.ItemIn
    schema_patch = schemas.ItemPatch
    create_service = services.create_item
    update_service = services.update_item
    deactivate_service = services.deactivate_item
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
class CustomFieldAdmin(ServiceAdmin):
    schema_in = schemas.CustomFieldIn
    schema_patch = schemas.CustomFieldPatch
    create_service = services.create_custom_field
    update_service = services.update_custom_field
    deactivate_service = services.deactivate_custom_field
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
