"""Fennoa's approval endpoints: the API user's queue, approve and reject by approval id.

The API user is a person: these need a personal API key (Fennoa's API keys are users too).
An approval id is the approval step's ``internal_id``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from payables.approvals.errors import PersonRequired
from payables.approvals.queries import (
    QUEUE_PAGE_SIZE,
    get_step_by_internal_id,
    queue_of,
)
from payables.approvals.services import approve_step, reject_step
from payables.compat.fennoa import records
from payables.compat.fennoa.endpoint import endpoint, one_id
from payables.compat.fennoa.envelope import located_as, ok
from payables.compat.fennoa.params import body_values, query_values
from payables.compat.fennoa.queries import fennoa_invoices_by_pk
from payables.compat.fennoa.schemas import FennoaApproveIn, FennoaQueueParams, FennoaRejectIn
from payables.errors import FieldError
from payables.schema_types import PageParams, paginate


@endpoint("GET", "approvals:read")
def approval_queue(request: HttpRequest) -> HttpResponse:
    """``get/approval_queue``: invoices whose current step is the API user's, 20 a page.

    ``data`` holds the page's entries under "0", "1", … beside ``count`` (all entries) and
    ``page``, as Fennoa's PHP writes an array with keys.
    """
    params = FennoaQueueParams.model_validate(query_values(request))
    user = request.actor.user
    if user is None:
        raise PersonRequired()
    steps = queue_of(user, modified_after=params.modifiedAfter)
    page, count = paginate(steps, PageParams(page=params.page, page_size=QUEUE_PAGE_SIZE))
    invoices = fennoa_invoices_by_pk(request.actor.company, [step.invoice_id for step in page])
    data: dict[str, object] = {}
    for index, step in enumerate(page):
        entry = records.invoice_entry(invoices[step.invoice_id])
        entry["PurchaseInvoiceApproval"] = [records.queue_approval(step)]
        data[str(index)] = entry
    return ok(data | {"count": count, "page": params.page})


@endpoint("POST", "approvals:write")
def approve(request: HttpRequest, approval_id: int | None = None) -> HttpResponse:
    """``do/approve``: approve the approval as its approver (a comment of at most 200)."""
    form = FennoaApproveIn.model_validate(one_id(approval_id, body_values(request), "approval-id"))
    step = get_step_by_internal_id(request.actor.company, _approval_id(form.approval_id))
    approve_step(step, actor=request.actor, comment=form.comment)
    return ok(_decided(request, step.internal_id))


@endpoint("POST", "approvals:write")
def reject(request: HttpRequest, approval_id: int | None = None) -> HttpResponse:
    """``do/reject``: reject as the approval's approver; the reason (``comment`` or
    ``reason``, 1 to 200 characters) is required."""
    form = FennoaRejectIn.model_validate(one_id(approval_id, body_values(request), "approval-id"))
    if form.comment and form.reason and form.comment != form.reason:
        raise FieldError(
            "Give the reason once, as comment or as reason.", loc=["reason"], code="ambiguous"
        )
    field = "reason" if form.reason or not form.comment else "comment"
    step = get_step_by_internal_id(request.actor.company, _approval_id(form.approval_id))
    with located_as({("reason",): (field,)}):
        reject_step(step, actor=request.actor, reason=form.reason or form.comment)
    return ok(_decided(request, step.internal_id))


def _approval_id(value: int | None) -> int:
    if value is None:
        raise FieldError(
            "Name the approval: do/approve/<approval-id>, or the field approval-id.",
            loc=["approval-id"],
            code="missing",
        )
    return value


def _decided(request: HttpRequest, approval_id: int) -> dict:
    """The approval and its invoice's approval status, after the decision."""
    step = get_step_by_internal_id(request.actor.company, approval_id)
    return {
        "id": step.internal_id,
        "purchase_invoice_id": step.invoice.internal_id,
        "ApprovalStatus": records.approval_status(step.invoice),
        "Approver": records.approver_record(step),
    }
