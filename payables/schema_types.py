"""Building blocks shared by the apps' Ninja schemas: strict input, money, paging."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

T = TypeVar("T")

MAX_PAGE_SIZE = 200


class InSchema(Schema):
    """Input: unknown fields are refused, so a typo is a 422 naming it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# Money accepts a JSON number or a string and is never a float (the API parser reads
# JSON numbers as Decimal). 15 integer digits, 4 decimals: enough for any total.
Money = Annotated[Decimal, Field(max_digits=19, decimal_places=4, allow_inf_nan=False)]
Quantity = Annotated[Decimal, Field(max_digits=22, decimal_places=6, allow_inf_nan=False)]
UnitPrice = Annotated[Decimal, Field(max_digits=24, decimal_places=8, allow_inf_nan=False)]
Rate = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=10, allow_inf_nan=False)]
VatRate = Annotated[
    Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=4, allow_inf_nan=False)
]
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
