"""Coding rule endpoints (``/api/v1/coding-rules``): CRUD, order, and dry runs."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status

from payables.coding import rules
from payables.coding.queries import invoice_in_body
from payables.coding.rule_checks import unsaved_rule
from payables.coding.rules_schemas import (
    CodingRuleIn,
    CodingRuleOut,
    CodingRulePatch,
    DryRunIn,
    DryRunOut,
    RuleOrderIn,
    UnsavedDryRunIn,
)
from payables.coding.services import rules as rule_services
from payables.schema_types import Page, PageParams, paginate
from payables.tenancy.auth import scoped

router = Router(tags=["coding rules"])
read = scoped("coding:read")
write = scoped("coding:write")


@router.get("", response=Page[CodingRuleOut], auth=read)
def list_rules(request: HttpRequest, params: Query[PageParams]) -> dict:
    """The company's coding rules in the order they are tried."""
    page, count = paginate(rules.rules_of(request.actor.company), params)
    return {"items": [CodingRuleOut.from_rule(r) for r in page], "count": count}


@router.post("", response={201: CodingRuleOut}, auth=write)
def create_rule(request: HttpRequest, payload: CodingRuleIn) -> Status[CodingRuleOut]:
    """Add a rule; without a `position` it is tried last."""
    data = payload.model_dump(exclude_unset=True, exclude_none=True)
    rule = rule_services.create_rule(data, actor=request.actor)
    return Status(201, CodingRuleOut.from_rule(rule))


# Before `/{rule_id}`: these paths are not a rule's id.
@router.put("/order", response=list[CodingRuleOut], auth=write)
def reorder_rules(request: HttpRequest, payload: RuleOrderIn) -> list[CodingRuleOut]:
    """Set the order rules are tried in: list every rule's id once, first tried first."""
    ordered = rule_services.reorder_rules(payload.ids, actor=request.actor)
    return [CodingRuleOut.from_rule(r) for r in ordered]


@router.post("/dry-run", response=DryRunOut, auth=read)
def dry_run_unsaved(request: HttpRequest, payload: UnsavedDryRunIn) -> DryRunOut:
    """What a rule not stored would do to each row of an invoice; stores nothing.

    An unknown invoice is a 422 at `["body", "invoice"]`."""
    company = request.actor.company
    invoice = invoice_in_body(company, str(payload.invoice), loc=["body", "invoice"])
    sent = payload.model_dump(exclude_unset=True, exclude_none=True)["rule"]
    try_out = unsaved_rule(company, sent, at=["rule"])
    return DryRunOut.of(None, invoice, rules.dry_run(try_out, invoice))


@router.get("/{rule_id}", response=CodingRuleOut, auth=read)
def get_rule(request: HttpRequest, rule_id: UUID) -> CodingRuleOut:
    """A rule of the company: its position, conditions and actions."""
    return CodingRuleOut.from_rule(rules.get_rule(request.actor.company, rule_id))


@router.patch("/{rule_id}", response=CodingRuleOut, auth=write)
def update_rule(request: HttpRequest, rule_id: UUID, payload: CodingRulePatch) -> CodingRuleOut:
    """Change the fields sent; `conditions` and `actions` are replaced whole."""
    rule = rules.get_rule(request.actor.company, rule_id)
    sent = payload.model_dump(exclude_unset=True, exclude_none=True)
    return CodingRuleOut.from_rule(rule_services.update_rule(rule, sent, actor=request.actor))


@router.delete("/{rule_id}", response={204: None}, auth=write)
def delete_rule(request: HttpRequest, rule_id: UUID) -> Status[None]:
    """Remove a rule; the lines it coded keep their coding and their `rule:<id>` source."""
    rule_services.delete_rule(rules.get_rule(request.actor.company, rule_id), actor=request.actor)
    return Status(204, None)


@router.post("/{rule_id}/dry-run", response=DryRunOut, auth=read)
def dry_run(request: HttpRequest, rule_id: UUID, payload: DryRunIn) -> DryRunOut:
    """What the rule would do to each row of an invoice (inactive or not); stores nothing.

    An unknown rule is a 404; an unknown invoice a 422 at `["body", "invoice"]`."""
    company = request.actor.company
    rule = rules.get_rule(company, rule_id)
    invoice = invoice_in_body(company, str(payload.invoice), loc=["body", "invoice"])
    return DryRunOut.of(rule.id, invoice, rules.dry_run(rule, invoice))
