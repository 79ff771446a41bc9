"""Coding rules (autotransactions): created, changed, reordered and removed through here.

Each write locks the company's writes first, then re-reads and checks what it changes, so
two people editing rules at once both land, the later on top of the earlier. Each change
is an event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

from django.db import transaction
from django.db.models import Max

from payables.coding.models import CodingRule
from payables.coding.rule_checks import check_rule
from payables.coding.rules import CodingRuleNotFound
from payables.errors import FieldError, ValidationFailed
from payables.events import event_types
from payables.events.services import lock_company_writes, record_event
from payables.tenancy.actors import Actor
from payables.tenancy.permissions import Action, require


def create_rule(data: Mapping[str, object], *, actor: Actor) -> CodingRule:
    """Add a rule from plain field values (see ``rule_checks``); ``name`` and ``actions``
    are required. Without a ``position`` it goes last."""
    require(actor, Action.EDIT_INVOICES)
    with transaction.atomic():
        lock_company_writes(actor.company)
        values = check_rule(actor.company, data)
        if "position" not in values:
            last = CodingRule.objects.filter(company=actor.company).aggregate(p=Max("position"))
            values["position"] = 1 if last["p"] is None else last["p"] + 1
        rule = CodingRule(company=actor.company, **values)
        rule.save()
        _record(rule, event_types.CODING_RULE_CREATED, actor=actor)
    return rule


def update_rule(rule: CodingRule, changes: Mapping[str, object], *, actor: Actor) -> CodingRule:
    """Set the fields given on the rule as stored now; ``conditions`` and ``actions``, when
    given, replace the stored ones whole. Answers the stored rule."""
    require(actor, Action.EDIT_INVOICES)
    with transaction.atomic():
        lock_company_writes(actor.company)
        stored = _reread(rule, actor=actor)
        for name, value in check_rule(actor.company, changes, rule=stored).items():
            setattr(stored, name, value)
        stored.save()
        _record(stored, event_types.CODING_RULE_UPDATED, actor=actor)
    return stored


def delete_rule(rule: CodingRule, *, actor: Actor) -> None:
    """Remove a rule; the lines it coded keep their coding and their ``rule:<id>`` source."""
    require(actor, Action.EDIT_INVOICES)
    with transaction.atomic():
        lock_company_writes(actor.company)
        stored = _reread(rule, actor=actor)
        _record(stored, event_types.CODING_RULE_DELETED, actor=actor)
        stored.delete()


def reorder_rules(rule_ids: Sequence[UUID], *, actor: Actor) -> list[CodingRule]:
    """Give the company's rules the order listed (positions 1, 2, …); every rule once.

    Answers the rules in their new order; each one whose position changed is an event.
    """
    require(actor, Action.EDIT_INVOICES)
    with transaction.atomic():
        lock_company_writes(actor.company)
        rules = {r.pk: r for r in CodingRule.objects.filter(company=actor.company)}
        _check_order(rule_ids, rules)
        ordered = [rules[rule_id] for rule_id in rule_ids]
        for position, rule in enumerate(ordered, start=1):
            if rule.position != position:
                rule.position = position
                rule.save(update_fields=["position", "modified_at"])
                _record(rule, event_types.CODING_RULE_UPDATED, actor=actor)
    return ordered


def _check_order(rule_ids: Sequence[UUID], rules: dict[UUID, CodingRule]) -> None:
    problems = []
    seen: set[UUID] = set()
    for index, rule_id in enumerate(rule_ids):
        if rule_id not in rules:
            problems.append(FieldError("No such coding rule", loc=["ids", index]))
        elif rule_id in seen:
            problems.append(FieldError("Listed twice", loc=["ids", index], code="duplicate"))
        seen.add(rule_id)
    missing = [str(pk) for pk in rules if pk not in seen]
    if missing:
        message = f"List every rule of the company; missing: {', '.join(sorted(missing))}"
        problems.append(FieldError(message, loc=["ids"], code="missing"))
    if problems:
        raise ValidationFailed(problems)


def _reread(rule: CodingRule, *, actor: Actor) -> CodingRule:
    """The rule as stored now, under the lock; gone (or another company's) is not found."""
    stored = CodingRule.objects.filter(company=actor.company, pk=rule.pk).first()
    if stored is None:
        raise CodingRuleNotFound()
    return stored


def _record(rule: CodingRule, event_type: str, *, actor: Actor) -> None:
    record_event(
        event_type,
        actor=actor,
        subject_type="coding_rule",
        subject_id=rule.id,
        payload={"id": str(rule.id), "name": rule.name},
    )
