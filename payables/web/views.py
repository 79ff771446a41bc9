"""The web inbox: sign-in, the approver's queue, invoice lists and pages, approve / reject.

Views are thin: they parse a form, check who may act, call a service or a query, and
render. Actions are plain POST forms that htmx enhances; without JavaScript they post
and redirect.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from payables.approvals import queries as approvals
from payables.approvals.errors import NotYourStep
from payables.approvals.models import ApprovalStep
from payables.approvals.schemas import ApproverRequestIn
from payables.approvals.services import (
    APPENDABLE,
    MANAGER_ROLES,
    append_approvers,
    approve_step,
    reject_step,
    reroute_invoice,
)
from payables.errors import NotFound, PayablesError
from payables.invoices.models import Attachment, Invoice
from payables.invoices.queries import filter_invoices, get_attachment, get_invoice
from payables.invoices.schemas import InvoiceFilters
from payables.invoices.services.attachments import read_attachment
from payables.invoices.services.handoff import export_invoice
from payables.masterdata.models import CompanyUser
from payables.tenancy.actors import Actor
from payables.tenancy.models import ApiKey
from payables.tenancy.services import create_personal_api_key, revoke_api_key
from payables.web import previews
from payables.web.auth import BACKEND, active_members, matching_members, signed_in_member
from payables.web.forms import (
    AddApproverForm,
    ApproveForm,
    CompanyChoiceForm,
    InvoiceFilterForm,
    PersonalKeyForm,
    RejectForm,
    RerouteForm,
    SignInForm,
)

SKIP_REASONS = {
    "unknown_user": "no such user",
    "inactive": "the user is inactive",
    "not_an_approver": "the user is not an approver",
    "cannot_be_last_approver": "they would be the last approver, which they may not be",
    "approval_limit_below_amount": "their approval limit is below the invoice amount",
    "already_in_chain": "they are already waiting in the chain",
    "duplicate_in_request": "named twice",
}

PAGE_SIZE = 20
PENDING = "web_sign_in_pending"  # session key: members that matched, waiting for a choice
PENDING_SECONDS = 300
View = Callable[..., HttpResponse]


def member_required(view: View) -> View:
    """Let signed-in company users in, as ``request.member`` and ``request.actor``.

    Anonymous visitors go to the sign-in page; a Django user without a company user
    (a superuser, say) gets a page pointing at the admin.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        member = signed_in_member(request.user)
        if member is None:
            return render(request, "web/no_company.html", status=403)
        request.member = member
        request.actor = Actor.for_user(member, via="web")
        return view(request, *args, **kwargs)

    return wrapper


def is_manager(member: CompanyUser) -> bool:
    return bool(MANAGER_ROLES & set(member.roles))


# --- signing in and out ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Email and password; when they match people of several companies, ask which one."""
    next_url = _safe_next(request)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        found = matching_members(form.cleaned_data["email"], form.cleaned_data["password"])
        if len(found) == 1:
            return _signed_in(request, found[0], next_url)
        if len(found) > 1:
            request.session[PENDING] = {
                "members": [str(m.pk) for m in found],
                "next": next_url,
                "until": time.time() + PENDING_SECONDS,
            }
            return redirect("web:choose_company")
        form.add_error(None, "The email address or the password is wrong, or the user is inactive.")
    status = 400 if form.errors else 200
    return render(request, "web/sign_in.html", {"form": form, "next": next_url}, status=status)


@require_http_methods(["GET", "POST"])
def choose_company(request: HttpRequest) -> HttpResponse:
    """Second step of a sign-in whose email and password matched in several companies."""
    pending = request.session.get(PENDING) or {}
    fresh = pending.get("until", 0) > time.time()
    members = active_members(pending["members"]) if fresh else []
    if not members:
        request.session.pop(PENDING, None)
        messages.error(request, "Please sign in again.")
        return redirect("web:sign_in")
    form = CompanyChoiceForm(
        request.POST or None, choices=[(str(m.pk), m.company.name) for m in members]
    )
    if request.method == "POST" and form.is_valid():
        member = next(m for m in members if str(m.pk) == form.cleaned_data["member"])
        return _signed_in(request, member, pending.get("next") or "")
    return render(request, "web/choose_company.html", {"form": form})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:sign_in")


def _signed_in(request: HttpRequest, member: CompanyUser, next_url: str) -> HttpResponse:
    request.session.pop(PENDING, None)
    login(request, member.login, backend=BACKEND)
    return redirect(next_url or "web:inbox")


def _safe_next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if allowed else ""


# --- lists -----------------------------------------------------------------------------------


@require_safe
@member_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The invoices waiting for the signed-in user, oldest due date first, 20 a page."""
    member = request.member
    page = Paginator(approvals.queue_of(member), approvals.QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    steps = list(page)
    lengths = approvals.chain_lengths(steps)
    entries = [(step, lengths[(step.invoice_id, step.round)]) for step in steps]
    context = {
        "nav": "inbox",
        "page": page,
        "entries": entries,
        "counts": _counts(member, page.paginator.count),
    }
    return render(request, "web/inbox.html", context)


@require_safe
@member_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    """Every invoice of the company, filtered; for accountants and admins."""
    if not is_manager(request.member):
        return _refused(request, "Only accountants and admins see all invoices.", 403)
    form = InvoiceFilterForm(request.GET or None)
    form.is_valid()
    invoices = filter_invoices(request.member.company, form.filters())
    page = Paginator(invoices.prefetch_related(None), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"nav": "invoices", "form": form, "page": page, "counts": _counts(request.member)}
    return render(request, "web/invoices.html", context)


def _counts(member: CompanyUser, waiting: int | None = None) -> dict[str, int | None]:
    """The inbox's numbers; unassigned and all only for accountants and admins."""
    counts: dict[str, int | None] = {
        "waiting": approvals.queue_of(member).count() if waiting is None else waiting,
        "unassigned": None,
        "all": None,
    }
    if is_manager(member):
        counts["unassigned"] = approvals.unassigned(member.company).count()
        counts["all"] = filter_invoices(member.company, InvoiceFilters()).count()
    return counts


# --- one invoice -----------------------------------------------------------------------------


@require_safe
@member_required
def invoice_detail(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    invoice = _invoice_or_404(request, invoice_id)
    return render(request, "web/invoice.html", _invoice_context(request, invoice))


@require_POST
@member_required
def approve(request: HttpRequest, invoice_id: UUID, step_id: UUID) -> HttpResponse:
    """Approve the current step as its approver, with an optional comment."""
    invoice, step = _decidable_step(request, invoice_id, step_id)
    if step.approver_id != request.member.pk:
        return _refused(request, NotYourStep.default_message, 403)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _decision_again(request, invoice, 422, approve_form=form)
    try:
        approve_step(step, actor=request.actor, comment=form.cleaned_data["comment"])
    except PayablesError as exc:
        form.add_error(None, exc.message)
        return _decision_again(request, invoice, exc.status, approve_form=form)
    messages.success(request, f"You approved invoice {invoice.invoice_number}.")
    return _back_to_invoice(request, invoice)


@require_POST
@member_required
def reject(request: HttpRequest, invoice_id: UUID, step_id: UUID) -> HttpResponse:
    """Reject at the current step; an empty reason is refused inline and changes nothing."""
    invoice, step = _decidable_step(request, invoice_id, step_id)
    if step.approver_id != request.member.pk:
        return _refused(request, NotYourStep.default_message, 403)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _decision_again(request, invoice, 422, reject_form=form)
    try:
        reject_step(step, actor=request.actor, reason=form.cleaned_data["reason"])
    except PayablesError as exc:
        form.add_error(None, exc.message)
        return _decision_again(request, invoice, exc.status, reject_form=form)
    messages.success(request, f"You rejected invoice {invoice.invoice_number}.")
    return _back_to_invoice(request, invoice)


@require_POST
@member_required
def export(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Hand an approved invoice on to accounting (accountants and admins)."""
    invoice = _invoice_or_404(request, invoice_id)
    if not is_manager(request.member):
        return _refused(request, "Only accountants and admins export invoices.", 403)
    try:
        export_invoice(invoice, actor=request.actor)
    except PayablesError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Invoice {invoice.invoice_number} was exported.")
    return _back_to_invoice(request, invoice)


@require_POST
@member_required
def add_approver(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Append one approver to a new or assigned invoice (accountants and admins)."""
    invoice = _invoice_or_404(request, invoice_id)
    if not is_manager(request.member):
        return _refused(request, "Only accountants and admins add approvers.", 403)
    form = AddApproverForm(request.POST, company=request.member.company)
    if not form.is_valid():
        messages.error(request, "Choose an approver and a level.")
        return _back_to_invoice(request, invoice)
    request_ = ApproverRequestIn(user=form.cleaned_data["user"], level=form.cleaned_data["level"])
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
    return _back_to_invoice(request, invoice)


@require_POST
@member_required
def reroute(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Give a rejected invoice a new chain from the routing rules (accountants and admins)."""
    invoice = _invoice_or_404(request, invoice_id)
    if not is_manager(request.member):
        return _refused(request, "Only accountants and admins re-route invoices.", 403)
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
    return _back_to_invoice(request, invoice)


@require_http_methods(["GET", "POST"])
@member_required
def personal_keys(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own API keys: list, and issue one (its secret shown once)."""
    form = PersonalKeyForm(request.POST or None)
    issued = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _, issued = create_personal_api_key(
                request.member, scopes=form.cleaned_data["scopes"], name=form.cleaned_data["name"]
            )
            form = PersonalKeyForm()
        else:
            status = 422
    keys = ApiKey.objects.filter(user=request.member).order_by("-created_at")
    context = {"nav": "keys", "form": form, "keys": keys, "issued": issued}
    context["counts"] = _counts(request.member)
    response = render(request, "web/keys.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the page may carry a new key's secret
    return response


@require_POST
@member_required
def revoke_key(request: HttpRequest, key_id: UUID) -> HttpResponse:
    """Revoke one of the user's own keys; anybody else's is not found."""
    api_key = ApiKey.objects.filter(user=request.member, pk=key_id).first()
    if api_key is None:
        raise Http404("No such key.")
    revoke_api_key(api_key)
    messages.success(request, f"The key {api_key.prefix}… is revoked.")
    response = HttpResponseRedirect(reverse("web:keys"))
    response.status_code = 303
    return response


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
    except previews.PreviewUnavailable:
        raise Http404("No preview of this page.") from None
    response = HttpResponse(png.data, content_type="image/png")
    # The stored bytes never change (they carry their SHA-256): the browser may keep it.
    patch_cache_control(response, private=True, max_age=3600)
    return response


# --- internals -------------------------------------------------------------------------------


def _invoice_or_404(request: HttpRequest, invoice_id: UUID) -> Invoice:
    try:
        return get_invoice(request.member.company, str(invoice_id))
    except NotFound:
        raise Http404("No such invoice.") from None


def _attachment_or_404(request: HttpRequest, invoice_id: UUID, attachment_id: UUID) -> Attachment:
    invoice = _invoice_or_404(request, invoice_id)
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
    invoice = _invoice_or_404(request, invoice_id)
    try:
        step = approvals.get_step(request.member.company, step_id)
    except NotFound:
        raise Http404("No such approval step.") from None
    if step.invoice_id != invoice.pk:
        raise Http404("No such approval step.")
    return invoice, step


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "web/refused.html", {"message": message}, status=status)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back_to_invoice(request: HttpRequest, invoice: Invoice) -> HttpResponse:
    """After an action: show the invoice's new state (htmx: a full load; plain: 303)."""
    url = reverse("web:invoice", args=[invoice.id])
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _decision_again(
    request: HttpRequest,
    invoice: Invoice,
    status: int,
    *,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
) -> HttpResponse:
    """The decision forms with their errors: the fragment for htmx, else the whole page."""
    context = _invoice_context(request, invoice, approve_form=approve_form, reject_form=reject_form)
    template = "web/partials/decision.html" if _is_htmx(request) else "web/invoice.html"
    return render(request, template, context, status=status)


def _invoice_context(
    request: HttpRequest,
    invoice: Invoice,
    *,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
) -> dict[str, Any]:
    member = request.member
    steps = approvals.chain_of(invoice)
    current = next((s for s in steps if s.is_current), None)
    may_decide = (
        current is not None
        and current.approver_id == member.pk
        and invoice.status == Invoice.Status.ASSIGNED
    )
    attachments = list(invoice.attachments.all())
    manager = is_manager(member)
    exportable = invoice.status == Invoice.Status.APPROVED or (
        invoice.status == Invoice.Status.EXPORTED and invoice.sync_failed
    )
    return {
        "invoice": invoice,
        "home_currency": invoice.company.home_currency,
        "rows": list(invoice.rows.all()),
        "vat_lines": list(invoice.vat_lines.all()),
        "attachments": attachments,
        "preview": _preview(attachments),
        "rounds": _rounds(steps),
        "current": current,
        "chain_length": sum(1 for s in steps if current and s.round == current.round),
        "may_decide": may_decide,
        "approve_form": approve_form or ApproveForm(),
        "reject_form": reject_form or RejectForm(),
        "history": list(approvals.history_of(invoice)),
        "may_export": manager and exportable,
        "may_add_approvers": manager and invoice.status in APPENDABLE,
        "add_approver_form": AddApproverForm(company=member.company) if manager else None,
        "may_reroute": manager and invoice.status == Invoice.Status.REJECTED,
        "reroute_form": RerouteForm(),
        "counts": _counts(member),
    }


def _rounds(steps: list[ApprovalStep]) -> list[tuple[int, list[ApprovalStep]]]:
    """The chain by round, newest round first (earlier rounds are history)."""
    rounds: dict[int, list[ApprovalStep]] = {}
    for step in steps:
        rounds.setdefault(step.round, []).append(step)
    return sorted(rounds.items(), reverse=True)


def _preview(attachments: list[Attachment]) -> dict[str, Any] | None:
    """The PDF to show beside the data, with how many of its pages are rendered."""
    attachment = previews.preview_attachment(attachments)
    if attachment is None:
        return None
    try:
        pages = previews.page_count(read_attachment(attachment))
    except (previews.PreviewUnavailable, OSError):
        return {"attachment": attachment, "pages": [], "total": 0}
    shown = list(range(1, min(pages, previews.MAX_PAGES) + 1))
    return {"attachment": attachment, "pages": shown, "total": pages}
