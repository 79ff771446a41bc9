"""Template filters that ask ``tenancy.permissions`` what the signed-in person may do."""

from __future__ import annotations

from django import template

from payables.tenancy.actors import Actor
from payables.tenancy.permissions import Action, may

register = template.Library()


@register.filter(name="may")
def may_filter(actor: Actor | None, action: str) -> bool:
    """``{% if request.actor|may:"export" %}``; nobody signed in may do nothing."""
    return isinstance(actor, Actor) and may(actor, Action(action))
