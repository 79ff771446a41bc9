"""Accepting learned suggestions: a line takes its top suggested coding (``suggestion``).

A person accepts the suggestion of one line or of every line that has one. The line keeps
its amounts and takes the top account, the top VAT code and the top value of each
dimension the model suggests one for (other dimension values stay); its source becomes
``suggestion`` and its confidence the account's probability. The codes are judged as a
person's posting lines are, so a suggestion the master data no longer allows is refused.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from payables.coding.models import PostingLine
from payables.coding.queries import posting_lines_of
from payables.coding.services.access import require_codable, require_coder
from payables.coding.services.changes import record_coding_change
from payables.coding.services.posting_lines import line_code_problems
from payables.coding.suggestions import LineSuggestions, suggest_for_invoice
from payables.coding.vat import line_amounts, vat_codes_by_code
from payables.errors import FieldError, ValidationFailed
from payables.events.services import lock_company_writes
from payables.invoices.lifecycle import lock_invoice
from payables.invoices.models import Invoice
from payables.tenancy.actors import Actor


def accept_suggestions(
    invoice: Invoice, positions: Iterable[int] | None, *, actor: Actor
) -> Invoice:
    """Give the lines at ``positions`` (None: every line with a suggestion) their top
    suggested coding. States and who may: as ``replace_posting_lines``; prebooking splits,
    if any, are dropped as the lines no longer follow them."""
    with transaction.atomic():
        lock_company_writes(actor.company)
        invoice = lock_invoice(invoice)
        require_codable(invoice, "coding")
        before = posting_lines_of(invoice)
        suggested = suggestions_by_line(invoice, before)
        wanted = _chosen(before, suggested, positions)
        after = [_accepted(line, suggested[line.position]) for line in wanted]
        accepted = {line.position: line for line in after}
        lines = [_copy(accepted.get(line.position, line)) for line in before]
        # Problems are located at the line's index among all the invoice's lines.
        require_coder(
            invoice,
            actor,
            [(line.account_code, line.dimensions) for line in lines],
            before,
            where="lines",
        )
        index = {line.position: i for i, line in enumerate(before)}
        _check_codes(invoice, after, [index[line.position] for line in after])
        _recompute_amounts(invoice, lines)
        invoice.prebooking_splits.all().delete()
        record_coding_change(
            invoice,
            before,
            lines,
            actor=actor,
            how="posting_lines",  # the event's documented kinds; the lines say "suggestion"
            comment="suggestions accepted for line(s) "
            + ", ".join(str(position) for position in sorted(accepted)),
        )
    return invoice


def suggestions_by_line(invoice: Invoice, lines: list[PostingLine]) -> dict[int, LineSuggestions]:
    """The suggestions of each of the invoice's lines (``posting_lines_of``) that has an
    account suggested, by the line's position. A read: the web shows them beside the lines.
    """
    found = suggest_for_invoice(invoice).lines
    if invoice.posting_lines.exists():
        by_key = {s.position: s for s in found}
        keys = {line.position: line.position for line in lines}
    else:  # the lines are derived from the rows: suggestions name the rows
        by_key = {s.row_position: s for s in found}
        keys = {line.position: line.row_position for line in lines}
    return {
        position: by_key[key]
        for position, key in keys.items()
        if key in by_key and by_key[key].account
    }


def _chosen(
    lines: list[PostingLine],
    suggested: dict[int, LineSuggestions],
    positions: Iterable[int] | None,
) -> list[PostingLine]:
    by_position = {line.position: line for line in lines}
    if positions is None:
        chosen = [line for line in lines if line.position in suggested]
        if not chosen:
            raise FieldError(
                "There are no suggestions to accept.", loc=["positions"], code="no_suggestion"
            )
        return chosen
    problems = []
    chosen = []
    for i, position in enumerate(positions):
        if position not in by_position:
            problems.append(
                FieldError(f"There is no line {position}.", loc=["positions", i], code="no_line")
            )
        elif position not in suggested:
            problems.append(
                FieldError(
                    f"There is no suggestion for line {position}.",
                    loc=["positions", i],
                    code="no_suggestion",
                )
            )
        else:
            chosen.append(by_position[position])
    if problems:
        raise ValidationFailed(problems)
    return chosen


def _accepted(line: PostingLine, suggestion: LineSuggestions) -> PostingLine:
    """The line with its top suggested codes, as an unsaved copy."""
    accepted = _copy(line)
    top = suggestion.account[0]
    accepted.account_code = top.value
    accepted.confidence = top.probability
    if suggestion.vat_code:
        accepted.vat_code = suggestion.vat_code[0].value
    dimensions = dict(line.dimensions or {})
    for type_code, ranked in suggestion.dimensions.items():
        if ranked:
            dimensions[type_code] = ranked[0].value
    accepted.dimensions = dimensions
    accepted.source = PostingLine.Source.SUGGESTION
    return accepted


def _copy(line: PostingLine) -> PostingLine:
    return PostingLine(
        invoice_id=line.invoice_id,
        position=line.position,
        source=line.source,
        row_position=line.row_position,
        description=line.description,
        account_code=line.account_code,
        vat_code=line.vat_code,
        dimensions=dict(line.dimensions or {}),
        net_amount=line.net_amount,
        vat_amount=line.vat_amount,
        confidence=line.confidence,
    )


def _check_codes(invoice: Invoice, lines: list[PostingLine], indices: list[int]) -> None:
    """Refuse suggested codes the master data does not allow now, at ``[lines, i, …]``
    (``i`` the line's index among all the invoice's lines)."""
    found, _ = line_code_problems(invoice, lines)
    problems = [
        FieldError(p.message, loc=["lines", indices[p.loc[1]], *p.loc[2:]], code=p.code)
        for p in found
    ]
    if problems:
        raise ValidationFailed(problems)


def _recompute_amounts(invoice: Invoice, lines: list[PostingLine]) -> None:
    """Split each line's VAT by its (maybe new) code's treatment; net and VAT stay."""
    cur = invoice.currency
    codes = vat_codes_by_code(invoice.company, (line.vat_code for line in lines))
    for line in lines:
        amounts = line_amounts(line.net_amount, line.vat_amount, codes.get(line.vat_code), cur)
        for name, value in vars(amounts).items():
            setattr(line, name, value)
