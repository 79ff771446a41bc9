"""The Purchase order card's actions: match the invoice to an order (with rows' lines
chosen or not), find its order again as on arrival, or say it bills no order.

Plain form posts that htmx enhances, as the Coding card's: with htmx the card is swapped
in place (with errors beside the fields and the service's status: 422, 403, 409);
without, a done change redirects to the invoice and a refused one shows the page again.
Each calls the matching service the API calls; nothing changes when it refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from payables.errors import PayablesError, PermissionDenied, ValidationFailed
from payables.invoices.models import Invoice
from payables.orders.models import InvoiceMatch
from payables.orders.queries import match_of
from payables.orders.services import set_invoice_match, unmatch_invoice
from payables.tenancy.permissions import Action, require
from payables.web.order_card import STATUS_WORDS, match_form, order_card
from payables.web.order_forms import MatchForm
from payables.web.views.access import invoice_or_404, is_htmx, member_required, refused
from payables.web.views.invoice import invoice_context


@require_POST
@member_required
def match(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Match the invoice to the chosen (or typed) order; rows' lines as chosen, else found."""
    invoice = invoice_or_404(request, invoice_id)
    if (refusal := _refusal(request)) is not None:
        return _refused(request, invoice, refusal)
    form = match_form(invoice, match_of(invoice), data=request.POST)
    if not form.is_valid():
        return _card(request, invoice, 422, form=form)
    return _act(
        request,
        invoice,
        lambda: set_invoice_match(
            invoice, order_ref=form.order_ref(), lines=form.lines(), actor=request.actor
        ),
        form=form,
    )


@require_POST
@member_required
def find_again(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Drop a person's choice and find the order as on arrival (the invoice's order number,
    else the supplier's only open order)."""
    invoice = invoice_or_404(request, invoice_id)
    if (refusal := _refusal(request)) is not None:
        return _refused(request, invoice, refusal)
    return _act(
        request, invoice, lambda: set_invoice_match(invoice, order_ref=None, actor=request.actor)
    )


@require_POST
@member_required
def unmatch(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Say the invoice bills no purchase order; it stays so when it is routed again."""
    invoice = invoice_or_404(request, invoice_id)
    if (refusal := _refusal(request)) is not None:
        return _refused(request, invoice, refusal)
    return _act(
        request,
        invoice,
        lambda: unmatch_invoice(invoice, actor=request.actor),
        outcome=lambda _: "The invoice bills no purchase order.",
    )


def _act(
    request: HttpRequest,
    invoice: Invoice,
    call: Callable[[], InvoiceMatch | None],
    *,
    form: MatchForm | None = None,
    outcome: Callable[[InvoiceMatch | None], str] | None = None,
) -> HttpResponse:
    """Call the service; its refusal goes beside the form's fields where it is located."""
    try:
        result = call()
    except PayablesError as exc:
        errors = []
        for problem in _problems(exc):
            loc = problem.loc or problem.extra.get("loc")
            if not (form is not None and loc and form.place_error(loc, problem.message)):
                errors.append(problem.message)
        return _card(request, invoice, exc.status, form=form, errors=errors)
    return _done(request, invoice, (outcome or _outcome)(result))


def _outcome(result: InvoiceMatch | None) -> str:
    if result is None or not result.order_id:
        return "No purchase order was found for the invoice."
    words = STATUS_WORDS.get(result.status, result.status)
    return f"The invoice is matched to order {result.order.number}: {words}."


def _refusal(request: HttpRequest) -> PermissionDenied | None:
    """Only those who may manage orders (accountants, admins) match by hand."""
    try:
        require(request.actor, Action.MANAGE_ORDERS)
    except PermissionDenied as exc:
        return exc
    return None


def _problems(exc: PayablesError) -> list[PayablesError]:
    return list(exc.errors) if isinstance(exc, ValidationFailed) else [exc]


def _card(request: HttpRequest, invoice: Invoice, status: int, **kwargs: object) -> HttpResponse:
    """The card (htmx) or the whole page (plain post) with what was posted and its errors."""
    card = order_card(invoice, request.actor, **kwargs)
    if is_htmx(request):
        context = {"po": card, "invoice": invoice}
        return render(request, "web/partials/po_match.html", context, status=status)
    context = invoice_context(request, invoice, po_match=card)
    return render(request, "web/invoice.html", context, status=status)


def _refused(request: HttpRequest, invoice: Invoice, refusal: PayablesError) -> HttpResponse:
    if is_htmx(request):
        return _card(request, invoice, refusal.status, errors=[refusal.message])
    return refused(request, refusal.message, refusal.status)


def _done(request: HttpRequest, invoice: Invoice, message: str) -> HttpResponse:
    """After a change: the fresh card (htmx), or back to the invoice (303)."""
    invoice = invoice_or_404(request, invoice.id)
    if is_htmx(request):
        return _card(request, invoice, 200, done=message)
    messages.success(request, message)
    response = HttpResponseRedirect(reverse("web:invoice", args=[invoice.id]) + "#po-match")
    response.status_code = 303
    return response
