"""The approver's queue and, for accountants and admins, every invoice of the company."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from payables.approvals import queries as approvals
from payables.invoices.queries import filter_invoices
from payables.tenancy.permissions import Action
from payables.web.forms import InvoiceFilterForm, query_values
from payables.web.views.access import (
    PAGE_SIZE,
    allowed_to,
    counts,
    member_required,
)

# The accountant's worklists, as tabs of the list: (label, the flags they set).
WORKLISTS: list[tuple[str, dict[str, bool | str]]] = [
    ("All", {}),
    ("Unbooked", {"booked": False}),
    ("Prebooked", {"prebooked": True}),
    ("Waiting approval", {"approved": False}),
    ("Approved", {"approved": True, "booked": False}),
    ("Needs review", {"needs_review": True}),
    ("Uncoded", {"coded": False}),
    ("PO discrepancy", {"po_match_status": "discrepancy"}),
]


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
    """Every invoice of the company, filtered; its worklists are tabs (accountants, admins)."""
    form = InvoiceFilterForm(request.GET or None)
    form.is_valid()
    invoices = filter_invoices(request.member.company, form.filters())
    page = Paginator(invoices.prefetch_related(None), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "invoices",
        "form": form,
        "page": page,
        "counts": counts(request.actor),
        "tabs": _tabs(form.flags()),
    }
    return render(request, "web/invoices.html", context)


def _tabs(flags: dict[str, bool | str]) -> list[tuple[str, str, bool]]:
    """Each worklist's label, address and whether it is the one shown."""
    base = reverse("web:invoices")
    return [
        (
            label,
            f"{base}?{urlencode(query_values(wanted))}" if wanted else base,
            wanted == flags,
        )
        for label, wanted in WORKLISTS
    ]
