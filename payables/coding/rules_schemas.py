"""What the coding-rule endpoints take and answer (the rule shapes are in ``rule_checks``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.coding.models import CodingRule
from payables.coding.rule_checks import MAX_POSITION, RuleActions, RuleConditions
from payables.coding.rules import LineVerdict
from payables.invoices.models import Invoice
from payables.money import format_amount
from payables.schema_types import Flag, InSchema

InvoiceRef = str | int


class CodingRuleIn(InSchema):
    name: str = Field(..., min_length=1, max_length=200, description="Unique in the company.")
    position: int | None = Field(
        None, ge=0, le=MAX_POSITION, description="Lower first; ties by creation. Default: last."
    )
    is_active: Flag = True
    conditions: RuleConditions = Field(default_factory=RuleConditions)
    actions: RuleActions


class CodingRulePatch(InSchema):
    """Given fields change, the others stay; `conditions` and `actions` are replaced whole."""

    name: str = Field(None, min_length=1, max_length=200)
    position: int = Field(None, ge=0, le=MAX_POSITION)
    is_active: Flag = None
    conditions: RuleConditions = None
    actions: RuleActions = None


class RuleOrderIn(InSchema):
    ids: list[UUID] = Field(
        ..., max_length=1000, description="Every rule of the company once, first tried first."
    )


class CodingRuleOut(Schema):
    id: UUID
    name: str
    position: int
    is_active: bool
    conditions: dict = Field(description="As stored: amounts as strings, the supplier's UUID.")
    actions: dict
    created_at: datetime
    modified_at: datetime

    @classmethod
    def from_rule(cls, rule: CodingRule) -> CodingRuleOut:
        return cls(
            id=rule.id,
            name=rule.name,
            position=rule.position,
            is_active=rule.is_active,
            conditions=rule.conditions,
            actions=rule.actions,
            created_at=rule.created_at,
            modified_at=rule.modified_at,
        )


class DryRunIn(InSchema):
    invoice: InvoiceRef = Field(description="The invoice's UUID or internal id.")


class UnsavedRuleIn(InSchema):
    conditions: RuleConditions = Field(default_factory=RuleConditions)
    actions: RuleActions


class UnsavedDryRunIn(InSchema):
    rule: UnsavedRuleIn
    invoice: InvoiceRef = Field(description="The invoice's UUID or internal id.")


class CodedLineOut(Schema):
    account_code: str
    vat_code: str
    dimensions: dict[str, str]
    net_amount: str
    vat_amount: str
    description: str


class LineVerdictOut(Schema):
    row_position: int | None = Field(description="None for an invoice without rows.")
    description: str
    net_amount: str
    vat_amount: str
    is_coded: bool = Field(description="The row names its account: autocoding leaves it be.")
    matches: bool = Field(description="Every condition holds.")
    failing_conditions: list[str]
    refusal: str | None = Field(
        description="Why the rule's codes cannot be used on the invoice date (it is passed over)."
    )
    would_apply: bool = Field(description="Matches, uncoded and usable: autocoding would use it.")
    coding: list[CodedLineOut] = Field(description="What the rule gives: one line, or a split.")


class DryRunOut(Schema):
    rule_id: UUID | None = Field(description="None for a rule tried without storing it.")
    invoice_id: UUID
    internal_id: int
    lines: list[LineVerdictOut]

    @classmethod
    def of(cls, rule_id: UUID | None, invoice: Invoice, verdicts: list[LineVerdict]) -> DryRunOut:
        currency = invoice.currency
        return cls(
            rule_id=rule_id,
            invoice_id=invoice.id,
            internal_id=invoice.internal_id,
            lines=[
                LineVerdictOut(
                    row_position=v.line.row_position,
                    description=v.line.description,
                    net_amount=format_amount(v.line.net_amount, currency),
                    vat_amount=format_amount(v.line.vat_amount, currency),
                    is_coded=v.line.is_coded,
                    matches=not v.failing,
                    failing_conditions=v.failing,
                    refusal=v.refusal.message if v.refusal else None,
                    would_apply=v.would_apply,
                    coding=[
                        CodedLineOut(
                            account_code=c.account_code,
                            vat_code=c.vat_code,
                            dimensions=c.dimensions,
                            net_amount=format_amount(c.net_amount, currency),
                            vat_amount=format_amount(c.vat_amount, currency),
                            description=c.description,
                        )
                        for c in v.result
                    ],
                )
                for v in verdicts
            ],
        )
