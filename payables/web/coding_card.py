"""The invoice page's Coding card: its posting lines, and for those who may code, the editor.

Everyone who sees the invoice sees its posting lines (with the VAT split by each code's
non-deductible share). Who may change them, and when, is the coding app's question
(``require_codable``, ``require_coder``): accountants and admins until accounting has the
invoice; an approver only where the company lets approvers code and the invoice waits
for them. They get the line editor, the split by percent and the learned suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from payables.coding.models import PostingLine, PrebookingSplit
from payables.coding.queries import posting_lines_of, prebooking_of
from payables.coding.services.access import require_codable, require_coder
from payables.coding.services.suggestion_acceptance import suggestions_by_line
from payables.coding.suggestions import LineSuggestions, Suggestion
from payables.errors import PayablesError
from payables.invoices.models import Invoice
from payables.masterdata import queries as masterdata
from payables.masterdata.models import VatCode
from payables.money import format_amount
from payables.tenancy.actors import Actor
from payables.web.coding_forms import CodingRows, PostingLineForm, SplitForm

# Choices offered per picker: enough for any chart of accounts people scroll through.
MAX_CHOICES = 2000
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ShownSuggestion:
    """A line's top suggestion as the card shows it, probabilities in percent."""

    account: str
    account_percent: str
    vat_code: str = ""
    vat_percent: str = ""
    dimensions: list[tuple[str, str, str]] = field(default_factory=list)
    differs: bool = True  # the line is coded otherwise: worth accepting


@dataclass
class CodingCard:
    invoice: Invoice
    lines: list[tuple[PostingLine, ShownSuggestion | None]]
    splits: list[PrebookingSplit]
    may_code: bool
    dimension_types: list[str] = field(default_factory=list)
    editor: CodingRows | None = None
    splitter: CodingRows | None = None
    accounts: list[tuple[str, str]] = field(default_factory=list)
    vat_codes: list[tuple[str, str]] = field(default_factory=list)
    dimension_values: list[list[tuple[str, str]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    done: str = ""
    splitting: bool = False  # the last action was on the split: keep it open

    @property
    def has_suggestions(self) -> bool:
        return any(shown is not None for _, shown in self.lines)

    @property
    def acceptable(self) -> bool:
        return any(shown is not None and shown.differs for _, shown in self.lines)

    @property
    def splits_open(self) -> bool:
        return bool(self.splits) or self.splitting

    @property
    def columns(self) -> int:
        return 9 + (1 if self.has_suggestions else 0)


def coding_refusal(invoice: Invoice, actor: Actor) -> PayablesError | None:
    """Why the coding app would not let this person change the invoice's coding now."""
    try:
        require_codable(invoice)
        require_coder(invoice, actor, [], [], where="lines")
    except PayablesError as exc:
        return exc
    return None


def coding_card(
    invoice: Invoice,
    actor: Actor,
    *,
    editor: CodingRows | None = None,
    splitter: CodingRows | None = None,
    errors: list[str] | None = None,
    done: str = "",
) -> CodingCard:
    """The card as stored now; ``editor`` / ``splitter`` keep what was typed, with errors."""
    lines = posting_lines_of(invoice)
    splits = prebooking_of(invoice)
    allowed = coding_refusal(invoice, actor) is None
    card = CodingCard(
        invoice,
        [(line, None) for line in lines],
        splits,
        allowed,
        errors=list(errors or []),
        done=done,
        splitting=splitter is not None,
    )
    if not allowed:
        return card
    found = suggestions_by_line(invoice, lines)
    card.lines = [(line, _shown(line, found.get(line.position))) for line in lines]
    company = invoice.company
    types = _dimension_types(company, lines, splits)
    card.dimension_types = types
    card.editor = editor or CodingRows(
        PostingLineForm, "line", types, initial=[_line_initial(invoice, line) for line in lines]
    )
    card.splitter = splitter or CodingRows(
        SplitForm,
        "split",
        types,
        initial=[_split_initial(split) for split in splits],
        blank_rows=0 if splits else 2,
    )
    card.accounts = _choices(masterdata.accounts(company).filter(is_active=True), "name")
    purchase_codes = masterdata.vat_codes(company).filter(
        is_active=True, kind=VatCode.Kind.PURCHASES
    )
    card.vat_codes = [(code.code, _vat_label(code)) for code in purchase_codes[:MAX_CHOICES]]
    values = masterdata.dimension_values(company).filter(is_active=True, type__is_active=True)
    card.dimension_values = [
        _choices(values.filter(type__code=type_code), "name") for type_code in types
    ]
    return card


def dimension_types_for(invoice: Invoice) -> list[str]:
    """The dimension columns of the editor, as ``coding_card`` chooses them."""
    return _dimension_types(invoice.company, posting_lines_of(invoice), prebooking_of(invoice))


def _dimension_types(company: object, lines: list, splits: list) -> list[str]:
    """Types that have active values, and those the lines or splits use."""
    used = {t for item in [*lines, *splits] for t in (item.dimensions or {})}
    kept = masterdata.dimension_values(company).filter(is_active=True, type__is_active=True)
    offered = set(kept.values_list("type__code", flat=True).distinct())
    return sorted(used | offered)


def _choices(queryset: object, label: str) -> list[tuple[str, str]]:
    return list(queryset.order_by("code").values_list("code", label)[:MAX_CHOICES])


def _vat_label(code: VatCode) -> str:
    label = f"{code.rate.normalize():f} %"
    if code.is_reverse_charge:
        label += ", reverse charge"
    if code.non_deductible_share:
        label += f", {code.non_deductible_share.normalize():f} % non-deductible"
    return label


def _line_initial(invoice: Invoice, line: PostingLine) -> dict:
    cur = invoice.currency
    return {
        "account_code": line.account_code,
        "vat_code": line.vat_code,
        "dimensions": dict(line.dimensions or {}),
        "net_amount": format_amount(line.net_amount, cur),
        "vat_amount": format_amount(line.vat_amount, cur),
        "description": line.description,
    }


def _split_initial(split: PrebookingSplit) -> dict:
    return {
        "account_code": split.account_code,
        "vat_code": split.vat_code,
        "dimensions": dict(split.dimensions or {}),
        "percent": None if split.percent is None else f"{split.percent.normalize():f}",
        "description": split.description,
    }


def _percent(suggestion: Suggestion) -> str:
    return f"{(suggestion.probability * HUNDRED).quantize(Decimal(1))} %"


def _shown(line: PostingLine, found: LineSuggestions | None) -> ShownSuggestion | None:
    if found is None or not found.account:
        return None
    account = found.account[0]
    vat = found.vat_code[0] if found.vat_code else None
    dimensions = [
        (type_code, ranked[0].value, _percent(ranked[0]))
        for type_code, ranked in sorted(found.dimensions.items())
        if ranked
    ]
    current = line.dimensions or {}
    differs = (
        account.value != line.account_code
        or (vat is not None and vat.value != line.vat_code)
        or any(current.get(t) != value for t, value, _ in dimensions)
    )
    return ShownSuggestion(
        account=account.value,
        account_percent=_percent(account),
        vat_code=vat.value if vat else "",
        vat_percent=_percent(vat) if vat else "",
        dimensions=dimensions,
        differs=differs,
    )
