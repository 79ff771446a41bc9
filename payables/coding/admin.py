"""Admin screens of the coding app: coding rules, checked like the API, written by services."""

from __future__ import annotations

from django.contrib import admin

from payables.admin_site import RuleAdmin, RuleForm
from payables.coding.models import CodingRule
from payables.coding.rule_checks import RULE_FIELDS, check_rule
from payables.coding.services.rules import create_rule, delete_rule, update_rule
from payables.errors import FieldError


class CodingRuleForm(RuleForm):
    """Shows the service's refusals beside the fields; writes nothing (``save_model`` does).

    Conditions and actions are typed as JSON, in the shapes the API takes (README,
    "Coding rules"); the supplier may be named by VAT number or registry code.
    """

    rule_fields = RULE_FIELDS
    check_rule = staticmethod(check_rule)

    class Meta:
        model = CodingRule
        fields = ["company", *RULE_FIELDS]

    def message(self, error: FieldError) -> str:
        """A refusal inside a JSON field says where in it: ``split.1.vat_code: …``."""
        where = ".".join(str(part) for part in (error.loc or ())[1:])
        return f"{where}: {error.message}" if where else error.message

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
