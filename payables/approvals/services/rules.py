"""Routing rules: created, changed and removed through here, each change an event.

Each write locks the company's writes first, then re-reads and checks what it changes:
two managers editing one rule at once both land, the later one on top of the earlier.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from payables.approvals.errors import RuleNotFound
from payables.approvals.models import RoutingRule
from payables.approvals.routing import check_rule
from payables.approvals.services.people import require_manager
from payables.events import event_types
from payables.events.services import lock_company_writes, record_event
from payables.tenancy.actors import Actor


def create_rule(data: Mapping[str, object], *, actor: Actor) -> RoutingRule:
    """Add a rule from plain field values (see ``routing.check_rule``).

    ``name`` and ``approvers`` are required; ``is_default`` makes the rule the company
    default, replacing the old one.
    """
    require_manager(actor)
    with transaction.atomic():
        lock_company_writes(actor.company)
        rule = RoutingRule(company=actor.company, **check_rule(actor.company, data))
        _store(rule, event_types.ROUTING_RULE_CREATED, actor=actor)
    return rule


def update_rule(rule: RoutingRule, changes: Mapping[str, object], *, actor: Actor) -> RoutingRule:
    """Set the fields given on the rule as stored now; the others keep their stored values.

    A sent ``approvers`` list replaces the stored one. Answers the stored rule.
    """
    require_manager(actor)
    with transaction.atomic():
        lock_company_writes(actor.company)
        stored = _reread(rule, actor=actor)
        for name, value in check_rule(actor.company, changes, rule=stored).items():
            setattr(stored, name, value)
        _store(stored, event_types.ROUTING_RULE_UPDATED, actor=actor)
    return stored


def delete_rule(rule: RoutingRule, *, actor: Actor) -> None:
    """Remove a rule; chains it built stay as they are."""
    require_manager(actor)
    with transaction.atomic():
        lock_company_writes(actor.company)
        stored = _reread(rule, actor=actor)
        _record(stored, event_types.ROUTING_RULE_DELETED, actor=actor)
        stored.delete()


def _reread(rule: RoutingRule, *, actor: Actor) -> RoutingRule:
    """The rule as stored now, under the lock; gone (or another company's) is not found."""
    stored = RoutingRule.objects.filter(company=actor.company, pk=rule.pk).first()
    if stored is None:
        raise RuleNotFound()
    return stored


def _store(rule: RoutingRule, event_type: str, *, actor: Actor) -> None:
    if rule.is_default:  # one default per company: this one replaces the old
        RoutingRule.objects.filter(company=actor.company, is_default=True).exclude(
            pk=rule.pk
        ).update(is_default=False)
    rule.save()
    _record(rule, event_type, actor=actor)


def _record(rule: RoutingRule, event_type: str, *, actor: Actor) -> None:
    record_event(
        event_type,
        actor=actor,
        subject_type="routing_rule",
        subject_id=rule.id,
        payload={"id": str(rule.id), "name": rule.name},
    )
