"""Learned coding suggestions for an invoice's lines, and applying the confident ones.

The company's model (``CodingModel``, trained by ``services.training``) ranks, per line,
accounts, VAT codes and each dimension's values with probabilities. Lines are the
invoice's posting lines, or its rows while it has none. A probability is a Decimal with
four places (``0.9312``), so the API writes it as a string like money.

A loaded model is kept per process under its company, training time and engine
version: a retrained model has another key, so no process can serve a stale one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from uuid import UUID

from payables.coding.drafts import LineDraft
from payables.coding.learning import (
    ACCOUNT,
    DIMENSION_PREFIX,
    VAT_CODE,
    CodingEngine,
    EngineVersionMismatch,
    Line,
    Prediction,
    loads,
)
from payables.coding.learning import (
    Suggestion as Ranked,
)
from payables.coding.models import CodingModel
from payables.invoices.models import Invoice
from payables.masterdata.models import Account, DimensionValue, VatCode

logger = logging.getLogger(__name__)

FOUR_PLACES = Decimal("0.0001")
NO_MODEL_NOTE = (
    "The company has no coding model yet: it is trained on exported and booked invoices "
    "once there are enough of them (or by `payables train-coding`)."
)


@dataclass(frozen=True)
class Suggestion:
    """A code and its probability (0-1, four places)."""

    value: str
    probability: Decimal


@dataclass
class LineSuggestions:
    position: int
    row_position: int | None
    description: str
    account: list[Suggestion] = field(default_factory=list)
    vat_code: list[Suggestion] = field(default_factory=list)
    dimensions: dict[str, list[Suggestion]] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelInfo:
    trained_at: datetime
    sample_count: int


@dataclass
class InvoiceSuggestions:
    invoice: Invoice
    model: ModelInfo | None
    lines: list[LineSuggestions]
    note: str = ""


def company_engine(company_id: UUID) -> tuple[ModelInfo, CodingEngine] | None:
    """The company's trained model, or None when it has none (or one of an old engine)."""
    found = (
        CodingModel.objects.filter(company_id=company_id)
        .values_list("trained_at", "sample_count", "engine_version")
        .first()
    )
    if found is None:
        return None
    trained_at, sample_count, version = found
    engine = _load(company_id, trained_at, version)
    return None if engine is None else (ModelInfo(trained_at, sample_count), engine)


@lru_cache(maxsize=8)  # a model is a few MB
def _load(company_id: UUID, trained_at: datetime, version: str) -> CodingEngine | None:
    payload = CodingModel.objects.filter(company_id=company_id).values_list("payload", flat=True)
    try:
        return loads(bytes(payload.get()))
    except (EngineVersionMismatch, CodingModel.DoesNotExist):
        logger.warning(
            "The coding model of company %s (engine %s) is unusable", company_id, version
        )
        return None


def suggest_for_invoice(invoice: Invoice) -> InvoiceSuggestions:
    """Rank codings for each line of the invoice; empty lists without a model."""
    found = company_engine(invoice.company_id)
    lines = _lines(invoice)
    if found is None:
        return InvoiceSuggestions(invoice, None, lines, note=NO_MODEL_NOTE)
    info, engine = found
    predictions = engine.predict(
        [_line(invoice, s.description, s.item_code, s.amount) for s in lines]
    )
    for line, prediction in zip(lines, predictions, strict=True):
        _fill(line, prediction)
    return InvoiceSuggestions(invoice, info, lines)


@dataclass
class _Source(LineSuggestions):
    item_code: str = ""
    amount: Decimal = Decimal(0)


def _lines(invoice: Invoice) -> list[_Source]:
    rows = {row.position: row for row in invoice.rows.all()}
    posting_lines = list(invoice.posting_lines.all())
    if posting_lines:
        # As in training: a line without a description or a row reads as the invoice's rows.
        texts = " ".join(row.description for row in rows.values() if row.description)
        return [
            _Source(
                line.position,
                line.row_position,
                line.description or _text(rows.get(line.row_position)) or texts,
                item_code=_item(rows.get(line.row_position)),
                amount=line.net_amount,
            )
            for line in posting_lines
        ]
    return [
        _Source(
            row.position, row.position, row.description, item_code=_item(row), amount=row.net_amount
        )
        for row in rows.values()
    ]


def _text(row: object) -> str:
    return row.description if row is not None else ""  # type: ignore[attr-defined]


def _item(row: object) -> str:
    return (row.product_code or row.item_code) if row is not None else ""  # type: ignore[attr-defined]


def _line(invoice: Invoice, text: str, item_code: str, amount: Decimal) -> Line:
    return Line(str(invoice.supplier_id), text, amount, invoice.currency, item_code)


def _fill(line: LineSuggestions, prediction: Prediction) -> None:
    for target, ranked in sorted(prediction.items()):
        # "": no value. The codes ranked below it are less likely than leaving it empty.
        labels = [r.label for r in ranked]
        cut = labels.index("") if "" in labels else len(ranked)
        found = [_decimal(r) for r in ranked[:cut]]
        if target == ACCOUNT:
            line.account = found
        elif target == VAT_CODE:
            line.vat_code = found
        elif target.startswith(DIMENSION_PREFIX):
            line.dimensions[target.removeprefix(DIMENSION_PREFIX)] = found


def _decimal(ranked: Ranked) -> Suggestion:
    return Suggestion(ranked.label, Decimal(repr(ranked.probability)).quantize(FOUR_PLACES))


# --- applying the confident ones ------------------------------------------------------------


def apply_confident_suggestions(invoice: Invoice, drafts: list[LineDraft]) -> list[LineDraft]:
    """Apply suggestions at or above the company's threshold to uncoded lines.

    Off while ``suggestion_auto_apply_threshold`` is empty (the default). A line takes the
    top account when its probability reaches the threshold (``source="suggestion"``,
    ``confidence`` that probability), and the top VAT code and dimension values that each
    reach it too. Codes the company's master data does not allow on the invoice date
    (unknown, inactive, out of date) are not applied; a company that keeps no records of
    a kind has not loaded them, so that kind is not checked (as for a row's own codes).
    """
    threshold = invoice.company.suggestion_auto_apply_threshold
    uncoded = [draft for draft in drafts if not draft.is_coded]
    if threshold is None or not uncoded:
        return drafts
    found = company_engine(invoice.company_id)
    if found is None:
        return drafts
    _, engine = found
    predictions = engine.predict(
        [
            _line(invoice, d.description, d.product_code or d.item_code, d.net_amount)
            for d in uncoded
        ]
    )
    allowed = _Allowed(invoice)
    for draft, prediction in zip(uncoded, predictions, strict=True):
        line = LineSuggestions(draft.position, draft.row_position, draft.description)
        _fill(line, prediction)
        account = _confident(line.account, threshold, lambda code: allowed.account(code))
        if account is None:
            continue
        draft.account_code = account.value
        draft.source = "suggestion"
        draft.confidence = account.probability
        vat = _confident(
            line.vat_code, threshold, lambda code, d=draft: allowed.vat_code(code, d.vat_amount)
        )
        if vat is not None and not draft.vat_code:
            draft.vat_code = vat.value
        for type_code, ranked in line.dimensions.items():
            value = _confident(
                ranked, threshold, lambda code, t=type_code: allowed.dimension(t, code)
            )
            if value is not None and type_code not in draft.dimensions:
                draft.dimensions[type_code] = value.value
    return drafts


def _confident(ranked: list[Suggestion], threshold: Decimal, allow) -> Suggestion | None:
    if ranked and ranked[0].probability >= threshold and allow(ranked[0].value):
        return ranked[0]
    return None


class _Allowed:
    """The codes the company allows on the invoice date, looked up once per kind."""

    def __init__(self, invoice: Invoice) -> None:
        self.company, self.on = invoice.company, invoice.invoice_date
        self._cache: dict[str, dict | None] = {}

    def _kind(self, name: str, queryset) -> dict | None:
        if name not in self._cache:
            records = list(queryset)
            self._cache[name] = None if not records else {self._key(r): r for r in records}
        return self._cache[name]

    @staticmethod
    def _key(record: object) -> str | tuple[str, str]:
        if isinstance(record, DimensionValue):
            return (record.type.code, record.code)
        return record.code  # type: ignore[attr-defined]

    def _usable(self, record: object | None) -> bool:
        if record is None or not getattr(record, "is_active", True):
            return False
        start, end = getattr(record, "valid_from", None), getattr(record, "valid_to", None)
        return (start is None or start <= self.on) and (end is None or self.on <= end)

    def account(self, code: str) -> bool:
        found = self._kind("account", Account.objects.filter(company=self.company))
        return found is None or self._usable(found.get(code))

    def vat_code(self, code: str, vat_amount: Decimal) -> bool:
        """A usable purchase code; a reverse-charge one only where the line charges no VAT."""
        found = self._kind("vat", VatCode.objects.filter(company=self.company))
        if found is None:
            return True
        record = found.get(code)
        if not self._usable(record) or record.kind == VatCode.Kind.SALES:
            return False
        return not (record.is_reverse_charge and vat_amount)

    def dimension(self, type_code: str, code: str) -> bool:
        values = DimensionValue.objects.filter(company=self.company, type__code=type_code)
        found = self._kind(f"dimension:{type_code}", values.select_related("type"))
        if found is None:
            return True
        value = found.get((type_code, code))
        return self._usable(value) and value is not None and value.type.is_active
