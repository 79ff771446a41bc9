"""Approval chains: routing new invoices, appending approvers, approving, rejecting, re-routing.

Every public function is one transaction that takes the company's write lock first,
records its events and adds to the invoice's audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from payables.approvals.errors import (
    CannotBeFinalApprover,
    NotAnApprover,
    NotYourStep,
    PersonRequired,
    StepNotCurrent,
)
from payables.approvals.models import ApprovalStep, Level, RoutingRule
from payables.approvals.routing import active_rules, matching_rule
from payables.approvals.services.people import (
    find_user,
    invoice_amount,
    refusal_as_approver,
    refusal_as_last,
    require_manager,
)
from payables.coding.hooks import CodingChange
from payables.errors import FieldError
from payables.events import event_types
from payables.events.services import lock_company_writes
from payables.invoices import lifecycle
from payables.invoices.errors import WrongInvoiceState
from payables.invoices.lifecycle import lock_invoice
from payables.invoices.models import Invoice
from payables.invoices.trail import add_audit_entry, record_invoice_event
from payables.orders.queries import match_facts
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company, CompanyUser
from payables.tenancy.services import take_next_values

APPENDABLE = {Invoice.Status.NEW, Invoice.Status.ASSIGNED}
MAX_COMMENT = 200
# The counter of the steps' ``internal_id``s (the approval ids of integer-keyed APIs).
STEP_COUNTER = "approval_step"
_APPROVER_USERS = "_payables_approver_users"  # a rule object's approvers (``_approver_users``)


@dataclass(frozen=True)
class ApproverRequest:
    """A user to append, named by UUID, email or external code, at a level (3, 2 or 1)."""

    user: str
    level: int = 1


@dataclass(frozen=True)
class AppendOutcome:
    """What became of one requested approver."""

    requested: str
    level: int
    user: CompanyUser | None
    reason: str | None = None
    step: ApprovalStep | None = None

    @property
    def added(self) -> bool:
        return self.step is not None


def route_new_invoice(invoice: Invoice, *, actor: Actor) -> bool:
    """Build the chain of a ``new`` invoice from the first matching rule, inside the caller's
    transaction. Returns whether the invoice became ``assigned``.

    Without a matching rule (or when none of its approvers can take the invoice) the
    invoice stays ``new`` and shows in the unassigned list.
    """
    if invoice.status != Invoice.Status.NEW:
        return False
    if lifecycle.is_created_now(invoice):  # no steps yet: the first round
        return _route(invoice, actor=actor, round_=1)
    waiting = invoice.approval_steps.filter(status=ApprovalStep.Status.WAITING)
    if waiting.exists():
        return False
    return _route(invoice, actor=actor, round_=_open_round(invoice))


def append_approvers(
    invoice: Invoice, requests: list[ApproverRequest], *, actor: Actor
) -> list[AppendOutcome]:
    """Append approvers at the end of the invoice's current chain.

    Each requested user is added or skipped with a reason; a skip never stops the
    others. Only ``new`` and ``assigned`` invoices take approvers; a ``new`` one that
    gains a step becomes ``assigned``. Waiting steps of approvers who have since been
    deactivated are skipped when someone is added, so a chain never waits for a person
    who can no longer act.
    """
    require_manager(actor)
    with transaction.atomic():
        lock_company_writes(actor.company)
        invoice = lock_invoice(invoice)
        if invoice.status not in APPENDABLE:
            raise WrongInvoiceState(
                f"Approvers can be added to new or assigned invoices; this one is {invoice.status}."
            )
        round_ = _open_round(invoice)
        waiting_steps = invoice.approval_steps.filter(
            round=round_, status=ApprovalStep.Status.WAITING
        )
        waiting = set(waiting_steps.values_list("approver_id", flat=True))
        outcomes = _plan_steps(invoice, [(r.user, r.level) for r in requests], waiting)
        outcomes = _create_steps(invoice, outcomes, round_=round_)
        added = [o for o in outcomes if o.added]
        if added:
            _skip(waiting_steps.filter(approver__is_active=False), "skipped: approver inactive")
        add_audit_entry(invoice, actor, "approvers_appended", comment=_describe(outcomes))
        appended = [_outcome_payload(o) for o in outcomes]
        record_invoice_event(
            event_types.APPROVERS_APPENDED, invoice, actor=actor, details={"appended": appended}
        )
        if added:
            _advance(invoice, actor=actor)
    return outcomes


def approve_step(step: ApprovalStep, *, actor: Actor, comment: str = "") -> ApprovalStep:
    """The step's approver approves; the last approval makes the invoice ``approved``."""
    if len(comment) > MAX_COMMENT:
        raise FieldError(f"A comment is at most {MAX_COMMENT} characters", loc=["comment"])
    with transaction.atomic():
        lock_company_writes(actor.company)
        invoice = lock_invoice(step.invoice)
        step = _lock_acting_step(step, actor, invoice)
        later = invoice.approval_steps.filter(
            round=step.round, position__gt=step.position, status=ApprovalStep.Status.WAITING
        )
        if not later.exists():
            reason = refusal_as_last(step.approver, invoice_amount(invoice))
            if reason:
                raise CannotBeFinalApprover(_final_refusal_message(reason, invoice))
        _act(step, ApprovalStep.Status.APPROVED, actor, comment)
        add_audit_entry(invoice, actor, "approved", comment=comment)
        record_invoice_event(
            event_types.APPROVAL_STEP_APPROVED, invoice, actor=actor, details=_step_payload(step)
        )
        _advance(invoice, actor=actor)
    return step


def reject_step(step: ApprovalStep, *, actor: Actor, reason: str) -> ApprovalStep:
    """The step's approver rejects: the invoice becomes ``rejected``; later steps are skipped.

    Every caller gets the same check on the reason: required, at most 200 characters.
    """
    reason = reason.strip()
    if not reason or len(reason) > MAX_COMMENT:
        raise FieldError(
            f"A reason of 1 to {MAX_COMMENT} characters is required to reject", loc=["reason"]
        )
    with transaction.atomic():
        lock_company_writes(actor.company)
        invoice = lock_invoice(step.invoice)
        step = _lock_acting_step(step, actor, invoice)
        _act(step, ApprovalStep.Status.REJECTED, actor, reason)
        waiting = invoice.approval_steps.filter(
            round=step.round, status=ApprovalStep.Status.WAITING
        )
        _skip(waiting, "skipped: invoice rejected")
        details = _step_payload(step) | {"reason": reason}
        lifecycle.reject(
            invoice,
            actor=actor,
            reason=reason,
            details=details,
            step_event=event_types.APPROVAL_STEP_REJECTED,
        )
    return step


def reroute_invoice(invoice: Invoice, *, actor: Actor, comment: str = "") -> Invoice:
    """Give a rejected invoice a new chain from the routing rules, keeping the old one.

    The invoice becomes ``assigned`` again, or ``new`` (unassigned) if no rule matches.
    """
    require_manager(actor)
    with transaction.atomic():
        lock_company_writes(actor.company)
        invoice = lock_invoice(invoice)
        if invoice.status != Invoice.Status.REJECTED:
            raise WrongInvoiceState(
                f"Only rejected invoices are re-routed; this one is {invoice.status}."
            )
        lifecycle.reopen(invoice, actor=actor, comment=comment)  # routes it again (hook)
    return invoice


def restart_chain_on_coding_change(invoice: Invoice, change: CodingChange, *, actor: Actor) -> bool:
    """Coding hook: restart the chain of an assigned invoice whose coding changed a
    dimension a routing rule of the company looks at, where the company wants that.

    Inside the coding change's transaction (company and invoice locked). Routing rules
    have no account conditions, so a change of accounts alone restarts nothing.
    """
    company = invoice.company
    if not company.coding_change_restarts_chain or invoice.status != Invoice.Status.ASSIGNED:
        return False
    watched = {
        dim_type
        for conditions in RoutingRule.objects.filter(company=company, is_active=True).values_list(
            "dimension_values", flat=True
        )
        for dim_type in conditions or {}
    }
    changed = sorted(change.dimension_types & watched)
    if not changed:
        return False
    close_chain(invoice, reason="coding changed")
    lifecycle.restart(
        invoice, actor=actor, comment=f"coding changed {', '.join(changed)}: routing depends on it"
    )  # routes it again (hook)
    return True


def close_chain_of_cancelled(invoice: Invoice, *, actor: Actor) -> None:
    """Lifecycle hook: a cancelled invoice leaves approval."""
    close_chain(invoice, reason="invoice cancelled")


def close_chain(invoice: Invoice, *, reason: str) -> None:
    """Skip the waiting steps of an invoice that leaves approval (a cancellation), inside
    the caller's transaction, so nobody's queue keeps it and no step stays current."""
    _skip(invoice.approval_steps.filter(status=ApprovalStep.Status.WAITING), f"skipped: {reason}")


# --- internals -------------------------------------------------------------------------------


def _skip(steps: QuerySet[ApprovalStep], comment: str) -> None:
    """Skip waiting steps; none of them stays current."""
    skipped = ApprovalStep.Status.SKIPPED
    steps.update(status=skipped, is_current=False, comment=comment)  # not-invoice-status


def _route(invoice: Invoice, *, actor: Actor, round_: int) -> bool:
    """Build the chain from the first matching rule; an invoice that differs from its
    purchase order goes to the order's requester first, and one that matches it within
    tolerance is approved at once where the company wants that."""
    po = match_facts(invoice)
    if po is not None and po.within_tolerance and _auto_approves(invoice):
        comment = f"matched PO {po.order_number} within tolerance"
        lifecycle.approve_without_chain(invoice, actor=actor, comment=comment)
        return False
    rules = active_rules(invoice.company)
    rule = matching_rule(invoice, rules)
    requester = po.requester if po is not None and po.discrepancy else None
    if rule is None and requester is None:
        if rules:
            add_audit_entry(invoice, actor, "not_routed", comment="no routing rule matches")
        return False
    approvers = rule.approvers if rule is not None else []
    users = _approver_users(rule, invoice.company) if rule is not None else {}
    # Levels run from pre-verification (3) down to approval (1); ties keep the rule's order.
    wanted = sorted(approvers, key=lambda a: -a["level"])
    requests = [(users.get(a["user_id"]), a["level"]) for a in wanted]
    if requester is not None:  # checks the discrepancy before anyone approves
        requests.insert(0, (requester, Level.PRE_VERIFICATION))
    outcomes = _plan_steps(invoice, requests, set())
    created_now = lifecycle.is_created_now(invoice)
    outcomes = _create_steps(invoice, outcomes, round_=round_, first_chain=created_now)
    skipped = [o for o in outcomes if not o.added]
    why = [f"rule {rule.name}"] if rule is not None else []
    if requester is not None:
        why.insert(0, f"PO {po.order_number} discrepancy to its requester: {'; '.join(po.reasons)}")
    if not any(o.added for o in outcomes):
        why.append(_describe(skipped))
        add_audit_entry(invoice, actor, "not_routed", comment="; ".join(why))
        return False
    note = "; ".join(why) + (f"; {_describe(skipped)}" if skipped else "")
    add_audit_entry(invoice, actor, "routed", comment=note)
    if created_now:  # its first step was stored current: nothing to look up
        lifecycle.assign(invoice, actor=actor, rule=rule.name if rule else None)
    else:
        _advance(invoice, actor=actor, rule=rule)
    return True


def _approver_users(rule: RoutingRule, company: Company) -> dict[str, CompanyUser]:
    """The rule's approvers by id, read once per rule object.

    Inside a write batch every invoice gets the same rule objects (``active_rules``, read
    again after any rule change), so a batch's invoices share one read of the approvers;
    elsewhere each routing reads its rules, and so its approvers, afresh.
    """
    found = getattr(rule, _APPROVER_USERS, None)
    if found is None:
        ids = [a["user_id"] for a in rule.approvers]
        found = {str(u.pk): u for u in CompanyUser.objects.filter(company=company, pk__in=ids)}
        setattr(rule, _APPROVER_USERS, found)
    return found


def _auto_approves(invoice: Invoice) -> bool:
    return invoice.company.auto_approve_matched and not invoice.needs_review


def _plan_steps(
    invoice: Invoice, requests: list[tuple[str | CompanyUser | None, int]], waiting: set
) -> list[AppendOutcome]:
    """Decide who is added and who is skipped (and why), in request order.

    The last of the added must be able to be the final approver: while the would-be
    last cannot, they are skipped and the one before them becomes last.
    """
    outcomes: list[AppendOutcome] = []
    seen: set = set()
    for ref, level in requests:
        user = find_user(invoice.company, ref) if isinstance(ref, str) else ref
        requested = ref if isinstance(ref, str) else (user.code if user else "?")
        reason = None
        if user is None:
            reason = "unknown_user"
        elif user.pk in seen:
            reason = "duplicate_in_request"
        elif user.pk in waiting:
            reason = "already_in_chain"
        else:
            reason = refusal_as_approver(user)
        if user is not None and reason is None:
            seen.add(user.pk)
        outcomes.append(AppendOutcome(requested=requested, level=level, user=user, reason=reason))
    amount = invoice_amount(invoice)
    for index in range(len(outcomes) - 1, -1, -1):
        outcome = outcomes[index]
        if outcome.reason is not None:
            continue
        reason = refusal_as_last(outcome.user, amount)
        if reason is None:
            break
        outcomes[index] = AppendOutcome(
            requested=outcome.requested, level=outcome.level, user=outcome.user, reason=reason
        )
    return outcomes


def _create_steps(
    invoice: Invoice, outcomes: list[AppendOutcome], *, round_: int, first_chain: bool = False
) -> list[AppendOutcome]:
    """Store a step for each added outcome, after the round's last, in one insert.

    ``first_chain``: the invoice has no steps at all (created by this call), so the round
    starts at position 1 and its first step is stored current, as ``_advance`` would make
    it: a new invoice's chain costs no reads of its own steps.
    """
    position = (
        0
        if first_chain
        else invoice.approval_steps.filter(round=round_).aggregate(last=Max("position"))["last"]
        or 0
    )
    added = sum(1 for outcome in outcomes if outcome.reason is None)
    next_id = take_next_values(invoice.company, STEP_COUNTER, added) - added + 1 if added else 0
    result, steps = [], []
    for outcome in outcomes:
        if outcome.reason is None:
            position += 1
            step = ApprovalStep(
                company=invoice.company,
                internal_id=next_id,
                invoice=invoice,
                round=round_,
                position=position,
                level=outcome.level,
                approver=outcome.user,
            )
            if first_chain and not steps:
                _make_current(step, invoice)
            next_id += 1
            steps.append(step)
            outcome = AppendOutcome(
                requested=outcome.requested, level=outcome.level, user=outcome.user, step=step
            )
        result.append(outcome)
    ApprovalStep.objects.bulk_create(steps)
    return result


def _advance(invoice: Invoice, *, actor: Actor, rule: RoutingRule | None = None) -> None:
    """Make the first waiting step current; with none left the invoice is approved."""
    if invoice.approval_steps.filter(is_current=True).exists():
        return
    step = (
        invoice.approval_steps.filter(
            round=_current_round(invoice), status=ApprovalStep.Status.WAITING
        )
        .order_by("position")
        .first()
    )
    if step is not None:
        _make_current(step, invoice)
        step.save(update_fields=["is_current", "invoice_due_date", "invoice_internal_id"])
        if invoice.status == Invoice.Status.NEW:
            lifecycle.assign(invoice, actor=actor, rule=rule.name if rule else None)
        else:
            invoice.save(update_fields=["modified_at"])
        return
    if invoice.status == Invoice.Status.ASSIGNED:
        lifecycle.approve(invoice, actor=actor)  # the hand-off may export it at once (hook)


def _make_current(step: ApprovalStep, invoice: Invoice) -> None:
    step.is_current = True
    # The queue sorts by these; an assigned invoice cannot change them (not editable).
    step.invoice_due_date = invoice.due_date
    step.invoice_internal_id = invoice.internal_id


def _lock_acting_step(step: ApprovalStep, actor: Actor, invoice: Invoice) -> ApprovalStep:
    if actor.user is None:
        raise PersonRequired()
    step = ApprovalStep.objects.select_for_update().select_related("approver").get(pk=step.pk)
    if step.approver_id != actor.user.pk:
        raise NotYourStep()
    if refusal_as_approver(step.approver):  # the approver role was taken away since
        raise NotAnApprover()
    if invoice.status != Invoice.Status.ASSIGNED:
        raise WrongInvoiceState(f"The invoice is {invoice.status}, not waiting for approval.")
    if not step.is_current:
        raise StepNotCurrent(
            "This step is not the invoice's current step."
            if step.status == ApprovalStep.Status.WAITING
            else f"This step is already {step.status}."
        )
    return step


def _act(step: ApprovalStep, status: str, actor: Actor, comment: str) -> None:
    step.status = status  # not-invoice-status
    step.comment = comment
    step.is_current = False
    step.acted_at = timezone.now()
    step.acted_by = actor.label
    fields = ["status", "comment", "is_current", "acted_at", "acted_by"]
    step.save(update_fields=fields)  # not-invoice-status


def _current_round(invoice: Invoice) -> int:
    return invoice.approval_steps.aggregate(last=Max("round"))["last"] or 1


def _open_round(invoice: Invoice) -> int:
    """The round new steps join: the current one, or a fresh one for a ``new`` invoice
    whose earlier round ended (rejected, then re-routed without a matching rule)."""
    last = invoice.approval_steps.aggregate(last=Max("round"))["last"]
    if last is None:
        return 1
    ended = not invoice.approval_steps.filter(
        round=last, status=ApprovalStep.Status.WAITING
    ).exists()
    return last + 1 if invoice.status == Invoice.Status.NEW and ended else last


def _final_refusal_message(reason: str, invoice: Invoice) -> str:
    if reason == "approval_limit_below_amount":
        return (
            f"Your approval limit is below this invoice's amount "
            f"({invoice_amount(invoice)} {invoice.company.home_currency}): "
            "you cannot be its final approver."
        )
    return "You may not be the final approver of an invoice."


def _step_payload(step: ApprovalStep) -> dict:
    return {
        "step_id": str(step.id),
        "level": step.level,
        "approver_id": str(step.approver_id),
        "comment": step.comment,
    }


def _outcome_payload(outcome: AppendOutcome) -> dict:
    return {
        "user": outcome.requested,
        "user_id": str(outcome.user.pk) if outcome.user else None,
        "level": outcome.level,
        "outcome": "added" if outcome.added else "skipped",
        "reason": outcome.reason,
    }


def _describe(outcomes: list[AppendOutcome]) -> str:
    return ", ".join(
        f"{o.requested} {'added' if o.added else 'skipped (' + str(o.reason) + ')'}"
        for o in outcomes
    )
