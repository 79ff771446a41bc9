"""``GET /api/v1/invoices/{ref}/suggestions``: learned codings for an invoice's lines.

The answer's schemas live here beside their only endpoint.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from payables.coding.suggestions import InvoiceSuggestions, LineSuggestions, Suggestion
from payables.coding.suggestions import suggest_for_invoice as suggest
from payables.invoices.queries import get_invoice
from payables.tenancy.auth import scoped

router = Router(tags=["coding"])


class SuggestionOut(Schema):
    value: str
    probability: Decimal  # 0-1, four places, written as a string like money

    @classmethod
    def of(cls, found: list[Suggestion]) -> list[SuggestionOut]:
        return [cls(value=s.value, probability=s.probability) for s in found]


class LineSuggestionsOut(Schema):
    position: int
    row_position: int | None
    description: str
    account: list[SuggestionOut]
    vat_code: list[SuggestionOut]
    dimensions: dict[str, list[SuggestionOut]]

    @classmethod
    def of(cls, line: LineSuggestions) -> LineSuggestionsOut:
        return cls(
            position=line.position,
            row_position=line.row_position,
            description=line.description,
            account=SuggestionOut.of(line.account),
            vat_code=SuggestionOut.of(line.vat_code),
            dimensions={t: SuggestionOut.of(found) for t, found in line.dimensions.items()},
        )


class ModelOut(Schema):
    trained_at: datetime
    sample_count: int


class SuggestionsOut(Schema):
    invoice_id: str
    internal_id: int
    model: ModelOut | None
    note: str
    lines: list[LineSuggestionsOut]

    @classmethod
    def of(cls, found: InvoiceSuggestions) -> SuggestionsOut:
        model = found.model
        return cls(
            invoice_id=str(found.invoice.pk),
            internal_id=found.invoice.internal_id,
            model=None if model is None else ModelOut(**model.__dict__),
            note=found.note,
            lines=[LineSuggestionsOut.of(line) for line in found.lines],
        )


@router.get("/{ref}/suggestions", response=SuggestionsOut, auth=scoped("coding:read"))
def suggestions(request: HttpRequest, ref: str) -> SuggestionsOut:
    """Rank accounts, VAT codes and dimension values for each line, with probabilities.

    Lines are the invoice's posting lines (its rows while it has none); each target lists
    up to three codes, likeliest first, with a probability from 0 to 1 as a string with
    four decimals (`"0.9312"`). A dimension the model expects to stay empty lists only the
    values it finds likelier than none (often none at all). The model learns from the
    company's exported and booked invoices; without one yet, `model` is null, every list
    is empty and `note` says why.
    `ref` is the invoice's UUID or internal id.
    """
    invoice = get_invoice(request.actor.company, ref)
    return SuggestionsOut.of(suggest(invoice))
