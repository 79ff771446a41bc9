"""Admin screens: routing rules edited through the services, approval steps to browse."""

from __future__ import annotations

from django.contrib import admin

from payables.admin_site import ReadOnlyAdmin, RuleAdmin, RuleForm
from payables.approvals.models import ApprovalStep, RoutingRule
from payables.approvals.routing import RULE_FIELDS, check_rule
from payables.approvals.services import create_rule, delete_rule, update_rule


class RoutingRuleForm(RuleForm):
    """Shows the service's refusals beside the fields; writes nothing (``save_model`` does).

    Approvers are typed as ``[{"user": code, email or UUID, "level": 1|2|3}]``; the
    stored ``user_id`` form is taken too, and a missing level is 1.
    """

    rule_fields = RULE_FIELDS
    check_rule = staticmethod(check_rule)

    class Meta:
        model = RoutingRule
        fields = ["company", *RULE_FIELDS]

    def rule_values(self) -> dict:
        """The changed fields, approvers in the shape the services take.

        The JSON fields compare with the values the page was loaded with (Django sends them
        back hidden), so a change saved meanwhile by someone else to another field stays.
        """
        values = super().rule_values()
        if isinstance(values.get("approvers"), list):
            values["approvers"] = [_approver(entry) for entry in values["approvers"]]
        return values

    def _get_validation_exclusions(self) -> set[str]:
        # The model's constraints are the service's: ``clean`` checks the name as it does,
        # and a new default replaces the old one rather than clashing with it.
        return super()._get_validation_exclusions() | {"name", "is_default"}


def _approver(entry: object) -> object:
    """An approver as typed here, in the shape the services take."""
    if not isinstance(entry, dict):
        return entry  # the check locates it
    return {"user": entry.get("user", entry.get("user_id")), "level": entry.get("level", 1)}


@admin.register(RoutingRule)
class RoutingRuleAdmin(RuleAdmin):
    form = RoutingRuleForm
    list_display = ["name", "company", "position", "is_active", "is_default", "modified_at"]
    list_filter = ["company", "is_active", "is_default"]
    search_fields = ["name"]
    ordering = ["company", "position"]

    create_rule = staticmethod(create_rule)
    update_rule = staticmethod(update_rule)
    delete_rule = staticmethod(delete_rule)


@admin.register(ApprovalStep)
class ApprovalStepAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "round", "position", "level", "approver", "status", "acted_at"]
    list_filter = ["status", "level", "company"]
    search_fields = ["invoice__invoice_number", "approver__code", "approver__name"]
    list_select_related = ["invoice", "approver"]
