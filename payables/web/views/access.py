"""What every page of the inbox shares: who is signed in, what they may do, how answers go."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from payables.approvals import queries as approvals
from payables.errors import NotFound, PermissionDenied
from payables.invoices.models import Invoice
from payables.invoices.queries import filter_invoices, get_invoice
from payables.invoices.schemas import InvoiceFilters
from payables.tenancy.actors import Actor
from payables.tenancy.permissions import Action, may, require
from payables.web.auth import signed_in_member

PAGE_SIZE = 20
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


def allowed_to(action: Action) -> Callable[[View], View]:
    """Refuse a member whose roles do not allow ``action`` with a 403 page saying why.

    Goes below ``member_required``; the check is the one the services make.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                require(request.actor, action)
            except PermissionDenied as exc:
                return refused(request, exc.message, exc.status)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def counts(actor: Actor, waiting: int | None = None) -> dict[str, int | None]:
    """The inbox's numbers; unassigned and all only for those who may see every invoice."""
    member = actor.user
    counts: dict[str, int | None] = {
        "waiting": approvals.queue_of(member).count() if waiting is None else waiting,
        "unassigned": None,
        "all": None,
    }
    if may(actor, Action.VIEW_ALL_INVOICES):
        counts["unassigned"] = approvals.unassigned(member.company).count()
        counts["all"] = filter_invoices(member.company, InvoiceFilters()).count()
    return counts


def invoice_or_404(request: HttpRequest, invoice_id: UUID) -> Invoice:
    try:
        return get_invoice(request.member.company, str(invoice_id))
    except NotFound:
        raise Http404("No such invoice.") from None


def refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "web/refused.html", {"message": message}, status=status)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def back_to_invoice(request: HttpRequest, invoice: Invoice) -> HttpResponse:
    """After an action: show the invoice's new state (htmx: a full load; plain: 303)."""
    url = reverse("web:invoice", args=[invoice.id])
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
