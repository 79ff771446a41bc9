"""Admin screens of the coding app: coding rules, checked like the API, written by services."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from payables.admin_site import RuleAdmin
from payables.coding.models import CodingRule
from payables.coding.rule_checks import RULE_FIELDS, check_rule
from payables.coding.services.rules import create_rule, delete_rule, update_rule
from payables.errors import ValidationFailed


class CodingRuleForm(forms.ModelForm):
    """Shows the service's refusals beside the fields; writes nothing (``save_model`` does).

    Conditions and actions are typed as JSON, in the shapes the API takes (README,
    "Coding rules"); the supplier may be named by VAT number or registry code.
    """

    class Meta:
        model = CodingRule
        fields = ["company", *RULE_FIELDS]

    def rule_values(self) -> dict:
        """What the rule services take: every field of a new rule, the changed ones of a rule."""
        adding = self.instance._state.adding
        names = [n for n in RULE_FIELDS if adding or n in self.changed_data]
        return {name: self.cleaned_data[name] for name in names}

    def clean(self) -> dict:
        """The service's own checks, read-only, so a refusal is shown before any write."""
        data = super().clean()
        adding = self.instance._state.adding
        if self.errors or (adding and data.get("company") is None):
            return data
        company = data["company"] if adding else self.instance.company
        try:
            check_rule(company, self.rule_values(), rule=None if adding else self.instance)
        except ValidationFailed as exc:
            for error in exc.errors:
                field = str(error.loc[0]) if error.loc else None
                where = ".".join(str(part) for part in (error.loc or ())[1:])
                message = f"{where}: {error.message}" if where else error.message
                self.add_error(field if field in self.fields else None, message)
        return data

    def _get_validation_exclusions(self) -> set[str]:
        # The name's uniqueness is the service's check (``clean`` runs it as it does).
        return super()._get_validation_exclusions() | {"name"}


@admin.register(CodingRule)
class CodingRuleAdmin(RuleAdmin):
    form = CodingRuleForm
    list_display = ["name", "company", "position", "is_active", "modified_at"]
    list_filter = ["company", "is_active"]
    search_fields = ["name"]
    ordering = ["company", "position", "created_at"]

    create_rule = staticmethod(create_rule)
    update_rule = staticmethod(update_rule)
    delete_rule = staticmethod(delete_rule)
