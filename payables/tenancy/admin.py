"""Admin screens for companies, integrators and API keys (keys are issued via the service)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from payables.tenancy.models import ApiKey, Company, Integrator
from payables.tenancy.permissions import personal_scopes
from payables.tenancy.scopes import SCOPES
from payables.tenancy.services import create_api_key, create_personal_api_key, revoke_api_key


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "registry_code", "vat_number", "home_currency", "created_at"]
    list_filter = ["country", "home_currency"]
    search_fields = ["name", "registry_code", "vat_number"]


@admin.register(Integrator)
class IntegratorAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "created_at"]
    list_filter = ["company"]
    search_fields = ["name", "company__name"]


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
class ApiKeyAdmin(admin.ModelAdmin):
    """Adding a key shows its secret once; afterwards only the prefix is visible."""

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

    def save_model(self, request: HttpRequest, obj: ApiKey, form: forms.Form, change: bool) -> None:  # noqa: FBT001
        if change:
            return
        scopes, user = form.cleaned_data["scopes"], form.cleaned_data.get("user")
        if user is not None:
            api_key, raw = create_personal_api_key(user, scopes=scopes, name=obj.name)
        else:
            api_key, raw = create_api_key(
                form.cleaned_data["integrator"], scopes=scopes, name=obj.name
            )
        obj.pk = api_key.pk
        obj.refresh_from_db()
        messages.warning(request, f"API key: {raw} — copy it now; it is not shown again.")

    @admin.action(description="Revoke selected keys")
    def revoke(self, request: HttpRequest, queryset: object) -> None:
        for api_key in queryset:
            revoke_api_key(api_key)
