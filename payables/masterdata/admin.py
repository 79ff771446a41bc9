"""Admin screens for master data: browse, search, add and change through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from payables.admin_views import ReadOnlyAdmin, ReadOnlyInline, ServiceAdmin, ServiceForm
from payables.errors import FieldError
from payables.masterdata import schemas, services
from payables.masterdata.models import (
    Account,
    BulkJob,
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
from payables.tenancy.models import ROLES, CompanyUser

_STAMPS = ["is_active", "modified_at"]


class BankAccountInline(ReadOnlyInline):
    model = SupplierBankAccount


class SupplierForm(ServiceForm):
    default_currency = forms.CharField(
        max_length=3, required=False, empty_value=None, help_text="ISO 4217 code, e.g. EUR."
    )


def wired(kind: str, schema: str) -> type[ServiceAdmin]:
    """A ServiceAdmin wired to a kind's schemas (``<Schema>In``/``<Schema>Patch``) and its
    ``create_``/``update_``/``deactivate_<kind>`` services, found by their names."""
    return type(
        f"{schema}ServiceAdmin",
        (ServiceAdmin,),
        {
            "__module__": __name__,
            "schema_in": getattr(schemas, f"{schema}In"),
            "schema_patch": getattr(schemas, f"{schema}Patch"),
            "create_service": getattr(services, f"create_{kind}"),
            "update_service": getattr(services, f"update_{kind}"),
            "deactivate_service": getattr(services, f"deactivate_{kind}"),
        },
    )


@admin.register(Supplier)
class SupplierAdmin(wired("supplier", "Supplier")):
    """Bank accounts are shown only; the API and bulk loads replace them."""

    form = SupplierForm
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
class AccountAdmin(wired("account", "Account")):
    list_display = ["code", "name", "type", "default_vat_code", "company", *_STAMPS]
    list_filter = ["company", "type", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["company", "default_vat_code"]


@admin.register(VatCode)
class VatCodeAdmin(wired("vat_code", "VatCode")):
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
class DimensionTypeAdmin(wired("dimension_type", "DimensionType")):
    list_display = ["code", "name", "company", *_STAMPS]
    list_filter = ["company", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["company"]


@admin.register(DimensionValue)
class DimensionValueAdmin(wired("dimension_value", "DimensionValue")):
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
class PaymentMethodAdmin(wired("payment_method", "PaymentMethod")):
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
class CompanyUserAdmin(wired("user", "User")):
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
class ProductItemAdmin(wired("item", "Item")):
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
class CustomFieldAdmin(wired("custom_field", "CustomField")):
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
