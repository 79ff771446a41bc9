"""The approver's queue and, for accountants and admins, every invoice of the company."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from payables.approvals import queries as approvals
from payables.invoices.queries import filter_invoices
from payables.tenancy.permissions import Action
from payables.web.forms import InvoiceFilterForm
from payables.web.views.access import (
    PAGE_SIZE,
    allowed_to,
    counts,
    member_required,
)


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
        "counts": counts(request.actor, page.paginator.count),
    }
    return render(request, "web/inbox.html", context)


@require_safe
@member_required
@allowed_to(Action.VIEW_ALL_INVOICES)
def invoice_list(request: HttpRequest) -> HttpResponse:
    """Every invoice of the company, filtered; for accountants and admins."""
    form = InvoiceFilterForm(request.GET or None)
    form.is_valid()
    invoices = filter_invoices(request.member.company, form.filters())
    page = Paginator(invoices.prefetch_related(None), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"nav": "invoices", "form": form, "page": page, "counts": counts(request.actor)}
    return render(request, "web/invoices.html", context)
