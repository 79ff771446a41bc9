"""What orders tells the apps above it through hooks they install at start-up: an order
changed.

Orders is layer 5 and never imports the hand-off (layer 7), which keeps the exported
documents of invoices matched to an order: a match shows the order's number and line
descriptions, so the hand-off writes those documents again when the order changes.
"""

from __future__ import annotations

from collections.abc import Callable

from payables.orders.models import PurchaseOrder
from payables.tenancy.actors import Actor

# Called as hook(order, actor=actor) inside the change's transaction, after the order and
# its lines are saved.
ChangeHook = Callable[..., object]

_change_hooks: list[ChangeHook] = []


def on_order_changed(hook: ChangeHook) -> None:
    """Call ``hook(order, actor=actor)`` after each change of a stored order (its header,
    lines or status; ``modified_at`` moved).

    Installing the same hook again is a no-op (Django may call ``ready`` twice in tests).
    """
    if hook not in _change_hooks:
        _change_hooks.append(hook)


def tell_order_changed(order: PurchaseOrder, *, actor: Actor) -> None:
    for hook in _change_hooks:
        hook(order, actor=actor)
