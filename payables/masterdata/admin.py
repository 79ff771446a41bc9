"""Admin screens for master data: browse, search, add and change through the services.

Each kind's admin names its own services in ``writes``; ``MasterDataAdmin.save_model``
calls them, so a grep for ``create_account`` finds this module. The form checks nothing
itself: the service checks at save time, and its refusal shows the form again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema

from payables.admin_site import (
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceAdmin,
    admin_actor,
    money_column,
    show_stored,
)
from payables.errors import FieldError
from payables.masterdata import schemas
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
from payables.masterdata.services import (
    create_account,
    create_custom_field,
    create_dimension_type,
    create_dimension_value,
    create_item,
    create_payment_method,
    create_supplier,
    create_user,
    create_vat_code,
    deactivate_account,
    deactivate_custom_field,
    deactivate_dimension_type,
    deactivate_dimension_value,
    deactivate_item,
    deactivate_payment_method,
    deactivate_supplier,
    deactivate_user,
    deactivate_vat_code,
    invite_user,
    update_account,
    update_custom_field,
    update_dimension_type,
    update_dimension_value,
    update_item,
    update_payment_method,
    update_supplier,
    update_user,
    update_vat_code,
)
from payables.tenancy.actors import Actor
from payables.tenancy.models import ROLES, CompanyUser

_STAMPS = ["is_active", "modified_at"]


@dataclass(frozen=True)
class Writes:
    """A kind's services, and the input schemas of its create and update services."""

    new: type[Schema]
    patch: type[Schema]
    create: Callable[..., models.Model]
    update: Callable[..., models.Model]
    deactivate: Callable[..., models.Model]


def service_input(schema: type[Schema], values: dict, *, patch: bool = False) -> dict:
    """What a service takes, from a form's values: the plain data of the fields its API
    schema has, shaped (and refused) as the API would; a patch holds only what is given.

    The one place the admin builds service input.
    """
    shaped = schema(
        **{name: value for name, value in values.items() if name in schema.model_fields}
    )
    return shaped.model_dump(exclude_unset=patch)


def code_fields(model: type[models.Model]) -> list[str]:
    """Foreign keys to other coded kinds, edited as the code of the linked record."""
    return [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.ForeignKey) and hasattr(f.related_model, "code")
    ]


class MasterDataForm(forms.ModelForm):
    """A record's fields as typed; the service builds and checks the record from them.

    So the form neither fills in the instance nor runs model validation: ``save_model``
    hands the values to the service, which refuses what is wrong.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in code_fields(self._meta.model):
            related = getattr(self.instance, name, None) if name in self.fields else None
            if related is not None:
                self.initial[name] = related.code

    def _post_clean(self) -> None:
        """Model validation is the service's, at save time."""


class MasterDataAdmin(ServiceAdmin):
    """Add and change a kind through its services; deactivate instead of delete.

    A subclass names the kind's services in ``writes``. Links to other coded kinds are
    typed as their codes, which the service resolves within the record's company. A new
    record's company is picked on the add form; afterwards it (and ``fixed_on_change``)
    cannot change.
    """

    form = MasterDataForm
    writes: ClassVar[Writes]
    fixed_on_change: ClassVar[tuple[str, ...]] = ()
    actions = ["deactivate_selected"]

    def save_model(
        self,
        request: HttpRequest,
        obj: models.Model,
        form: forms.ModelForm,
        change: bool,  # noqa: FBT001
    ) -> None:
        """Create or change the record through the kind's services; ``obj`` then shows it."""
        if not change:
            actor = admin_actor(request, form.cleaned_data["company"])
            stored = self.create(dict(form.cleaned_data), actor=actor)  # not-orm
        elif form.changed_data:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            patch = service_input(self.writes.patch, changes, patch=True)
            actor = admin_actor(request, obj.company)
            stored = self.writes.update(obj, patch, actor=actor)  # not-orm
        else:
            return  # nothing changed: nothing to write, no event to record
        show_stored(obj, stored)

    def create(self, values: dict, *, actor: Actor) -> models.Model:
        data = service_input(self.writes.new, values)
        return self.writes.create(data, actor=actor)  # not-orm

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # records are deactivated, never deleted: invoices point at them

    @admin.action(description="Deactivate selected %(verbose_name_plural)s")
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = self.write_each(
            request,
            queryset.select_related("company"),
            lambda obj: self.writes.deactivate(obj, actor=admin_actor(request, obj.company)),
        )
        self.message_user(request, f"Deactivated {done} record(s).", messages.SUCCESS)

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name in code_fields(self.model):
            plural = db_field.related_model._meta.verbose_name_plural
            return forms.CharField(
                label=db_field.verbose_name.capitalize(),
                max_length=50,
                required=not db_field.null,
                empty_value=None,
                help_text=f"Code of one of the company's {plural}.",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: models.Model | None = None) -> list:
        fixed = ["company", *self.fixed_on_change] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), *fixed]

    def get_inlines(self, request: HttpRequest, obj: models.Model | None) -> list:
        """Inlines are shown only, so none is built on a POST: it has nothing to send."""
        return [] if request.method == "POST" else super().get_inlines(request, obj)


class BankAccountInline(ReadOnlyInline):
    model = SupplierBankAccount


class SupplierForm(MasterDataForm):
    default_currency = forms.CharField(
        max_length=3, required=False, empty_value=None, help_text="ISO 4217 code, e.g. EUR."
    )


@admin.register(Supplier)
class SupplierAdmin(MasterDataAdmin):
    """Bank accounts are shown only; the API and bulk loads replace them."""

    writes = Writes(
        new=schemas.SupplierIn,
        patch=schemas.SupplierPatch,
        create=create_supplier,
        update=update_supplier,
        deactivate=deactivate_supplier,
    )
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
class AccountAdmin(MasterDataAdmin):
    writes = Writes(
        new=schemas.AccountIn,
        patch=schemas.AccountPatch,
        create=create_account,
        update=update_account,
        deactivate=deactivate_account,
    )
    list_display = ["code", "name", "type", "default_vat_code", "company", *_STAMPS]
    list_filter = ["company", "type", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["company", "default_vat_code"]


@admin.register(VatCode)
class VatCodeAdmin(MasterDataAdmin):
    writes = Writes(
        new=schemas.VatCodeIn,
        patch=schemas.VatCodePatch,
        create=create_vat_code,
        update=update_vat_code,
        deactivate=deactivate_vat_code,
    )
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
class DimensionTypeAdmin(MasterDataAdmin):
    writes = Writes(
        new=schemas.DimensionTypeIn,
        patch=schemas.DimensionTypePatch,
        create=create_dimension_type,
        update=update_dimension_type,
        deactivate=deactivate_dimension_type,
    )
    list_display = ["code", "name", "company", *_STAMPS]
    list_filter = ["company", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["company"]


@admin.register(DimensionValue)
class DimensionValueAdmin(MasterDataAdmin):
    writes = Writes(
        new=schemas.DimensionValueIn,
        patch=schemas.DimensionValuePatch,
        create=create_dimension_value,  # called by ``create`` below, with the type
        update=update_dimension_value,
        deactivate=deactivate_dimension_value,
    )
    fixed_on_change = ("type",)  # a value's code is unique within its type
    list_display = ["code", "name", "type", "valid_from", "valid_to", "company", *_STAMPS]
    list_filter = ["company", "type__code", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["company", "type"]

    def create(self, values: dict, *, actor: Actor) -> DimensionValue:
        """A value belongs to the type named by its code, within the record's company."""
        code = values["type"]
        dimension_type = DimensionType.objects.for_company(actor.company).filter(code=code).first()
        if dimension_type is None:
            raise FieldError(f"There is no dimension type with code {code!r}.", loc=["type"])
        data = service_input(schemas.DimensionValueIn, values)
        return create_dimension_value(dimension_type, data, actor=actor)


@admin.register(PaymentMethod)
class PaymentMethodAdmin(MasterDataAdmin):
    writes = Writes(
        new=schemas.PaymentMethodIn,
        patch=schemas.PaymentMethodPatch,
        create=create_payment_method,
        update=update_payment_method,
        deactivate=deactivate_payment_method,
    )
    list_display = ["code", "name", "bank_account", "company", *_STAMPS]
    list_filter = ["company", "is_active"]
    search_fields = ["code", "name", "bank_account"]
    list_select_related = ["company"]


class UserForm(MasterDataForm):
    """Roles are ticked, not typed; the password is the user's own (see ``invite_user``).

    What the person may code to is typed as JSON; left empty it allows anything.
    """

    roles = forms.MultipleChoiceField(
        choices=[(role, role) for role in ROLES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_coding_accounts(self) -> object:
        return self.cleaned_data.get("coding_accounts") or []

    def clean_coding_dimensions(self) -> object:
        return self.cleaned_data.get("coding_dimensions") or {}


class UserAddForm(UserForm):
    invite = forms.BooleanField(
        label="Send an invitation",
        required=False,
        initial=True,
        help_text="E-mail the user a link to choose their password (needs an email address).",
    )


def _home_currency(user: CompanyUser) -> str:
    return user.company.home_currency


@admin.register(CompanyUser)
class CompanyUserAdmin(MasterDataAdmin):
    writes = Writes(
        new=schemas.UserIn,
        patch=schemas.UserPatch,
        create=create_user,
        update=update_user,
        deactivate=deactivate_user,
    )
    form = UserForm
    add_form = UserAddForm
    list_display = [
        "code",
        "name",
        "email",
        "roles",
        "can_be_last_approver",
        money_column("approval_limit_amount", _home_currency, description="approval limit"),
        "company",
        *_STAMPS,
    ]
    list_filter = ["company", "can_be_last_approver", "is_active"]
    search_fields = ["code", "name", "email"]
    list_select_related = ["company"]
    exclude = ["login"]  # the sign-in is managed by the services; never show password data
    readonly_fields = ["password"]
    actions = ["deactivate_selected", "invite_selected"]

    @admin.display(description="Password")
    def password(self, obj: CompanyUser) -> str:
        """Whether the user has chosen a password: nothing about the password itself."""
        if obj.login_id is not None and obj.login.has_usable_password():
            return "set"
        return "not set yet: invite the user (action “Invite selected users”)"

    def get_form(
        self,
        request: HttpRequest,
        obj: models.Model | None = None,
        change: bool = False,  # noqa: FBT001, FBT002
        **kwargs: Any,
    ) -> type[forms.ModelForm]:
        """A new user's form also offers to invite them."""
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def create(self, values: dict, *, actor: Actor) -> models.Model:
        data = service_input(self.writes.new, values)
        return create_user(data, actor=actor, invite=bool(values.get("invite")))

    @admin.action(description="Invite selected users (e-mail a link to set a password)")
    def invite_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = self.write_each(
            request,
            queryset.select_related("company"),
            lambda user: invite_user(user, actor=admin_actor(request, user.company)),
        )
        self.message_user(request, f"Sent {done} invitation(s).", messages.SUCCESS)


class SellerMappingInline(ReadOnlyInline):
    model = SellerMapping
    fields = ["supplier", "seller_code"]


@admin.register(ProductItem)
class ProductItemAdmin(MasterDataAdmin):
    writes = Writes(
        new=schemas.ItemIn,
        patch=schemas.ItemPatch,
        create=create_item,
        update=update_item,
        deactivate=deactivate_item,
    )
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
class CustomFieldAdmin(MasterDataAdmin):
    writes = Writes(
        new=schemas.CustomFieldIn,
        patch=schemas.CustomFieldPatch,
        create=create_custom_field,
        update=update_custom_field,
        deactivate=deactivate_custom_field,
    )
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
