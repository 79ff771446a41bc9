"""The Coding card's actions: save posting lines, split by percent, accept suggestions.

Plain form posts that htmx enhances: with htmx the card is swapped in place (with its
errors beside the inputs, and the service's status: 422, 403, 409); without, a saved
change redirects to the invoice and a refused one shows the page again. Each action
calls the coding service the API calls, which decides who may code what; nothing is
saved when it refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from payables.coding.services import replace_posting_lines, set_prebooking
from payables.coding.services.suggestion_acceptance import accept_suggestions
from payables.errors import PayablesError, ValidationFailed
from payables.invoices.models import Invoice
from payables.web.coding_card import coding_card, coding_refusal, dimension_types_for
from payables.web.coding_forms import CodingRowForm, CodingRows, PostingLineForm, SplitForm
from payables.web.views.access import invoice_or_404, member_required
from payables.web.views.cards import Card

Save = Callable[[Invoice, list], object]


@require_POST
@member_required
def posting_lines(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Replace the invoice's posting lines (``Add line`` / ``Remove`` change only the form)."""
    return _edit(
        request,
        invoice_id,
        PostingLineForm,
        "line",
        save=lambda invoice, lines: replace_posting_lines(invoice, lines, actor=request.actor),
        done="The posting lines are saved.",
    )


@require_POST
@member_required
def prebooking(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Split the invoice by percent of its gross into prebooking lines."""
    return _edit(
        request,
        invoice_id,
        SplitForm,
        "split",
        save=lambda invoice, splits: set_prebooking(invoice, splits, actor=request.actor),
        done="The invoice is split by percent.",
    )


@require_POST
@member_required
def accept(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """Give one line (``position``) or every line (``position=all``) its top suggestion."""
    invoice = invoice_or_404(request, invoice_id)
    if (refusal := coding_refusal(invoice, request.actor)) is not None:
        return CARD.refused(request, invoice, refusal)
    raw = request.POST.get("position", "")
    if raw != "all" and not (raw.isdigit() and len(raw) < 7):
        return CARD.answer(
            request, invoice, 422, errors=["Choose a line whose suggestion to accept."]
        )
    positions = None if raw == "all" else [int(raw)]
    try:
        accept_suggestions(invoice, positions, actor=request.actor)
    except PayablesError as exc:
        return CARD.answer(request, invoice, exc.status, errors=_messages(exc))
    done = "The suggestions are accepted." if positions is None else "The suggestion is accepted."
    return CARD.done(request, invoice, done)


def _edit(
    request: HttpRequest,
    invoice_id: UUID,
    form_class: type[CodingRowForm],
    prefix: str,
    *,
    save: Save,
    done: str,
) -> HttpResponse:
    invoice = invoice_or_404(request, invoice_id)
    if (refusal := coding_refusal(invoice, request.actor)) is not None:
        return CARD.refused(request, invoice, refusal)
    rows = CodingRows(form_class, prefix, dimension_types_for(invoice), data=request.POST)
    which = "editor" if prefix == "line" else "splitter"
    if rows.apply(request.POST.get("action", "")):
        return CARD.answer(request, invoice, 200, **{which: rows})
    inputs = rows.inputs()
    if inputs is None:
        return CARD.answer(request, invoice, 422, **{which: rows})
    try:
        save(invoice, inputs)
    except PayablesError as exc:
        for problem in _problems(exc):
            loc = problem.loc or problem.extra.get("loc")
            if loc:
                rows.place_error(loc, problem.message)
            else:
                rows.errors.append(problem.message)
        return CARD.answer(request, invoice, exc.status, **{which: rows})
    return CARD.done(request, invoice, done)


def _problems(exc: PayablesError) -> list[PayablesError]:
    return list(exc.errors) if isinstance(exc, ValidationFailed) else [exc]


def _messages(exc: PayablesError) -> list[str]:
    """A refusal's messages, each naming its line where it has one."""
    found = []
    for problem in _problems(exc):
        loc = [part for part in (problem.loc or problem.extra.get("loc") or ()) if part != "body"]
        if len(loc) > 1 and loc[0] == "lines" and isinstance(loc[1], int):
            found.append(f"Line {int(loc[1]) + 1}: {problem.message}")
        else:
            found.append(problem.message)
    return found


CARD = Card(
    build=coding_card,
    partial="web/partials/coding.html",
    partial_name="coding",
    page_name="coding",
    anchor="coding",
)
