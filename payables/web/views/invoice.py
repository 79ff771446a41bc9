"""One invoice: its page, the decisions on it, its attachments and PDF pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from payables.approvals import queries as approvals
from payables.approvals.errors import NotYourStep
from payables.approvals.models import ApprovalStep
from payables.approvals.services import (
    APPENDABLE,
    ApproverRequest,
    append_approvers,
    approve_step,
    reject_step,
    reroute_invoice,
)
from payables.errors import NotFound, PayablesError
from payables.handoff.services import export_invoice
from payables.invoices.models import Attachment, Invoice
from payables.invoices.queries import get_attachment
from payables.invoices.services.attachments import read_attachment
from payables.invoices.services.review import clear_review as clear_review_service
from payables.tenancy.permissions import Action, may
from payables.web import einvoice_content, previews
from payables.web.coding_card import CodingCard, coding_card
from payables.web.forms import (
    AddApproverForm,
    ApproveForm,
    ClearReviewForm,
    RejectForm,
    RerouteForm,
)
from payables.web.order_card import OrderMatchCard, order_card
from payables.web.views.access import (
    allowed_to,
    back_to_invoice,
    counts,
    invoice_or_404,
    is_htmx,
    member_required,
    refused,
)

# PDFs tried for the preview before giving up: each try opens the file.
MAX_PREVIEW_TRIES = 5

SKIP_REASONS = {
    "unknown_user": "no such user",
    "inactive": "the user is inactive",
    "not_an_approver": "the user is not an approver",
    "cannot_be_last_approver": "they would be the last approver, which they may not be",
    "approval_limit_below_amount": "their approval limit is below the invoice amount",
    "already_in_chain": "they are already waiting in the chain",
    "duplicate_in_request": "named twice",
}


@require_safe
@member_required
def invoice_detail(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    invoice = invoice_or_404(request, invoice_id)
    return render(request, "web/invoice.html", invoice_context(request, invoice))


@require_POST
@member_required
def approve(request: HttpRequest, invoice_id: UUID, step_id: UUID) -> HttpResponse:
    """Approve the current step as its approver, with an optional comment."""
    return _decide(
        request,
        invoice_id,
        step_id,
        form_class=ApproveForm,
        act=lambda step, data: approve_step(step, actor=request.actor, comment=data["comment"]),
        done="approved",
    )


@require_POST
@member_required
def reject(request: HttpRequest, invoice_id: UUID, step_id: UUID) -> HttpResponse:
    """Reject at the current step; an empty reason is refused inline and changes nothing."""
    return _decide(
        request,
        invoice_id,
        step_id,
        form_class=RejectForm,
        act=lambda step, data: reject_step(step, actor=request.actor, reason=data["reason"]),
        done="rejected",
    )


def _decide(
    request: HttpRequest,
    invoice_id: UUID,
    step_id: UUID,
    *,
    form_class: type[ApproveForm | RejectForm],
    act: Callable[[ApprovalStep, dict], object],
    done: str,
) -> HttpResponse:
    """One decision on a step: only its approver; the form's or the service's refusal
    comes back inline with its status, and nothing changes."""
    invoice, step = _decidable_step(request, invoice_id, step_id)
    if step.approver_id != request.member.pk:
        return refused(request, NotYourStep.default_message, 403)
    form = form_class(request.POST)
    form_key = "approve_form" if form_class is ApproveForm else "reject_form"
    if not form.is_valid():
        return _decision_again(request, invoice, 422, **{form_key: form})
    try:
        act(step, form.cleaned_data)
    except PayablesError as exc:
        form.add_error(None, exc.message)
        return _decision_again(request, invoice, exc.status, **{form_key: form})
    messages.success(request, f"You {done} invoice {invoice.invoice_number}.")
    return back_to_invoice(request, invoice)


@require_POST
@member_required
@allowed_to(Action.EXPORT)
def export(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Hand an approved invoice on to accounting (accountants and admins)."""
    invoice = invoice_or_404(request, invoice_id)
    try:
        export_invoice(invoice, actor=request.actor)
    except PayablesError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Invoice {invoice.invoice_number} was exported.")
    return back_to_invoice(request, invoice)


@require_POST
@member_required
@allowed_to(Action.MANAGE_APPROVALS)
def add_approver(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Append one approver to a new or assigned invoice (accountants and admins)."""
    invoice = invoice_or_404(request, invoice_id)
    form = AddApproverForm(request.POST, company=request.member.company)
    if not form.is_valid():
        messages.error(request, "Choose an approver and a level.")
        return back_to_invoice(request, invoice)
    request_ = ApproverRequest(user=form.cleaned_data["user"], level=form.cleaned_data["level"])
    try:
        [outcome] = append_approvers(invoice, [request_], actor=request.actor)
    except PayablesError as exc:
        messages.error(request, exc.message)
    else:
        name = outcome.user.name if outcome.user else outcome.requested
        if outcome.added:
            messages.success(request, f"{name} was added to the approval chain.")
        else:
            messages.error(request, f"{name} was not added: {SKIP_REASONS[outcome.reason]}.")
    return back_to_invoice(request, invoice)


@require_POST
@member_required
@allowed_to(Action.MANAGE_APPROVALS)
def reroute(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Give a rejected invoice a new chain from the routing rules (accountants and admins)."""
    invoice = invoice_or_404(request, invoice_id)
    form = RerouteForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        invoice = reroute_invoice(invoice, actor=request.actor, comment=comment)
    except PayablesError as exc:
        messages.error(request, exc.message)
    else:
        if invoice.status == Invoice.Status.ASSIGNED:
            messages.success(request, "The invoice has a new approval chain.")
        else:
            messages.warning(request, "No routing rule matches: add approvers by hand.")
    return back_to_invoice(request, invoice)


@require_POST
@member_required
@allowed_to(Action.EDIT_INVOICES)
def clear_review(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Clear the review flag of an invoice imported with findings, with a reason
    (accountants and admins); a missing reason comes back inline and changes nothing."""
    invoice = invoice_or_404(request, invoice_id)
    form = ClearReviewForm(request.POST)
    if form.is_valid():
        try:
            clear_review_service(invoice, actor=request.actor, reason=form.cleaned_data["reason"])
        except PayablesError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, f"The review of invoice {invoice.invoice_number} is cleared.")
            return back_to_invoice(request, invoice)
    else:
        status = 422
    context = invoice_context(request, invoice, clear_review_form=form)
    return render(request, "web/invoice.html", context, status=status)


@require_safe
@member_required
def attachment_content(request: HttpRequest, invoice_id: UUID, attachment_id: UUID) -> HttpResponse:
    """Download an attachment's stored bytes; another company's is a 404."""
    attachment = _attachment_or_404(request, invoice_id, attachment_id)
    response = HttpResponse(
        read_attachment(attachment),
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=attachment.filename or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@member_required
def page_image(
    request: HttpRequest, invoice_id: UUID, attachment_id: UUID, page: int
) -> HttpResponse:
    """One of the first pages of a PDF attachment as a PNG; anything else is a 404."""
    attachment = _attachment_or_404(request, invoice_id, attachment_id)
    if not previews.is_pdf_attachment(attachment) or not 1 <= page <= previews.MAX_PAGES:
        raise Http404("No preview of this page.")
    try:
        png = previews.render_page(read_attachment(attachment), page - 1)
    except (previews.PreviewUnavailable, OSError):  # OSError: the stored file is missing
        raise Http404("No preview of this page.") from None
    response = HttpResponse(png.data, content_type="image/png")
    # The stored bytes never change (they carry their SHA-256): the browser may keep it.
    patch_cache_control(response, private=True, max_age=3600)
    return response


def _attachment_or_404(request: HttpRequest, invoice_id: UUID, attachment_id: UUID) -> Attachment:
    invoice = invoice_or_404(request, invoice_id)
    try:
        attachment = get_attachment(invoice, attachment_id)
    except NotFound:
        raise Http404("No such attachment.") from None
    if attachment.kind != Attachment.Kind.FILE:
        raise Http404("This attachment is a link; it has no stored content.")
    return attachment


def _decidable_step(
    request: HttpRequest, invoice_id: UUID, step_id: UUID
) -> tuple[Invoice, ApprovalStep]:
    """The invoice and one of its steps, or 404."""
    invoice = invoice_or_404(request, invoice_id)
    try:
        step = approvals.get_step(request.member.company, step_id)
    except NotFound:
        raise Http404("No such approval step.") from None
    if step.invoice_id != invoice.pk:
        raise Http404("No such approval step.")
    return invoice, step


def _decision_again(
    request: HttpRequest,
    invoice: Invoice,
    status: int,
    *,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
) -> HttpResponse:
    """The decision forms with their errors: the fragment for htmx, else the whole page."""
    context = invoice_context(request, invoice, approve_form=approve_form, reject_form=reject_form)
    template = "web/partials/decision.html" if is_htmx(request) else "web/invoice.html"
    return render(request, template, context, status=status)


def invoice_context(
    request: HttpRequest,
    invoice: Invoice,
    *,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
    clear_review_form: ClearReviewForm | None = None,
    coding: CodingCard | None = None,
    po_match: OrderMatchCard | None = None,
) -> dict[str, Any]:
    """Everything the invoice page shows; forms and the cards as given (with errors)."""
    member, actor = request.member, request.actor
    steps = approvals.chain_of(invoice)
    current = next((s for s in steps if s.is_current), None)
    may_decide = (
        current is not None
        and current.approver_id == member.pk
        and invoice.status == Invoice.Status.ASSIGNED
        and may(actor, Action.APPROVE)
    )
    attachments = list(invoice.attachments.all())
    preview = _preview(attachments)
    original = einvoice_content.original_einvoice(invoice, attachments)
    # The PDF is shown where there is one that opens; the e-invoice's own content is the
    # document otherwise (an XML-only e-invoice), and a second view beside the PDF.
    has_pdf = bool(preview and preview["pages"])
    content = None
    if original is not None and (not has_pdf or request.GET.get("view") == "content"):
        content = einvoice_content.read_content(invoice, original, attachments)
    manager = may(actor, Action.MANAGE_APPROVALS)
    exportable = not invoice.needs_review and (
        invoice.status == Invoice.Status.APPROVED
        or (invoice.status == Invoice.Status.EXPORTED and invoice.sync_failed)
    )
    return {
        "invoice": invoice,
        "home_currency": invoice.company.home_currency,
        "rows": list(invoice.rows.all()),
        "vat_lines": list(invoice.vat_lines.all()),
        "attachments": attachments,
        "preview": preview,
        "has_pdf": has_pdf,
        "has_einvoice": original is not None,
        "einvoice": content,
        "rounds": _rounds(steps),
        "current": current,
        "chain_length": sum(1 for s in steps if current and s.round == current.round),
        "may_decide": may_decide,
        "approve_form": approve_form or ApproveForm(),
        "reject_form": reject_form or RejectForm(),
        "history": list(approvals.history_of(invoice)),
        "may_export": may(actor, Action.EXPORT) and exportable,
        "may_add_approvers": manager and invoice.status in APPENDABLE,
        "add_approver_form": AddApproverForm(company=member.company) if manager else None,
        "may_reroute": manager and invoice.status == Invoice.Status.REJECTED,
        "reroute_form": RerouteForm(),
        "review_findings": invoice.review_findings or [],
        "may_clear_review": invoice.needs_review and may(actor, Action.EDIT_INVOICES),
        "clear_review_form": clear_review_form or ClearReviewForm(),
        "coding": coding or coding_card(invoice, actor),
        "po": po_match or order_card(invoice, actor),
        "counts": counts(actor),
    }


def _rounds(steps: list[ApprovalStep]) -> list[tuple[int, list[ApprovalStep]]]:
    """The chain by round, newest round first (earlier rounds are history)."""
    rounds: dict[int, list[ApprovalStep]] = {}
    for step in steps:
        rounds.setdefault(step.round, []).append(step)
    return sorted(rounds.items(), reverse=True)


def _preview(attachments: list[Attachment]) -> dict[str, Any] | None:
    """The PDF to show beside the data, with how many of its pages are rendered: the
    first of the candidates that opens, else the first one, offered for download only."""
    candidates = previews.preview_candidates(attachments)
    for attachment in candidates[:MAX_PREVIEW_TRIES]:
        try:
            pages = previews.page_count(read_attachment(attachment))
        except (previews.PreviewUnavailable, OSError):
            continue
        shown = list(range(1, min(pages, previews.MAX_PAGES) + 1))
        return {"attachment": attachment, "pages": shown, "total": pages}
    if not candidates:
        return None
    return {"attachment": candidates[0], "pages": [], "total": 0}
