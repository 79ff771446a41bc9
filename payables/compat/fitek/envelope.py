"""Fitek's answer envelope: every answer, success or refusal, has the same four fields.

    {"RequestId": "…", "Success": true, "Errors": [], "Result": {…}}
    {"RequestId": "…", "Success": false, "Result": null,
     "Errors": [{"Code": "unknown_code", "Message": "…",
                 "Location": "Payload.TransactionRows[0].AccountCode"}]}

``Location`` points into the request body in Fitek's names (null: the request as a
whole); an error about an XML element adds ``XmlLocation``, and a refusal's other details
(``ExistingId``, ``Severity``, ``LineId``…) follow in PascalCase.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.http import HttpRequest

from payables.compat.fitek.names import Shape, fitek_loc, fitek_name
from payables.errors import Loc, PayablesError, ValidationFailed

REQUEST_ID_ATTR = "_fitek_request_id"


def request_id_of(request: HttpRequest) -> str | None:
    """The RequestId the body carries, once the credentials were read (else None)."""
    return getattr(request, REQUEST_ID_ATTR, None)


def success(request: HttpRequest, result: object) -> dict:
    return {"RequestId": request_id_of(request), "Success": True, "Errors": [], "Result": result}


def failure(request: HttpRequest, errors: list[dict], result: object = None) -> dict:
    return {
        "RequestId": request_id_of(request),
        "Success": False,
        "Errors": errors,
        "Result": result,
    }


def error_items(exc: PayablesError) -> list[dict]:
    """The refusal as Fitek errors; its locations are Fitek's already (see ``located``)."""
    errors = exc.errors if isinstance(exc, ValidationFailed) else [exc]
    return [item(e.code, e.message, e.loc, e.extra) for e in errors]


def item(code: str, message: str, loc: Loc | None = None, details: dict | None = None) -> dict:
    found = {"Code": code, "Message": message, "Location": dotted(loc or ())}
    for key, value in (details or {}).items():
        found[fitek_name(str(key))] = value
    return found


def dotted(loc: Iterable[str | int]) -> str | None:
    """A location as Fitek writes one: ``Payload.TransactionRows[0].AccountCode``.

    >>> dotted(["Payload", "TransactionRows", 0, "AccountCode"]), dotted([])
    ('Payload.TransactionRows[0].AccountCode', None)
    """
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or None


@contextmanager
def located(
    shape: Shape, *, at: Loc = ("Payload",), default: Loc = (), within: Loc = ()
) -> Iterator[None]:
    """Say the services' refusals in Fitek's names: a native location into a value of
    ``shape`` becomes one under ``at``; a refusal without a location gets ``default``.

    ``within``: where the payload sits in what the service was given (one list value given
    as ``values[0]``); a location above it is the payload's as a whole (``default``).
    """
    try:
        yield
    except PayablesError as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else [exc]
        for error in errors:
            loc = list(error.loc or ())
            if loc[:1] == ["body"]:  # a service that names the request part
                loc = loc[1:]
            if within and loc[: len(within)] == list(within):
                loc = loc[len(within) :]
            elif within and loc == list(within)[: len(loc)]:
                loc = []
            error.loc = (*at, *fitek_loc(loc, shape)) if loc else tuple(default) or None
        raise
