"""Which exchange rate converts an invoice: the company's own rate, else the ECB's.

Both are looked up for the nearest earlier day that has one, a few days back at most
(weekends, holidays). Past the end of the ECB history the package ships, its last rate
is used, and the answer says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from payables.masterdata.ecb import ecb_history
from payables.masterdata.models import CurrencyRate
from payables.tenancy.models import Company

# How many days before the invoice's date a rate may be from: covers weekends and
# holiday runs (the ECB publishes on TARGET2 banking days), not a gap in the data.
LOOKBACK_DAYS = 10


@dataclass(frozen=True)
class FoundRate:
    """A rate in home-currency units per invoice-currency unit, and where it came from."""

    rate: Decimal
    source: str  # "company" or "ecb" here; invoices add "document", and "" for the home currency
    rate_date: date | None  # the day of the rate used
    note: str = ""  # set when the rate is older than the lookback allows, and why


def find_rate(company: Company, currency: str, on: date) -> FoundRate | None:
    """The company's rate of ``currency`` for ``on``, else the ECB's; None if neither has one."""
    own = (
        CurrencyRate.objects.for_company(company)
        .filter(
            currency=currency,
            rate_date__lte=on,
            rate_date__gte=date.fromordinal(max(on.toordinal() - LOOKBACK_DAYS, 1)),  # year 1
        )
        .order_by("-rate_date")
        .first()
    )
    if own is not None:
        return FoundRate(own.rate, "company", own.rate_date)
    return ecb_rate(company.home_currency, currency, on)


def ecb_rate(home: str, currency: str, on: date) -> FoundRate | None:
    """The ECB reference rate for ``on`` (nearest earlier banking day), as a cross rate.

    A day after the shipped history gets the history's last rate, with a note naming
    both days: the rate is then older than the invoice, and the invoice must say so.
    """
    history = ecb_history()
    last = history.last_date
    if last is None:
        return None
    if on <= last:
        found = history.rate(home, currency, on, lookback_days=LOOKBACK_DAYS)
        return None if found is None else FoundRate(found[0], "ecb", found[1])
    found = history.rate(home, currency, last, lookback_days=LOOKBACK_DAYS)
    if found is None:
        return None  # the ECB stopped publishing this currency
    rate, day = found
    note = (
        f"The ECB rates payables ships end on {last.isoformat()}; the rate of "
        f"{day.isoformat()} was used for {on.isoformat()}."
    )
    return FoundRate(rate, "ecb", day, note)
