"""Building blocks shared by the apps' Ninja schemas: strict input, money, paging."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from payables.money import STORED_DIGITS, significant_digits

T = TypeVar("T")

MAX_PAGE_SIZE = 200


class InSchema(Schema):
    """Input: unknown fields are refused, so a typo is a 422 naming it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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


def _assume_utc(value: datetime) -> datetime:
    """Read a timestamp without offset as UTC, the zone every answer is given in."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Timestamp = Annotated[datetime, AfterValidator(_assume_utc)]
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
