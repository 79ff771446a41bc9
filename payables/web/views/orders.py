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

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from payables.errors import PayablesError, PermissionDenied, ValidationFailed
from payables.invoices.models import Invoice
from payables.orders.models import InvoiceMatch
from payables.orders.queries import match_of
from payables.orders.services import set_invoice_match, unmatch_invoice
from payables.tenancy.permissions import Action, require
from payables.web.order_card import STATUS_WORDS, match_form, order_card
from payables.web.order_forms import MatchForm
from payables.web.views.access import invoice_or_404, member_required
from payables.web.views.cards import Card


@require_POST
@member_required
def match(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Match the invoice to the chosen (or typed) order; rows' lines as chosen, else found."""
    invoice = invoice_or_404(request, invoice_id)
    if (refusal := _refusal(request)) is not None:
        return CARD.refused(request, invoice, refusal)
    form = match_form(invoice, match_of(invoice), data=request.POST)
    if not form.is_valid():
        return CARD.answer(request, invoice, 422, form=form)
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
        return CARD.refused(request, invoice, refusal)
    return _act(
        request, invoice, lambda: set_invoice_match(invoice, order_ref=None, actor=request.actor)
    )


@require_POST
@member_required
def unmatch(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Say the invoice bills no purchase order; it stays so when it is routed again."""
    invoice = invoice_or_404(request, invoice_id)
    if (refusal := _refusal(request)) is not None:
        return CARD.refused(request, invoice, refusal)
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
        return CARD.answer(request, invoice, exc.status, form=form, errors=errors)
    return CARD.done(request, invoice, (outcome or _outcome)(result))


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


CARD = Card(
    build=order_card,
    partial="web/partials/po_match.html",
    partial_name="po",
    page_name="po_match",
    anchor="po-match",
)
