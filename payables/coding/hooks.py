"""What coding tells the apps above it, and asks them, through hooks they install at start-up.

Coding is layer 5 and never imports approvals (layer 6): approvals installs a handler that
restarts an invoice's chain when its coding changed what routing depends on, and answers
whether an invoice is waiting for a given approver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from payables.invoices.models import Invoice
from payables.tenancy.actors import Actor
from payables.tenancy.models import CompanyUser


@dataclass(frozen=True)
class CodingChange:
    """What a change of posting lines changed: dimension types whose values differ, and the
    accounts added or removed."""

    how: str
    dimension_types: frozenset[str] = field(default_factory=frozenset)
    accounts: frozenset[str] = field(default_factory=frozenset)


# Called as hook(invoice, change, actor=actor) inside the change's transaction; returns
# True when it restarted the invoice's approval chain.
ChangeHook = Callable[..., bool]
WaitingQuestion = Callable[[Invoice, CompanyUser], bool]

_change_hooks: list[ChangeHook] = []
_waiting_questions: list[WaitingQuestion] = []


def on_coding_changed(hook: ChangeHook) -> None:
    """Call ``hook(invoice, change, actor=actor)`` after each change of posting lines.

    Installing the same hook again is a no-op (Django may call ``ready`` twice in tests).
    """
    if hook not in _change_hooks:
        _change_hooks.append(hook)


def answer_waiting_for(question: WaitingQuestion) -> None:
    """Install ``question(invoice, user)``: whether the invoice's current step is the user's."""
    if question not in _waiting_questions:
        _waiting_questions.append(question)


def tell_coding_changed(invoice: Invoice, change: CodingChange, *, actor: Actor) -> bool:
    """Tell the apps above; True when one of them restarted the invoice's approval chain."""
    restarted = False
    for hook in _change_hooks:
        restarted = bool(hook(invoice, change, actor=actor)) or restarted
    return restarted


def is_waiting_for(invoice: Invoice, user: CompanyUser) -> bool:
    """Whether the invoice waits for this person's approval now (no approvals app: never)."""
    return any(question(invoice, user) for question in _waiting_questions)
