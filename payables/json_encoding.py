"""How payables writes JSON: Decimals as strings, timestamps to the microsecond, and answers
that hold JSON texts stored earlier."""

from __future__ import annotations

import json
import re
import secrets
from datetime import date, datetime
from uuid import UUID

from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder


class PreciseJSONEncoder(NinjaJSONEncoder):
    """Write timestamps to the microsecond, as stored.

    Django's encoder cuts them to milliseconds; a client sending an answer's
    ``modified_at`` back as ``modified_after`` would then get that record again.
    """

    def default(self, o: object) -> object:
        if isinstance(o, datetime):
            return moment_text(o)
        return super().default(o)


def moment_text(value: datetime) -> str:
    """A timestamp as ``PreciseJSONEncoder`` writes it: ISO 8601 to the microsecond, UTC as Z.

    Pages written from plain values put their timestamps (and ``str()`` of their UUIDs) in
    as text: the encoder calling back for each one costs more than writing the rest.

    >>> from datetime import UTC
    >>> moment_text(datetime(2026, 1, 31, 12, 0, 0, 5, tzinfo=UTC))
    '2026-01-31T12:00:00.000005Z'
    """
    text = value.isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def optional_moment_text(value: datetime | None) -> str | None:
    """``moment_text`` of a timestamp that may be missing."""
    return None if value is None else moment_text(value)


def optional_text(value: UUID | date | None) -> str | None:
    """A UUID or a day as the encoder writes it (``str``: a day in ISO 8601), or None."""
    return None if value is None else str(value)


class StoredJson:
    """Put JSON texts stored earlier into an answer written with ``PreciseJSONEncoder``.

    ``mark(text)`` gives a stand-in to place in the answer where the text belongs;
    ``dumps(answer)`` writes the answer and puts each text in its stand-in's place, without
    reading it again. A stand-in is a string that no data can hold (NUL characters, which
    the API refuses and PostgreSQL cannot store, around a random tag). A stand-in may also
    be an object's key, with None as its value: the text is then members of the object
    (``"b": 1, "c": 2``), put in the place of that member.

    >>> stored = StoredJson()
    >>> stored.dumps({"a": stored.mark('[{"b": 1}]'), "c": "d"})
    '{"a": [{"b": 1}], "c": "d"}'
    >>> stored.dumps({stored.mark('"b": 1, "c": 2'): None, "d": 3})
    '{"b": 1, "c": 2, "d": 3}'
    """

    def __init__(self) -> None:
        self._texts: list[str] = []
        self._tag = secrets.token_hex(8)
        # A value is never followed by a colon: ``: null`` follows only a key.
        self._marks = re.compile(rf'"\\u0000{self._tag}:([0-9]+)\\u0000"(?:: null)?')

    def mark(self, text: str) -> str:
        self._texts.append(text)
        return f"\x00{self._tag}:{len(self._texts) - 1}\x00"

    def dumps(self, answer: object) -> str:
        text = json.dumps(answer, cls=PreciseJSONEncoder)
        return self._marks.sub(lambda found: self._texts[int(found[1])], text)


def json_answer(body: object) -> HttpResponse:
    """Write an answer built from plain values as it is: having Ninja validate it again
    would double the cost of the request (``invoices.schemas.details``, ``summaries``)."""
    return HttpResponse(
        json.dumps(body, cls=PreciseJSONEncoder), content_type="application/json; charset=utf-8"
    )
