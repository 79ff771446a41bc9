"""Writes of the company's own exchange rates: a list of rates, or an ECB-format file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from payables.errors import FieldError, Loc, ValidationFailed
from payables.events import event_types
from payables.events.services import lock_company_writes, record_event
from payables.masterdata.ecb import (
    MAX_RATE,
    RATE_QUANTUM,
    RateFileError,
    cross_rate,
    read_rate_file,
)
from payables.masterdata.models import CurrencyRate
from payables.tenancy.actors import Actor

BATCH_SIZE = 500


@dataclass(frozen=True)
class RatesLoaded:
    """What a load did: rates added, replaced by another value, and given as stored."""

    created: int
    updated: int
    unchanged: int
    currencies: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None


def upsert_currency_rates(
    rates: Sequence[Mapping],
    *,
    actor: Actor,
    source_label: str = "api",
    loc: Loc = ("rates",),
) -> RatesLoaded:
    """Store rates (``currency``, ``rate_date``, ``rate`` in home units per currency unit),
    replacing the company's rate of the same currency and day.

    Every item is checked before anything is written, and one bad item refuses the load
    with each bad item located: a half-loaded table would leave days on which invoices
    silently fall back to the ECB's rate.
    """
    company = actor.company
    clean = _checked(rates, home=company.home_currency, loc=loc)
    with transaction.atomic():
        lock_company_writes(company)
        stored = _stored(company, clean)
        written = []
        created = unchanged = 0
        for currency, day, rate in clean:
            old = stored.get((currency, day))
            if old is not None and old == rate:
                unchanged += 1
                continue
            created += old is None
            written.append(
                CurrencyRate(
                    company=company,
                    currency=currency,
                    rate_date=day,
                    rate=rate,
                    source_label=source_label[:100],
                )
            )
        # Our lock keeps other writers of this company out, so no row appears between the
        # read above and this write; the conflict clause turns "changed" rows into updates.
        CurrencyRate.objects.bulk_create(
            written,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["company", "currency", "rate_date"],
            update_fields=["rate", "source_label", "modified_at"],
        )
        loaded = RatesLoaded(
            created=created,
            updated=len(written) - created,
            unchanged=unchanged,
            currencies=tuple(sorted({r.currency for r in written})),
            date_from=min((r.rate_date for r in written), default=None),
            date_to=max((r.rate_date for r in written), default=None),
        )
        if written:
            record_event(
                event_types.CURRENCY_RATES_LOADED,
                actor=actor,
                subject_type="company",
                subject_id=company.id,
                payload=_payload(loaded, source_label[:100]),
            )
    return loaded


def load_rate_file(data: bytes, *, actor: Actor, source_label: str) -> RatesLoaded:
    """Load an ECB-format file (euro rates: CSV or zip) as the company's own rates.

    The file's rates are per euro; they are stored per unit of each currency in the
    company's home currency (a cross rate through the euro, for a home currency other
    than the euro: days without a home-currency rate are left out).
    """
    home = actor.company.home_currency
    try:
        days = read_rate_file(data)
    except RateFileError as exc:
        where = ["file"] if exc.line is None else ["file", f"line {exc.line}"]
        raise FieldError(exc.message, loc=where, code="rate_file_invalid") from None
    rates = []
    for day in days:
        home_per_euro = Decimal(1) if home == "EUR" else day.per_euro.get(home)
        if home_per_euro is None:
            continue
        per_euro = day.per_euro | {"EUR": Decimal(1)}
        for currency, value in per_euro.items():
            if currency == home:
                continue
            rate = cross_rate(home_per_euro, value)
            if rate is None:
                raise FieldError(
                    f"{currency}: {value} per euro is no {home} rate payables can keep (more "
                    "than six integer digits, or zero at ten decimals).",
                    loc=["file", f"line {day.line}"],
                    code="rate_file_invalid",
                )
            rates.append({"currency": currency, "rate_date": day.day, "rate": rate})
    if not rates:
        raise FieldError(
            f"The file has no rates that can be given in {home}, the home currency "
            f"(its rates are per euro: for a home currency other than the euro, the file "
            f"must have a {home} column).",
            loc=["file"],
            code="rate_file_invalid",
        )
    return upsert_currency_rates(rates, actor=actor, source_label=source_label, loc=("file",))


def _checked(rates: Sequence[Mapping], *, home: str, loc: Loc) -> list[tuple[str, date, Decimal]]:
    problems = []
    seen: dict[tuple[str, date], int] = {}
    clean = []
    for index, item in enumerate(rates):
        where = [*loc, index]
        currency, day, rate = item["currency"].upper(), item["rate_date"], item["rate"]
        if currency == home:
            problems.append(
                FieldError(
                    f"{currency} is the home currency: its rate is always 1.",
                    loc=[*where, "currency"],
                    code="currency_rate_invalid",
                )
            )
        if not (0 < rate <= MAX_RATE) or rate != rate.quantize(RATE_QUANTUM):
            problems.append(
                FieldError(
                    f"The rate must be positive, at most {MAX_RATE} and have at most 10 decimals.",
                    loc=[*where, "rate"],
                    code="currency_rate_invalid",
                )
            )
        if (currency, day) in seen:
            problems.append(
                FieldError(
                    f"{currency} on {day.isoformat()} is also at index {seen[currency, day]}.",
                    loc=[*where, "date"],
                    code="duplicate_in_batch",
                )
            )
        seen.setdefault((currency, day), index)
        clean.append((currency, day, rate))
    if problems:
        raise ValidationFailed(problems)
    return clean


def _stored(company: object, clean: list[tuple[str, date, Decimal]]) -> dict:
    """The company's stored rates of the load's currencies and days: (currency, day) → rate."""
    if not clean:
        return {}
    days = [day for _, day, _ in clean]
    rows = (
        CurrencyRate.objects.for_company(company)
        .filter(
            currency__in={currency for currency, _, _ in clean},
            rate_date__range=(min(days), max(days)),
        )
        .values_list("currency", "rate_date", "rate")
    )
    return {(currency, day): rate for currency, day, rate in rows.iterator(chunk_size=2000)}


def _payload(loaded: RatesLoaded, source_label: str) -> dict:
    return {
        "source": source_label,
        "currencies": list(loaded.currencies),
        "date_from": loaded.date_from.isoformat() if loaded.date_from else None,
        "date_to": loaded.date_to.isoformat() if loaded.date_to else None,
        "created": loaded.created,
        "updated": loaded.updated,
        "unchanged": loaded.unchanged,
    }
