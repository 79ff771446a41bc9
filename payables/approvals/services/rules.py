"""Routing rules: stored and removed through here, each change an event."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from payables.approvals.models import RoutingRule
from payables.approvals.services.people import require_manager
from payables.errors import FieldError
from payables.events import event_types
from payables.events.services import lock_company_writes, record_event
from payables.tenancy.actors import Actor


def save_rule(rule: RoutingRule, *, actor: Actor, created: bool) -> RoutingRule:
    """Store a rule the caller has checked (see ``routing.check_rule``) and record it."""
    require_manager(actor)
    with transaction.atomic():
        lock_company_writes(actor.company)
        if rule.is_default:  # one default per company: the new one replaces the old
            RoutingRule.objects.filter(company=actor.company, is_default=True).exclude(
                pk=rule.pk
            ).update(is_default=False)
        try:
            with transaction.atomic():
                rule.save()
        except IntegrityError:  # the only other unique constraint, the default, is swapped above
            raise FieldError(
                f"The company has a routing rule named {rule.name!r} already",
                loc=["name"],
                code="duplicate_name",
            ) from None
        record_event(
            event_types.ROUTING_RULE_CREATED if created else event_types.ROUTING_RULE_UPDATED,
            actor=actor,
            subject_type="routing_rule",
            subject_id=rule.id,
            payload={"id": str(rule.id), "name": rule.name},
        )
    return rule


def delete_rule(rule: RoutingRule, *, actor: Actor) -> None:
    """Remove a rule; chains it built stay as they are."""
    require_manager(actor)
    with transaction.atomic():
        lock_company_writes(actor.company)
        record_event(
            event_types.ROUTING_RULE_DELETED,
            actor=actor,
            subject_type="routing_rule",
            subject_id=rule.id,
            payload={"id": str(rule.id), "name": rule.name},
        )
        rule.delete()
