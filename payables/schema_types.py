"""Building blocks shared by the apps' Ninja schemas: strict input, money, paging.

Input is taken as written, not coerced: a boolean is ``true`` or ``false`` (never ``0`` or
``"yes"``), a day an ISO 8601 date and a moment an ISO 8601 date-time (never a number of
seconds) that both databases can store, an amount a JSON number or a plain decimal numeral.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StrictBool,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from payables.money import STORED_DIGITS, significant_digits

T = TypeVar("T")

MAX_PAGE_SIZE = 200


class InSchema(Schema):
    """Input: unknown fields are refused, so a typo is a 422 naming it.

    Its booleans are ``Flag`` (strict): ``"is_active": 0`` is a 422, not ``false``; its
    days are ``IsoDate`` and its moments ``Timestamp``.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        """Validate plain JSON once. Ninja's ``Schema`` validates a schema that forbids
        extra fields twice, the second time through its ORM attribute reader, and each
        nested schema again inside both: an invoice's rows were read four times. Input
        arrives as dicts and input schemas have no resolvers, so the first result is
        the answer (errors are raised by that first pass in both ways)."""
        if isinstance(values, dict) and not cls._ninja_resolvers:
            return handler(values)
        return super()._run_root_validator(values, handler, info)


# A boolean of a request body: JSON true or false only. (Query parameters, always text,
# keep pydantic's reading of "true"/"false"/"1"/"0".)
Flag = StrictBool

# A decimal written as text: ASCII digits, an optional sign, point and exponent. Python
# would also read "1_000" or Arabic-Indic digits, which no client means as an amount.
DECIMAL_TEXT = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


def _plain_decimal(value: object) -> object:
    """Refuse decimal text that is not a plain numeral.

    >>> [bool(DECIMAL_TEXT.match(text)) for text in ("-12.50", "1e3", "1_000", "١٢", " 1")]
    [True, True, False, False, False]
    """
    if isinstance(value, str) and not DECIMAL_TEXT.match(value):
        raise PydanticCustomError(
            "decimal_parsing", 'Input should be a number or a decimal numeral such as "12.50"'
        )
    return value


# After the constraints: pydantic applies those to the decimal itself, then this wraps it.
PLAIN = BeforeValidator(_plain_decimal)


def decimal_input(
    max_digits: int, decimal_places: int, *, ge: int | None = None, le: int | None = None
) -> object:
    """A Decimal input type whose JSON schema states the digits the server accepts.

    Pydantic documents a Decimal as any number or any string; this says what is
    refused: at most ``max_digits - decimal_places`` digits before the point and
    ``decimal_places`` after (a string by pattern, a number by its bounds). At most
    ``STORED_DIGITS`` of them may be significant: what every database stores exactly.
    """
    whole = max_digits - decimal_places
    number: dict[str, object] = {"type": "number"}
    number.update({"minimum": ge} if ge is not None else {"exclusiveMinimum": -(10**whole)})
    number.update({"maximum": le} if le is not None else {"exclusiveMaximum": 10**whole})
    sign = "" if ge is not None and ge >= 0 else "-?"
    text = {
        "type": "string",
        "pattern": rf"^{sign}[0-9]{{1,{whole}}}(\.[0-9]{{1,{decimal_places}}})?$",
    }
    return Annotated[
        Decimal,
        Field(
            ge=ge, le=le, max_digits=max_digits, decimal_places=decimal_places, allow_inf_nan=False
        ),
        PLAIN,
        AfterValidator(_storable),
        WithJsonSchema({"anyOf": [number, text], "description": _STORED_NOTE}, mode="validation"),
    ]


_STORED_NOTE = f"At most {STORED_DIGITS} significant digits."


def _storable(value: Decimal) -> Decimal:
    """Refuse what SQLite would round (see ``payables.money.STORED_DIGITS``)."""
    if significant_digits(value) > STORED_DIGITS:
        raise PydanticCustomError(
            "decimal_max_significant_digits",
            "Decimal input should have no more than {digits} significant digits",
            {"digits": STORED_DIGITS},
        )
    return value


# Money accepts a JSON number or a string and is never a float (the API parser reads
# JSON numbers as Decimal). 15 integer digits, 4 decimals: enough for any total.
Money = decimal_input(19, 4)
Quantity = decimal_input(22, 6)
UnitPrice = decimal_input(24, 8)
Rate = decimal_input(16, 10, ge=0)
VatRate = decimal_input(7, 4, ge=0, le=100)
CountryCode = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]

# An ISO 8601 calendar date.
DATE_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _date_text(value: object) -> object:
    """Take a day as ISO 8601 text: pydantic would read ``0`` as 1970-01-01.

    >>> [bool(DATE_TEXT.match(text)) for text in ("2026-01-31", "0", "2026-01-31T00:00Z")]
    [True, False, False]
    """
    if value is None or isinstance(value, date):  # None: for the type (or union) to judge
        return value
    if not isinstance(value, str) or not DATE_TEXT.match(value):
        raise PydanticCustomError(
            "date_parsing", "Input should be an ISO 8601 date such as 2026-01-31"
        )
    return value


IsoDate = Annotated[date, BeforeValidator(_date_text)]

# An ISO 8601 date and time; the seconds and the UTC offset may be left out.
DATE_TIME_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")
# Real zones lie within -12:00 and +14:00; PostgreSQL refuses offsets beyond ±15:59.
MAX_UTC_OFFSET = timedelta(hours=14)


def _date_time_text(value: object) -> object:
    """Take a moment as ISO 8601 text: pydantic would read ``0.5`` as seconds since 1970."""
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not DATE_TIME_TEXT.match(value):
        raise PydanticCustomError(
            "datetime_parsing",
            "Input should be an ISO 8601 date-time such as 2026-01-31T12:00:00Z",
        )
    return value


def _storable_utc(value: datetime) -> datetime:
    """Return the moment in UTC (no offset: UTC), refusing what a database cannot store.

    >>> _storable_utc(datetime(2026, 1, 1, 12))
    datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)
    >>> from datetime import timezone
    >>> _storable_utc(datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=-14))))
    datetime.datetime(2026, 1, 1, 14, 0, tzinfo=datetime.timezone.utc)

    Year 1 at +05:00 is still year 0 in UTC: refused, as an offset beyond 14 hours is.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise PydanticCustomError(
            "datetime_offset_range", "The UTC offset should be within -14:00 and +14:00"
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError(
            "datetime_range", "The date-time must fall within the years 1 to 9999 in UTC"
        ) from None


Timestamp = Annotated[datetime, BeforeValidator(_date_time_text), AfterValidator(_storable_utc)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class PageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class Page(Schema, Generic[T]):
    items: list[T]
    count: int


def paginate(queryset: QuerySet, params: PageParams) -> tuple[list, int]:
    """Return one page of an ordered queryset and the total count."""
    start = (params.page - 1) * params.page_size
    return list(queryset[start : start + params.page_size]), queryset.count()


def inline_schema(model: type[Schema]) -> dict:
    """Return a model's JSON schema with every ``$ref`` replaced by its definition.

    For documenting a field that is validated later, item by item (so one bad item
    cannot refuse a whole batch): such a schema must stand on its own.
    """
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: object) -> object:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    return resolve(schema)


class ErrorOut(Schema):
    """Every refusal but a validation one (401, 403, 404, 409, 413): what and a stable code.

    Some refusals add fields of their own beside these two.
    """

    detail: str = Field(description="What went wrong, for a person to read.")
    code: str = Field(description="A stable, machine-readable reason, e.g. `not_found`.")


class FieldErrorOut(Schema):
    """One located problem of a 422; some carry further fields of their own."""

    loc: list[str | int] = Field(
        description='Where: the request part, then the path into it (`["body", "lines", 0]`).'
    )
    msg: str = Field(description="What is wrong there, for a person to read.")
    type: str = Field(description="A stable, machine-readable reason, e.g. `missing`.")


class ValidationErrorOut(Schema):
    """A 422: the request is well-formed but its content is refused, located."""

    detail: list[FieldErrorOut]
