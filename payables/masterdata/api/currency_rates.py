"""The company's own exchange rates: load them in bulk, list them."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from payables.masterdata.models import CurrencyRate
from payables.masterdata.queries import currency_rates
from payables.masterdata.schemas import (
    CurrencyRateFilters,
    CurrencyRateOut,
    CurrencyRatesIn,
    CurrencyRatesLoadedOut,
)
from payables.masterdata.services import upsert_currency_rates
from payables.money import format_decimal
from payables.schema_types import Page, paginate
from payables.tenancy.auth import scoped

router = Router(tags=["currency rates"])
read = scoped("masterdata:read")
write = scoped("masterdata:write")


@router.put("", response=CurrencyRatesLoadedOut, auth=write)
def load_rates(request: HttpRequest, payload: CurrencyRatesIn) -> object:
    """Store up to 10,000 rates, each replacing the company's rate of its currency and day.

    A rate is in home-currency units per unit of `currency`. An invoice in a foreign
    currency without a rate of its own takes the company's rate of its VAT point date
    (else issue date), or of the nearest earlier day up to 10 days back; without one,
    the ECB reference rate. A load with a bad item changes nothing: the 422 locates
    each bad item (`["body", "rates", index, field]`).
    """
    items = [{"currency": r.currency, "rate_date": r.date, "rate": r.rate} for r in payload.rates]
    return upsert_currency_rates(items, actor=request.actor, source_label="api")


@router.get("", response=Page[CurrencyRateOut], auth=read)
def list_rates(request: HttpRequest, filters: Query[CurrencyRateFilters]) -> dict:
    """The company's own rates, by currency and day."""
    rates = currency_rates(
        request.actor.company,
        currency=filters.currency,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    page, count = paginate(rates, filters)
    return {"items": [_rate_out(r) for r in page], "count": count}


def _rate_out(rate: CurrencyRate) -> CurrencyRateOut:
    return CurrencyRateOut(
        currency=rate.currency,
        date=rate.rate_date,
        rate=format_decimal(rate.rate),
        source=rate.source_label,
        created_at=rate.created_at,
        modified_at=rate.modified_at,
    )
