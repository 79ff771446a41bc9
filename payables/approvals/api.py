"""Approval endpoints: the approver's queue, approve / reject, chains, history, routing rules."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from payables.approvals import queries
from payables.approvals.errors import PersonRequired
from payables.approvals.models import RoutingRule
from payables.approvals.queue_page import page_json
from payables.approvals.schemas import (
    AppendApproversIn,
    AppendApproversOut,
    AppendOutcomeOut,
    ApprovalStepOut,
    ChainOut,
    Comment,
    HistoryEntryOut,
    InvoiceSummaryOut,
    QueueEntryOut,
    QueueParams,
    RejectIn,
    RerouteIn,
    RoutingRuleIn,
    RoutingRuleOut,
    RoutingRulePatch,
    summary_of,
)
from payables.approvals.services import (
    ApproverRequest,
    append_approvers,
    approve_step,
    reject_step,
    reroute_invoice,
    rules,
)
from payables.invoices.queries import get_invoice
from payables.schema_types import Page, PageParams, paginate
from payables.tenancy.auth import scoped

router = Router(tags=["approvals"])
NULLABLE_RULE_FIELDS = {"min_amount", "max_amount"}
read = scoped("approvals:read")
write = scoped("approvals:write")


def chain_answer(invoice_id: UUID, request: HttpRequest) -> ChainOut:
    """The invoice's state and every step of its chain, as approve / reject answer."""
    invoice = get_invoice(request.actor.company, str(invoice_id), details=False)
    steps = queries.chain_of(invoice)
    current = next((s.id for s in steps if s.is_current), None)
    return ChainOut(
        invoice_id=invoice.id,
        status=invoice.status,
        current_step_id=current,
        steps=[ApprovalStepOut.from_step(s) for s in steps],
    )


@router.get("/approvals/queue", response=Page[QueueEntryOut], auth=read)
def queue(request: HttpRequest, params: Query[QueueParams]) -> HttpResponse:
    """Invoices whose current step is the caller's: 20 a page, oldest due date first.

    Needs a person: a personal API key (or the web UI's session).
    """
    user = request.actor.user
    if user is None:
        raise PersonRequired()
    steps = queries.queue_of(user, modified_after=params.modified_after)
    start = (params.page - 1) * queries.QUEUE_PAGE_SIZE
    rows = steps.entries(slice(start, start + queries.QUEUE_PAGE_SIZE))
    # The page is written as it is: validating it again would cost more than reading it.
    body = page_json(rows, steps.count())
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@router.get("/approvals/unassigned", response=Page[InvoiceSummaryOut], auth=read)
def unassigned(request: HttpRequest, params: Query[PageParams]) -> dict:
    """New invoices that no routing rule assigned: they wait for approvers to be added."""
    page, count = paginate(queries.unassigned(request.actor.company), params)
    return {"items": [summary_of(i) for i in page], "count": count}


@router.post("/approvals/{step_id}/approve", response=ChainOut, auth=write)
def approve(request: HttpRequest, step_id: UUID, payload: Comment | None = None) -> ChainOut:
    """Approve the current step as its approver (optional comment, ≤ 200 characters).

    The last step of an invoice flagged for review is refused (409 `needs_review`) and
    stays waiting: approve again once an accountant has cleared the review.
    """
    step = queries.get_step(request.actor.company, step_id)
    approve_step(step, actor=request.actor, comment=payload.comment if payload else "")
    return chain_answer(step.invoice_id, request)


@router.post("/approvals/{step_id}/reject", response=ChainOut, auth=write)
def reject(request: HttpRequest, step_id: UUID, payload: RejectIn) -> ChainOut:
    """Reject the invoice at the current step; a reason (≤ 200 characters) is required."""
    step = queries.get_step(request.actor.company, step_id)
    reject_step(step, actor=request.actor, reason=payload.reason)
    return chain_answer(step.invoice_id, request)


@router.post("/invoices/{ref}/approvers", response=AppendApproversOut, auth=write)
def add_approvers(request: HttpRequest, ref: str, payload: AppendApproversIn) -> dict:
    """Append approvers (by UUID, email or external code) to a new or assigned invoice.

    Each is `added`, or `skipped` with a reason (`unknown_user`, `inactive`,
    `not_an_approver`, `cannot_be_last_approver`, `approval_limit_below_amount`,
    `already_in_chain`, `duplicate_in_request`); skips never stop the others.
    """
    invoice = get_invoice(request.actor.company, ref)
    requests = [ApproverRequest(user=a.user, level=a.level) for a in payload.approvers]
    outcomes = append_approvers(invoice, requests, actor=request.actor)
    invoice.refresh_from_db(fields=["status"])
    return {
        "invoice_id": invoice.id,
        "status": invoice.status,
        "results": [
            AppendOutcomeOut(
                user=o.requested,
                user_id=o.user.pk if o.user else None,
                level=o.level,
                outcome="added" if o.added else "skipped",
                reason=o.reason,
                step_id=o.step.pk if o.step else None,
            )
            for o in outcomes
        ],
    }


@router.get("/invoices/{ref}/approvals", response=ChainOut, auth=read)
def chain(request: HttpRequest, ref: str) -> ChainOut:
    """The invoice's approval chain, every round, with states and comments."""
    return chain_answer(get_invoice(request.actor.company, ref).id, request)


@router.post("/invoices/{ref}/reroute", response=ChainOut, auth=write)
def reroute(request: HttpRequest, ref: str, payload: RerouteIn | None = None) -> ChainOut:
    """Give a rejected invoice a new chain from the routing rules (accountant or admin)."""
    invoice = get_invoice(request.actor.company, ref)
    reroute_invoice(invoice, actor=request.actor, comment=payload.comment if payload else "")
    return chain_answer(invoice.id, request)


@router.get("/invoices/{ref}/history", response=list[HistoryEntryOut], auth=read)
def history(request: HttpRequest, ref: str) -> list:
    """The audit trail: who did what, when, with what comment; oldest first."""
    invoice = get_invoice(request.actor.company, ref)
    return [
        HistoryEntryOut(at=e.at, actor=e.actor, action=e.action, comment=e.comment)
        for e in queries.history_of(invoice)
    ]


# --- routing rules ---------------------------------------------------------------------------


def _rule_out(request: HttpRequest, rule: RoutingRule) -> RoutingRuleOut:
    return RoutingRuleOut.from_rule(rule, request.actor.company.home_currency)


@router.get("/routing-rules", response=Page[RoutingRuleOut], auth=read)
def list_rules(request: HttpRequest, params: Query[PageParams]) -> dict:
    """The company's routing rules in the order they are tried."""
    page, count = paginate(queries.rules_of(request.actor.company), params)
    return {"items": [_rule_out(request, r) for r in page], "count": count}


@router.post("/routing-rules", response={201: RoutingRuleOut}, auth=write)
def create_rule(request: HttpRequest, payload: RoutingRuleIn) -> Status[RoutingRuleOut]:
    """Add a rule. `is_default: true` makes it the company default, replacing the old one."""
    rule = rules.create_rule(payload.model_dump(), actor=request.actor)
    return Status(201, _rule_out(request, rule))


@router.get("/routing-rules/{rule_id}", response=RoutingRuleOut, auth=read)
def get_rule(request: HttpRequest, rule_id: UUID) -> RoutingRuleOut:
    return _rule_out(request, queries.get_rule(request.actor.company, rule_id))


@router.patch("/routing-rules/{rule_id}", response=RoutingRuleOut, auth=write)
def update_rule(request: HttpRequest, rule_id: UUID, payload: RoutingRulePatch) -> RoutingRuleOut:
    """Change the fields sent; the rest stay. A sent `approvers` list replaces the old one."""
    rule = queries.get_rule(request.actor.company, rule_id)
    sent = {
        name: value
        for name, value in payload.model_dump(exclude_unset=True).items()
        if value is not None or name in NULLABLE_RULE_FIELDS
    }
    return _rule_out(request, rules.update_rule(rule, sent, actor=request.actor))


@router.delete("/routing-rules/{rule_id}", response={204: None}, auth=write)
def remove_rule(request: HttpRequest, rule_id: UUID) -> Status[None]:
    rules.delete_rule(queries.get_rule(request.actor.company, rule_id), actor=request.actor)
    return Status(204, None)
