"""Admin screens for companies, integrators and API keys, each written through its service."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from payables.admin_site import ServiceAdmin, show_stored
from payables.tenancy.models import ApiKey, Company, Integrator
from payables.tenancy.permissions import personal_scopes
from payables.tenancy.scopes import SCOPES
from payables.tenancy.services import (
    create_api_key,
    create_company,
    create_integrator,
    create_personal_api_key,
    revoke_api_key,
    update_company,
)

# What ``create_company`` takes; the settings are set on the company's change page.
_NEW_COMPANY = ["name", "country", "registry_code", "vat_number", "home_currency"]


@admin.register(Company)
class CompanyAdmin(ServiceAdmin):
    """Companies are never deleted: every invoice, event and record belongs to one."""

    list_display = ["name", "country", "registry_code", "vat_number", "home_currency", "created_at"]
    list_filter = ["country", "home_currency"]
    search_fields = ["name", "registry_code", "vat_number"]

    def get_fields(self, request: HttpRequest, obj: Company | None = None) -> list[str]:
        return _NEW_COMPANY if obj is None else super().get_fields(request, obj)

    def save_model(
        self,
        request: HttpRequest,
        obj: Company,
        form: forms.ModelForm,
        change: bool,  # noqa: FBT001
    ) -> None:
        if not change:
            stored = create_company(**{name: form.cleaned_data[name] for name in _NEW_COMPANY})
        elif form.changed_data:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            stored = update_company(obj, changes)
        else:
            return
        show_stored(obj, stored)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Integrator)
class IntegratorAdmin(ServiceAdmin):
    """An integrator is registered here and then only shown: no service changes one."""

    list_display = ["name", "company", "created_at"]
    list_filter = ["company"]
    search_fields = ["name", "company__name"]

    def save_model(
        self,
        request: HttpRequest,
        obj: Integrator,
        form: forms.ModelForm,
        change: bool,  # noqa: FBT001
    ) -> None:
        data = form.cleaned_data
        show_stored(obj, create_integrator(data["company"], name=data["name"]))

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=[(s, f"{s} — {d}") for s, d in SCOPES.items()], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiKey
        fields = ["integrator", "user", "name", "scopes"]

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("integrator")) == bool(data.get("user")):
            raise forms.ValidationError(
                "Choose an integrator, or a user for a personal key — exactly one."
            )
        user = data.get("user")
        if user and not user.is_active:
            raise forms.ValidationError("An inactive user cannot get a personal key.")
        beyond = sorted(set(data.get("scopes") or []) - personal_scopes(user.roles)) if user else []
        if beyond:
            raise forms.ValidationError(
                f"A personal key of a user with the roles {user.roles} cannot hold: "
                f"{', '.join(beyond)}."
            )
        return data


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceAdmin):
    """Adding a key shows its secret once; afterwards only the prefix is visible.

    A key is never changed or deleted, only revoked (it stays, to show who used it).
    """

    form = ApiKeyForm
    list_display = [
        "prefix",
        "name",
        "integrator",
        "user",
        "scopes",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [
        "integrator__company",
        "user__company",
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["prefix", "name", "integrator__name", "user__code", "user__name"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> list[str]:
        if obj is None:
            return []
        return [
            "integrator",
            "user",
            "name",
            "scopes",
            "prefix",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]

    def save_model(
        self,
        request: HttpRequest,
        obj: ApiKey,
        form: forms.ModelForm,
        change: bool,  # noqa: FBT001
    ) -> None:
        data = form.cleaned_data
        scopes, name, user = data["scopes"], data["name"], data.get("user")
        if user is not None:
            api_key, raw = create_personal_api_key(user, scopes=scopes, name=name)
        else:
            api_key, raw = create_api_key(data["integrator"], scopes=scopes, name=name)
        show_stored(obj, api_key)
        messages.warning(request, f"API key: {raw} — copy it now; it is not shown again.")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        """Revoking changes the key: whoever may change keys in Django may revoke them."""
        return super().has_change_permission(request)

    @admin.action(description="Revoke selected keys", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        self.write_each(request, queryset, revoke_api_key)
