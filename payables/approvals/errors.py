"""Errors of the approvals app."""

from __future__ import annotations

from payables.errors import Conflict, NotFound, PermissionDenied


class StepNotFound(NotFound):
    code = "approval_step_not_found"
    default_message = "Approval step not found."


class RuleNotFound(NotFound):
    code = "routing_rule_not_found"
    default_message = "Routing rule not found."


class PersonRequired(PermissionDenied):
    """Approving is personal: an integrator's key cannot do it for someone."""

    code = "personal_identity_required"
    default_message = (
        "This needs a person: use a personal API key of the user, or sign in to the web UI."
    )


class NotYourStep(PermissionDenied):
    code = "not_your_step"
    default_message = "This approval step belongs to another approver."


class NotAnApprover(PermissionDenied):
    code = "not_an_approver"
    default_message = "You no longer have the approver role."


class CannotBeFinalApprover(PermissionDenied):
    code = "cannot_be_final_approver"


class StepNotCurrent(Conflict):
    code = "step_not_current"
    default_message = "This step is not the invoice's current step."
