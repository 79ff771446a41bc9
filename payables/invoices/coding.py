"""Coding an invoice against the company's master data: codes checked, products recognised.

Rows name a product item, an account, a VAT code and dimension values by code; the VAT
breakdown names VAT codes; ``custom_fields`` holds the company's custom header fields.
Every code must exist, be active and be valid on the invoice date (``valid_from`` and
``valid_to`` inclusive). A company that keeps no records of a kind has not loaded that
kind yet, so it is not checked: no accounts at all, no VAT codes, no values of a given
dimension type, no product items, no custom field definitions.

All codes an invoice names are looked up together, a few queries per invoice however
many rows it has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Generic, Literal, TypeVar

from django.db.models import Model, QuerySet
from django.utils.text import capfirst

from payables.errors import FieldError, Loc, ValidationFailed
from payables.events.batch_reads import batch_read, declare
from payables.invoices.inputs import InvoiceIn, InvoiceRowIn, VatLineIn
from payables.masterdata.models import (
    Account,
    CustomField,
    CustomFieldValue,
    DimensionValue,
    ProductItem,
    SellerMapping,
    Supplier,
    VatCode,
)
from payables.tenancy.models import Company

# "refuse": any problem is a 422 naming every one. "drop": codes the company does not
# know are left out (and reported), for documents whose coding is the sender's guess.
UnknownCodes = Literal["refuse", "drop"]

MAX_TEXT_LENGTH = 500
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Parts:
    """Which parts of the invoice to code; an update codes only what it changes."""

    rows: bool = True
    recognise: bool = True  # fill rows from product items (only when rows are sent)
    vat_breakdown: bool = True
    custom_fields: bool = True


EVERYTHING = Parts()


@dataclass
class Coded:
    """The invoice as it will be stored, and (when dropping) every code left out."""

    data: InvoiceIn
    dropped: list[FieldError] = field(default_factory=list)


def code_invoice(
    data: InvoiceIn,
    *,
    company: Company,
    supplier: Supplier,
    parts: Parts = EVERYTHING,
    unknown_codes: UnknownCodes = "refuse",
) -> Coded:
    """Check the invoice's codes and recognise its products; refuse or drop what is wrong.

    A row whose ``product_code`` is given, or whose ``item_code`` (the seller's code)
    maps to an item for this supplier, gets the item's code and its default account,
    VAT code and dimensions where the row has none; defaults that are inactive or not
    valid on the invoice date are not used. In ``drop`` mode a missing required custom
    field is reported but not refused: a person fills it in later.
    """
    book = _Book(company, data.invoice_date)
    rows = list(data.rows)
    if parts.rows:
        book.load_items(rows, supplier if parts.recognise else None)
        book.load_codes(rows, data.vat_breakdown if parts.vat_breakdown else ())
    elif parts.vat_breakdown:
        book.load_codes((), data.vat_breakdown)
    problems: list[FieldError] = []
    drop = unknown_codes == "drop"
    if parts.rows:
        rows = [
            _code_row(i, row, book, problems, drop=drop, recognise=parts.recognise)
            for i, row in enumerate(rows)
        ]
    breakdown = list(data.vat_breakdown)
    if parts.vat_breakdown:
        breakdown = [
            _code_vat_line(i, line, book, problems, drop=drop) for i, line in enumerate(breakdown)
        ]
    custom_fields = data.custom_fields
    if parts.custom_fields:
        custom_fields = _check_custom_fields(data.custom_fields, book, problems)
    if problems and not drop:
        raise ValidationFailed(problems)
    coded = data.model_copy(
        update={"rows": rows, "vat_breakdown": breakdown, "custom_fields": custom_fields}
    )
    return Coded(coded, problems)


def judge_account(company: Company, code: str, *, on: date, loc: Loc) -> FieldError | None:
    """Say what is wrong with booking to the account with this code, as for a row's account.

    None when nothing is, or when the company keeps no accounts (its chart is not loaded).
    """
    found = _find(Account.objects.filter(company=company), {code})
    return _judge(found.records.get(code), "account", code, on, loc) if found.kept else None


def judge_row_codes(
    company: Company,
    rows: list[InvoiceRowIn],
    *,
    on: date,
    where: str = "rows",
    items: bool = False,
) -> list[FieldError]:
    """Say what is wrong with the rows' accounts, VAT codes and dimension values, judged as
    an invoice's rows are (no products recognised); each problem at ``[where, i, field]``.

    Posting lines and prebooking splits are checked with it, so they refuse exactly what
    invoice rows refuse. With ``items`` the rows' ``product_code`` (the company's product
    item) is judged too, as on an invoice: purchase order lines name items.
    """
    book = _Book(company, on)
    if items:
        book.load_items(rows, None)
    book.load_codes(rows, ())
    problems: list[FieldError] = []
    for i, row in enumerate(rows):
        _code_row(i, row, book, problems, drop=False, recognise=False)
    return [FieldError(p.message, loc=[where, *(p.loc or ())[1:]], code=p.code) for p in problems]


# --- the lookups ---------------------------------------------------------------------------


class _Book:
    """The company's records an invoice names, looked up in a few queries."""

    def __init__(self, company: Company, on: date) -> None:
        self.company = company
        self.on = on
        self.items: _Found[ProductItem] = _Found()
        self.mapped: dict[str, ProductItem] = {}
        self.accounts: _Found[Account] = _Found()
        self.vat_codes: _Found[VatCode] = _Found()
        self.dimensions: dict[tuple[str, str], DimensionValue] = {}
        self.dimension_types_kept: set[str] = set()

    def load_items(self, rows: list[InvoiceRowIn], supplier: Supplier | None) -> None:
        """Items named by product code, and those the supplier's product codes map to."""
        items = ProductItem.objects.filter(company=self.company).select_related(
            "default_account", "default_vat_code"
        )
        self.items = _find(items, {r.product_code for r in rows if r.product_code})
        seller_codes = {r.item_code for r in rows if r.item_code and not r.product_code}
        if supplier is None or not seller_codes:
            return
        mappings = SellerMapping.objects.filter(
            company=self.company,
            supplier=supplier,
            seller_code__in=seller_codes,
            item__is_active=True,
        ).select_related("item__default_account", "item__default_vat_code")
        self.mapped = {m.seller_code: m.item for m in mappings}

    def load_codes(self, rows: Iterable[InvoiceRowIn], breakdown: Iterable[VatLineIn]) -> None:
        """Accounts, VAT codes and dimension values named by rows, breakdown and items."""
        rows = list(rows)
        self.accounts = _find(
            Account.objects.filter(company=self.company),
            {r.account_code for r in rows if r.account_code},
        )
        self.vat_codes = _find(
            VatCode.objects.filter(company=self.company),
            {r.vat_code for r in rows if r.vat_code}
            | {line.vat_code for line in breakdown if line.vat_code},
        )
        pairs = {pair for r in rows for pair in r.dimensions.items()}
        for item in [*self.items.records.values(), *self.mapped.values()]:
            pairs |= set(item.default_dimensions.items())
        self._load_dimensions(pairs)

    def _load_dimensions(self, pairs: set[tuple[str, str]]) -> None:
        if not pairs:
            return
        values = DimensionValue.objects.filter(
            company=self.company,
            type__code__in={t for t, _ in pairs},
            code__in={v for _, v in pairs},
        ).select_related("type")
        self.dimensions = {
            (v.type.code, v.code): v for v in values if (v.type.code, v.code) in pairs
        }
        self.dimension_types_kept = {t for t, _ in self.dimensions}
        unsure = {t for t, v in pairs if (t, v) not in self.dimensions} - self.dimension_types_kept
        if unsure:
            kept = (
                DimensionValue.objects.filter(company=self.company, type__code__in=unsure)
                .order_by()
                .values_list("type__code", flat=True)
                .distinct()
            )
            self.dimension_types_kept |= set(kept)

    def item_for(self, row: InvoiceRowIn) -> ProductItem | None:
        if row.product_code:
            return self.items.records.get(row.product_code)
        return self.mapped.get(row.item_code) if row.item_code else None


@dataclass
class _Found(Generic[M]):
    """Records found by code, and whether the company keeps any record of the kind."""

    records: dict[str, M] = field(default_factory=dict)
    kept: bool = True


def _find(queryset: QuerySet[M], codes: set[str]) -> _Found[M]:
    if not codes:
        return _Found()
    records = {r.code: r for r in queryset.filter(code__in=codes)}
    return _Found(records, kept=bool(records) or queryset.exists())


# --- rows and VAT lines --------------------------------------------------------------------


def _code_row(
    index: int,
    row: InvoiceRowIn,
    book: _Book,
    problems: list[FieldError],
    *,
    drop: bool,
    recognise: bool,
) -> InvoiceRowIn:
    loc = ["rows", index]
    on = book.on
    wrong: dict = {}  # what a dropping caller leaves out of the row
    for name, kind, what in (
        ("product_code", book.items, "product item"),
        ("vat_code", book.vat_codes, "VAT code"),
        ("account_code", book.accounts, "account"),
    ):
        code = getattr(row, name)
        if code and kind.kept:
            problem = _judge(kind.records.get(code), what, code, on, [*loc, name])
            if _add(problems, problem):
                wrong[name] = ""
    dimensions = dict(row.dimensions)
    for type_code, value_code in row.dimensions.items():
        if type_code in book.dimension_types_kept:
            value = book.dimensions.get((type_code, value_code))
            where = [*loc, "dimensions", type_code]
            if _add(problems, _judge_dimension(value, type_code, value_code, on, where)):
                del dimensions[type_code]
                wrong["dimensions"] = dimensions
    if drop and wrong:
        row = row.model_copy(update=wrong)
    if recognise and (item := book.item_for(row)) is not None and item.is_active:
        row = _fill_from_item(row, item, book)
    return row


def _fill_from_item(row: InvoiceRowIn, item: ProductItem, book: _Book) -> InvoiceRowIn:
    """Give the row the item's code and the usable defaults of what the row lacks."""
    on = book.on
    update: dict = {"product_code": item.code}
    account = item.default_account
    if not row.account_code and account is not None and account.is_active:
        update["account_code"] = account.code
    vat_code = item.default_vat_code
    if not row.vat_code and vat_code is not None and _judge(vat_code, "", "", on, ()) is None:
        update["vat_code"] = vat_code.code
    dimensions = dict(row.dimensions)
    for type_code, value_code in item.default_dimensions.items():
        value = book.dimensions.get((type_code, value_code))
        if type_code in dimensions or value is None:
            continue
        if _judge_dimension(value, type_code, value_code, on, ()) is None:
            dimensions[type_code] = value_code
    if dimensions != row.dimensions:
        update["dimensions"] = dimensions
    return row.model_copy(update=update)


def _code_vat_line(
    index: int, line: VatLineIn, book: _Book, problems: list[FieldError], *, drop: bool
) -> VatLineIn:
    if not line.vat_code or not book.vat_codes.kept:
        return line
    found = book.vat_codes.records.get(line.vat_code)
    loc = ["vat_breakdown", index, "vat_code"]
    if _add(problems, _judge(found, "VAT code", line.vat_code, book.on, loc)) and drop:
        return line.model_copy(update={"vat_code": ""})
    return line


def _judge(record: object | None, what: str, code: str, on: date, loc: Loc) -> FieldError | None:
    """Say what is wrong with using the record on the invoice date, or None if nothing.

    Records without an active flag (list values) or without dates (accounts) are judged
    on what they have.
    """
    if record is None:
        return FieldError(f"There is no {what} {code!r}.", loc=loc, code="unknown_code")
    if not getattr(record, "is_active", True):
        return FieldError(f"{capfirst(what)} {code!r} is inactive.", loc=loc, code="inactive_code")
    start, end = getattr(record, "valid_from", None), getattr(record, "valid_to", None)
    if (start is not None and on < start) or (end is not None and on > end):
        return FieldError(
            f"{capfirst(what)} {code!r} is valid {_period(start, end)}; the invoice is dated {on}.",
            loc=loc,
            code="code_out_of_date",
        )
    return None


def _judge_dimension(
    value: DimensionValue | None, type_code: str, value_code: str, on: date, loc: Loc
) -> FieldError | None:
    if value is not None and not value.type.is_active:
        return FieldError(f"Dimension {type_code!r} is inactive.", loc=loc, code="inactive_code")
    return _judge(value, f"{type_code} value", value_code, on, loc)


def _period(start: date | None, end: date | None) -> str:
    """Describe a validity period.

    >>> _period(date(2026, 1, 1), None), _period(None, date(2026, 6, 30))
    ('from 2026-01-01', 'until 2026-06-30')
    >>> _period(date(2026, 1, 1), date(2026, 6, 30))
    'from 2026-01-01 to 2026-06-30'
    """
    if start is not None and end is not None:
        return f"from {start} to {end}"
    return f"from {start}" if start is not None else f"until {end}"


def _add(problems: list[FieldError], problem: FieldError | None) -> bool:
    if problem is None:
        return False
    problems.append(problem)
    return True


# --- custom header fields ------------------------------------------------------------------

# Every definition of the company, active or not (an inactive one is refused by name).
CUSTOM_FIELDS = declare("custom_field", lambda company: CustomField.objects.filter(company=company))


def _check_custom_fields(values: dict, book: _Book, problems: list[FieldError]) -> dict:
    """Check each value against its field's type; required fields must have a value.

    Numbers are kept as decimal strings (JSON numbers are never floats here).
    """
    company = book.company
    defined = batch_read(company, CUSTOM_FIELDS)
    fields = {f.code: f for f in defined if f.code in values or f.is_required}
    if not fields and (not values or not defined):
        return values
    choices = _list_choices(values, fields)
    checked = dict(values)
    for code, value in values.items():
        loc = ["custom_fields", code]
        definition = fields.get(code)
        if definition is None:
            problem = FieldError(
                f"There is no custom field {code!r}.", loc=loc, code="unknown_custom_field"
            )
        elif not definition.is_active:
            problem = FieldError(
                f"Custom field {code!r} is inactive.", loc=loc, code="inactive_code"
            )
        elif value is None or value == "":
            continue  # no value: judged with the required fields below
        else:
            value, problem = _check_value(definition, value, choices, book.on, loc)
        if _add(problems, problem):
            del checked[code]  # left out (a refusing caller raises before storing anything)
        else:
            checked[code] = value
    for code, definition in fields.items():
        if definition.is_required and definition.is_active and values.get(code) in (None, ""):
            message = f"Custom field {code!r} ({definition.name}) is required."
            problems.append(FieldError(message, loc=["custom_fields", code], code="missing"))
    return checked


def _list_choices(
    values: dict, fields: dict[str, CustomField]
) -> dict[tuple[object, str], CustomFieldValue]:
    """The list values the invoice names, by (field id, code), in one query."""
    wanted = {
        (fields[code].pk, value)
        for code, value in values.items()
        if code in fields and fields[code].type == CustomField.Type.LIST and isinstance(value, str)
    }
    if not wanted:
        return {}
    found = CustomFieldValue.objects.filter(
        field__in={f for f, _ in wanted}, code__in={c for _, c in wanted}
    )
    return {(v.field_id, v.code): v for v in found}


def _check_value(
    definition: CustomField,
    value: object,
    choices: dict[tuple[object, str], CustomFieldValue],
    on: date,
    loc: Loc,
) -> tuple[object, FieldError | None]:
    """Return the value as stored, or the problem with it."""
    kind = definition.type
    if kind == CustomField.Type.NUMBER:
        number = _decimal(value)
        if number is None:
            return value, FieldError("Give a decimal number.", loc=loc, code="invalid_number")
        return format(number, "f"), None
    if not isinstance(value, str):
        return value, FieldError(f"Give a {kind} value as a string.", loc=loc, code="invalid_type")
    if kind == CustomField.Type.DATE:
        if not ISO_DATE.match(value) or _iso_date(value) is None:
            return value, FieldError("Give a date as YYYY-MM-DD.", loc=loc, code="invalid_date")
        return value, None
    if kind == CustomField.Type.LIST:
        choice = choices.get((definition.pk, value))
        return value, _judge(choice, f"value of {definition.code!r}", value, on, loc)
    if len(value) > MAX_TEXT_LENGTH:
        return value, FieldError(
            f"At most {MAX_TEXT_LENGTH} characters.", loc=loc, code="text_too_long"
        )
    return value, None


def _decimal(value: object) -> Decimal | None:
    """A finite decimal from a JSON number or a numeric string; never from a bool or float.

    >>> _decimal("12.50"), _decimal(3), _decimal(True), _decimal("1e3"), _decimal("NaN")
    (Decimal('12.50'), Decimal('3'), None, Decimal('1E+3'), None)
    """
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        return None
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _iso_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
