"""Local invoice numbers from a pattern, and the natural order of document versions."""

from __future__ import annotations

import re
import string
from datetime import date

PLACEHOLDERS = frozenset({"year", "month", "seq"})


def check_pattern(pattern: str) -> None:
    """Refuse a pattern that names unknown placeholders or lacks ``{seq}``.

    >>> check_pattern("PI-{year}-{seq:06}")
    >>> check_pattern("PI-{day}")
    Traceback (most recent call last):
    ...
    ValueError: Unknown placeholder {day}; use {year}, {month} and {seq}
    """
    try:
        names = [field for _, field, _, _ in string.Formatter().parse(pattern) if field is not None]
    except ValueError as exc:
        raise ValueError(f"Not a valid pattern: {exc}") from None
    for name in names:
        if name not in PLACEHOLDERS:
            raise ValueError(f"Unknown placeholder {{{name}}}; use {{year}}, {{month}} and {{seq}}")
    if "seq" not in names:
        raise ValueError("The pattern needs {seq}, or every number would be the same")
    try:
        format_number(pattern, seq=1, on_date=date(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"Not a valid pattern: {exc}") from None


def format_number(pattern: str, *, seq: int, on_date: date) -> str:
    """Make a number.

    >>> format_number("PI-{year}-{seq:06}", seq=42, on_date=date(2026, 11, 22))
    'PI-2026-000042'
    """
    return pattern.format(year=on_date.year, month=f"{on_date.month:02}", seq=seq)


def version_key(version: str) -> tuple:
    """Sort key for document versions in natural order, so "2" < "10" and "v2" < "v10".

    >>> sorted(["10", "2", "1"], key=version_key)
    ['1', '2', '10']
    >>> version_key("v2") < version_key("v10") < version_key("v10a")
    True
    """
    parts = re.split(r"(\d+)", version.strip().lower())
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))
