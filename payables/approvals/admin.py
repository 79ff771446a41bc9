"""Admin screens: routing rules edited through the services, approval steps to browse."""

from __future__ import annotations

from typing import Any

import pydantic
from django import forms
from django.contrib import admin
from django.http import HttpRequest

from payables.admin_views import ReadOnlyAdmin, admin_actor
from payables.approvals.models import ApprovalStep, RoutingRule
from payables.approvals.routing import check_rule
from payables.approvals.schemas import RoutingRuleIn
from payables.approvals.services import delete_rule, save_rule
from payables.errors import ValidationFailed

RULE_FIELDS = [
    "name", "position", "is_active", "is_default", "supplier_ids", "min_amount", "max_amount",
    "currencies", "dimension_values", "custom_field_values", "approvers",
]  # fmt: skip


class RoutingRuleForm(forms.ModelForm):
    """Checks a rule as the API does; approvers are ``[{"user": code/email/UUID, "level": n}]``."""

    class Meta:
        model = RoutingRule
        fields = ["company", *RULE_FIELDS]

    def clean(self) -> dict:
        data = super().clean()
        company = data.get("company") or getattr(self.instance, "company", None)
        if self.errors or company is None:
            return data
        values = {name: data.get(name) for name in RULE_FIELDS}
        entries = values["approvers"] or []
        if not isinstance(entries, list) or not all(isinstance(a, dict) for a in entries):
            self.add_error("approvers", 'Give a list of {"user": …, "level": 1|2|3} objects.')
            return data
        values["approvers"] = [
            {"user": str(a.get("user") or a.get("user_id") or ""), "level": a.get("level", 1)}
            for a in entries
        ]
        try:
            RoutingRuleIn(**{k: v for k, v in values.items() if v is not None})
            data.update(check_rule(company, values))
        except pydantic.ValidationError as exc:
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else None
                self.add_error(field if field in self.fields else None, error["msg"])
        except ValidationFailed as exc:
            for error in exc.errors:
                field = str(error.loc[0]) if error.loc else None
                self.add_error(field if field in self.fields else None, error.message)
        return data

    def _get_validation_exclusions(self) -> set[str]:
        # A new default replaces the old one (the service swaps them), so the
        # one-default constraint is not the form's to enforce; the name still is.
        return super()._get_validation_exclusions() | {"is_default"}


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = ["name", "company", "position", "is_active", "is_default", "modified_at"]
    list_filter = ["company", "is_active", "is_default"]
    search_fields = ["name"]
    ordering = ["company", "position"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["company"] if obj else []

    def save_model(self, request: HttpRequest, obj: RoutingRule, form: Any, change: bool) -> None:  # noqa: FBT001
        for name in RULE_FIELDS:
            setattr(obj, name, form.cleaned_data[name])
        save_rule(obj, actor=admin_actor(request, obj.company), created=not change)

    def delete_model(self, request: HttpRequest, obj: RoutingRule) -> None:
        delete_rule(obj, actor=admin_actor(request, obj.company))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for rule in queryset:
            self.delete_model(request, rule)


@admin.register(ApprovalStep)
class ApprovalStepAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "round", "position", "level", "approver", "status", "acted_at"]
    list_filter = ["status", "level", "company"]
    search_fields = ["invoice__invoice_number", "approver__code", "approver__name"]
    list_select_related = ["invoice", "approver"]
