"""What the approval endpoints take and answer."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field, field_validator

from payables.approvals.models import ApprovalStep, RoutingRule
from payables.money import format_amount
from payables.schema_types import CurrencyCode, Flag, InSchema, Money, Timestamp

LevelValue = Literal[1, 2, 3]
SkipReason = Literal[
    "unknown_user",
    "inactive",
    "not_an_approver",
    "cannot_be_last_approver",
    "approval_limit_below_amount",
    "already_in_chain",
    "duplicate_in_request",
]


class ApproverRequestIn(InSchema):
    """A user to add, named by UUID, email or external (HR/ERP) code."""

    user: str = Field(..., min_length=1, max_length=254)
    level: LevelValue = Field(1, description="3 pre-verification, 2 verification, 1 approval.")


class AppendApproversIn(InSchema):
    approvers: list[ApproverRequestIn] = Field(..., min_length=1, max_length=50)


class AppendOutcomeOut(Schema):
    user: str = Field(description="As requested.")
    user_id: UUID | None
    level: int
    outcome: Literal["added", "skipped"]
    reason: SkipReason | None = None
    step_id: UUID | None = None


class AppendApproversOut(Schema):
    invoice_id: UUID
    status: str
    results: list[AppendOutcomeOut]


class Comment(InSchema):
    comment: str = Field("", max_length=200)


class RejectIn(InSchema):
    reason: str = Field(..., max_length=200)

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("A reason is required to reject")
        return value.strip()


class ApproverOut(Schema):
    id: UUID
    code: str
    name: str
    email: str


class ApprovalStepOut(Schema):
    id: UUID
    round: int
    position: int
    level: int
    level_name: str
    approver: ApproverOut
    status: str
    is_current: bool
    comment: str
    acted_at: datetime | None
    acted_by: str

    @classmethod
    def from_step(cls, step: ApprovalStep) -> ApprovalStepOut:
        user = step.approver
        return cls(
            id=step.id,
            round=step.round,
            position=step.position,
            level=step.level,
            level_name=step.get_level_display(),
            approver=ApproverOut(id=user.id, code=user.code, name=user.name, email=user.email),
            status=step.status,
            is_current=step.is_current,
            comment=step.comment,
            acted_at=step.acted_at,
            acted_by=step.acted_by,
        )


class InvoiceSummaryOut(Schema):
    id: UUID
    internal_id: int
    invoice_number: str
    status: str
    supplier_id: UUID
    supplier_name: str
    invoice_date: date
    due_date: date | None
    currency: str
    gross_amount: str
    home_gross_amount: str
    modified_at: datetime


class QueueEntryOut(Schema):
    step_id: UUID
    level: int
    position: int
    steps_in_chain: int
    invoice: InvoiceSummaryOut


class QueueParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    modified_after: Timestamp | None = Field(None, description="Invoices changed after this.")


class ChainOut(Schema):
    invoice_id: UUID
    status: str
    current_step_id: UUID | None
    steps: list[ApprovalStepOut] = Field(description="Every round, oldest first.")


class HistoryEntryOut(Schema):
    at: datetime
    actor: str
    action: str
    comment: str


class RerouteIn(InSchema):
    comment: str = Field("", max_length=200)


class RuleApproverIn(InSchema):
    user: str = Field(..., min_length=1, max_length=254, description="UUID, email or code.")
    level: LevelValue = 1


class RuleApproverPatch(RuleApproverIn):
    """A change fills in no defaults, not even inside the approvers list it replaces."""

    level: LevelValue


class RoutingRuleIn(InSchema):
    name: str = Field(..., min_length=1, max_length=200)
    position: int = Field(0, ge=0, le=1_000_000)
    is_active: Flag = True
    is_default: Flag = False
    supplier_ids: list[UUID] = Field(default_factory=list, max_length=1000)
    min_amount: Money | None = None
    max_amount: Money | None = None
    currencies: list[CurrencyCode] = Field(default_factory=list, max_length=50)
    dimension_values: dict[str, list[str]] = Field(
        default_factory=dict, description="Dimension type code → value codes."
    )
    custom_field_values: dict[str, list[str]] = Field(
        default_factory=dict, description="Custom field code → accepted values."
    )
    approvers: list[RuleApproverIn] = Field(..., min_length=1, max_length=20)


class RoutingRulePatch(InSchema):
    """Given fields change, the others stay. `approvers`, when given, replace the stored list;
    each approver is checked as on create but names its `level` (no default in a change)."""

    name: str = Field(None, min_length=1, max_length=200)
    position: int = Field(None, ge=0, le=1_000_000)
    is_active: Flag = None
    is_default: Flag = None
    supplier_ids: list[UUID] = Field(None, max_length=1000)
    min_amount: Money | None = None
    max_amount: Money | None = None
    currencies: list[CurrencyCode] = Field(None, max_length=50)
    dimension_values: dict[str, list[str]] = None
    custom_field_values: dict[str, list[str]] = None
    approvers: list[RuleApproverPatch] = Field(
        None, min_length=1, max_length=20, description="Replaces the stored list."
    )


class RuleApproverOut(Schema):
    user_id: UUID
    level: int


class RoutingRuleOut(Schema):
    id: UUID
    name: str
    position: int
    is_active: bool
    is_default: bool
    supplier_ids: list[UUID]
    min_amount: str | None
    max_amount: str | None
    currencies: list[str]
    dimension_values: dict[str, list[str]]
    custom_field_values: dict[str, list[str]]
    approvers: list[RuleApproverOut]
    created_at: datetime
    modified_at: datetime

    @classmethod
    def from_rule(cls, rule: RoutingRule, home_currency: str) -> RoutingRuleOut:
        def amount(value: Decimal | None) -> str | None:
            return None if value is None else format_amount(value, home_currency)

        return cls(
            id=rule.id,
            name=rule.name,
            position=rule.position,
            is_active=rule.is_active,
            is_default=rule.is_default,
            supplier_ids=rule.supplier_ids,
            min_amount=amount(rule.min_amount),
            max_amount=amount(rule.max_amount),
            currencies=rule.currencies,
            dimension_values=rule.dimension_values,
            custom_field_values={
                k: [str(v) for v in vs] for k, vs in rule.custom_field_values.items()
            },
            approvers=rule.approvers,
            created_at=rule.created_at,
            modified_at=rule.modified_at,
        )


def summary_of(invoice: object) -> InvoiceSummaryOut:
    """The invoice as a queue entry shows it; the caller selects the supplier and company."""
    cur = invoice.currency
    return InvoiceSummaryOut(
        id=invoice.id,
        internal_id=invoice.internal_id,
        invoice_number=invoice.invoice_number,
        status=invoice.status,
        supplier_id=invoice.supplier_id,
        supplier_name=invoice.supplier.name,
        invoice_date=invoice.invoice_date,
        due_date=invoice.due_date,
        currency=cur,
        gross_amount=format_amount(invoice.gross_amount, cur),
        home_gross_amount=format_amount(invoice.home_gross_amount, invoice.company.home_currency),
        modified_at=invoice.modified_at,
    )
