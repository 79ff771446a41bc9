"""Schemathesis hooks for ``make fuzz`` (loaded through ``SCHEMATHESIS_HOOKS`` by run.py).

Hypothesis draws few distinct idempotency keys (``"0"`` over and over), and the API answers
a key reused with another request with a 422: most POSTs would stop there. So a valid key
(or ``request_id``) is made unique per request; invalid ones are sent as drawn, to test
their refusal. Replays and reuse have their own tests in the suite.
"""

from __future__ import annotations

import itertools
from typing import Any

import schemathesis

_serial = itertools.count()
_HEADER = "Idempotency-Key"


def _unique(value: object) -> object:
    if not isinstance(value, str) or not 0 < len(value) <= 240 or not value.isprintable():
        return value
    return f"{value}~{next(_serial)}"


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    headers = case.headers or {}
    if _HEADER in headers:
        headers[_HEADER] = _unique(headers[_HEADER])
    if isinstance(case.body, dict) and "request_id" in case.body:
        case.body["request_id"] = _unique(case.body["request_id"])
