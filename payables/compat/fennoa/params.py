"""Reading Fennoa requests: query strings, form data or JSON bodies, and Fennoa's moments.

Every value is read once: a parameter given twice (``isApproved=0&isApproved=1``) is refused,
as Fennoa refuses it, instead of one of them silently winning. An empty form field is a field
not given (HTML forms send every field). Moments are Finnish time unless they carry an offset.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, QueryDict
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from payables.errors import FieldError, ValidationFailed
from payables.schema_types import Timestamp

# Fennoa serves Finnish companies: its timestamps, in and out, are Finnish local time.
FENNOA_TIME_ZONE = ZoneInfo("Europe/Helsinki")
MOMENT = re.compile(
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    # The description's own example separates date and time with "T T": any run of T or space.
    r"(?:[Tt ]+(?P<time>[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?))?"
    r"(?P<offset>Z|[+-][0-9]{2}:?[0-9]{2})?$"
)


def query_values(request: HttpRequest) -> dict[str, str]:
    """The query parameters, each given once."""
    return single_values(request.GET, where="query")


def body_values(request: HttpRequest) -> dict[str, Any]:
    """The fields of a form (urlencoded or multipart) or of a JSON object body."""
    if request.content_type == "application/json":
        if not request.body.strip():
            return {}
        try:
            data = json.loads(request.body, parse_float=Decimal)
        except (ValueError, RecursionError) as exc:
            raise FieldError(f"The body is not valid JSON: {exc}", code="json_invalid") from None
        if not isinstance(data, dict):
            raise FieldError("The body must be a JSON object.", code="json_invalid")
        if b"\\u0000" in request.body:
            _refuse_nul(data)
        return {key: value for key, value in data.items() if value != ""}
    return single_values(request.POST, where="form")


def single_values(data: QueryDict, *, where: str) -> dict[str, str]:
    """One value per name (empty ones left out), refusing repeats and NUL characters."""
    problems = []
    values: dict[str, str] = {}
    for name in data:
        given = data.getlist(name)
        if len(given) > 1:
            problems.append(
                FieldError(
                    f"Give {name} once; it was given {len(given)} times.",
                    loc=[name],
                    code="repeated_parameter",
                )
            )
            continue
        value = given[0]
        if "\x00" in name or "\x00" in value:
            problems.append(
                FieldError("Text must not contain NUL characters.", loc=[name], code="string_nul")
            )
            continue
        if value.strip():
            values[name] = value
    if problems:
        raise ValidationFailed(problems)
    return values


def _refuse_nul(data: dict) -> None:
    for key, value in data.items():
        if "\x00" in key or (isinstance(value, str) and "\x00" in value):
            raise FieldError("Text must not contain NUL characters.", loc=[key], code="string_nul")


def read_moment(value: object) -> object:
    """Read a Fennoa date, or date and time (seconds optional), as an aware moment.

    >>> read_moment("2024-10-01T T14:21:22")
    datetime.datetime(2024, 10, 1, 11, 21, 22, tzinfo=datetime.timezone.utc)
    >>> read_moment("2024-04-25 12:48"), read_moment("2019-06-30")
    (datetime.datetime(2024, 4, 25, 9, 48, tzinfo=datetime.timezone.utc), \
datetime.datetime(2019, 6, 29, 21, 0, tzinfo=datetime.timezone.utc))
    """
    if value is None or isinstance(value, datetime):
        return value
    match = MOMENT.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise PydanticCustomError(
            "datetime_parsing",
            "Input should be a date (2024-04-25) or a date and time (2024-04-25 12:48:00)",
        )
    text = match["date"] + "T" + (match["time"] or "00:00") + (match["offset"] or "")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError(
            "datetime_parsing", "{text} is not a date (or time) of the calendar", {"text": value}
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=FENNOA_TIME_ZONE)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError(
            "datetime_range", "The date must fall within the years 1 to 9999"
        ) from None


# A date or a moment of a Fennoa filter, as an aware datetime (a date: its first moment).
# Read first, then held to what the native ``Timestamp`` stores (pydantic runs the
# outermost before-validator first).
Moment = Annotated[Timestamp, BeforeValidator(read_moment)]


def fennoa_moment(moment: datetime) -> str:
    """Write a moment as Fennoa does: Finnish time, to the second.

    >>> fennoa_moment(datetime(2023, 12, 19, 7, 12, 27, 999, tzinfo=UTC))
    '2023-12-19 09:12:27'
    """
    return moment.astimezone(FENNOA_TIME_ZONE).strftime("%Y-%m-%d %H:%M:%S")


def fennoa_date(moment: datetime) -> str:
    """The Finnish calendar day of a moment.

    >>> fennoa_date(datetime(2019, 12, 30, 22, 30, tzinfo=UTC))
    '2019-12-31'
    """
    return moment.astimezone(FENNOA_TIME_ZONE).date().isoformat()
