"""Shapes of the company's own exchange rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import Field

from payables.schema_types import CurrencyCode, InSchema, IsoDate, PageParams

MAX_RATES = 10_000

PositiveRate = Annotated[
    Decimal, Field(gt=0, max_digits=16, decimal_places=10, allow_inf_nan=False)
]


class CurrencyRateIn(InSchema):
    currency: CurrencyCode
    date: IsoDate
    rate: PositiveRate = Field(
        description="Units of the company's home currency for one unit of `currency`."
    )


class CurrencyRatesIn(InSchema):
    rates: list[CurrencyRateIn] = Field(min_length=1, max_length=MAX_RATES)


class CurrencyRatesLoadedOut(Schema):
    created: int
    updated: int
    unchanged: int


class CurrencyRateOut(Schema):
    currency: str
    date: dt.date
    rate: str
    source: str
    created_at: dt.datetime
    modified_at: dt.datetime


class CurrencyRateFilters(PageParams):
    currency: CurrencyCode | None = None
    date_from: IsoDate | None = Field(None, description="On or after this day.")
    date_to: IsoDate | None = Field(None, description="On or before this day.")
