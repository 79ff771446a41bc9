"""Writes of the approval workflow, one module per topic."""

from payables.approvals.services.chains import (
    APPENDABLE,
    MAX_COMMENT,
    AppendOutcome,
    ApproverRequest,
    append_approvers,
    approve_step,
    close_chain,
    reject_step,
    reroute_invoice,
    restart_chain_on_coding_change,
    route_new_invoice,
)
from payables.approvals.services.people import (
    find_user,
    invoice_amount,
    refusal_as_approver,
    refusal_as_last,
    require_manager,
)
from payables.approvals.services.rules import create_rule, delete_rule, update_rule

__all__ = [
    "APPENDABLE",
    "MAX_COMMENT",
    "AppendOutcome",
    "ApproverRequest",
    "append_approvers",
    "approve_step",
    "close_chain",
    "create_rule",
    "delete_rule",
    "find_user",
    "invoice_amount",
    "refusal_as_approver",
    "refusal_as_last",
    "reject_step",
    "require_manager",
    "reroute_invoice",
    "restart_chain_on_coding_change",
    "route_new_invoice",
    "update_rule",
]
