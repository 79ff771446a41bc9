"""Domain errors: every refusal a service makes, with a stable code.

The mapping to HTTP happens once, in ``payables/api.py``; apps subclass these in
their own ``errors.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Loc = Sequence[str | int]


class PayablesError(Exception):
    """Base of all refusals; ``status`` is the HTTP answer the API gives for it."""

    status = 400
    code = "error"
    default_message = "The request cannot be carried out."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        loc: Loc | None = None,
        extra: dict | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.loc = tuple(loc) if loc is not None else None
        self.extra = extra or {}
        super().__init__(self.message)


class NotFound(PayablesError):
    """The object does not exist, or belongs to another company (never a 403)."""

    status = 404
    code = "not_found"
    default_message = "Not found."


class PermissionDenied(PayablesError):
    """The caller is known but may not do this."""

    status = 403
    code = "permission_denied"
    default_message = "You may not do this."


class Conflict(PayablesError):
    """The action clashes with the current state or an existing object."""

    status = 409
    code = "conflict"
    default_message = "The request conflicts with the current state."


class PayloadTooLarge(PayablesError):
    """An upload exceeds the configured size limit."""

    status = 413
    code = "payload_too_large"
    default_message = "The upload is too large."


class FieldError(PayablesError):
    """Input that has the right shape but the wrong meaning, pointing at a field."""

    status = 422
    code = "invalid"


class ValidationFailed(PayablesError):
    """Several field errors found together, answered as one 422."""

    status = 422
    code = "validation_failed"

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(e.message for e in self.errors), code=self.code)


# A field's check: ``check(context, value, problems)`` answers the value as stored and
# appends a located ``FieldError`` to ``problems`` for each thing wrong with it.
FieldCheck = Callable[[Any, Any, list[FieldError]], Any]


def check_fields(
    context: object,
    values: Mapping[str, object],
    checks: Mapping[str, FieldCheck],
    *,
    what: str,
    required: Sequence[str] = (),
) -> tuple[dict, list[FieldError]]:
    """Run each given field's check; answer the checked values and every problem found.

    A field without a check is "not a field of <what>"; a ``required`` field not given is
    missing. Problems are collected, not raised, so a caller adds its cross-field checks
    and reports everything at once.
    """
    problems: list[FieldError] = []
    checked: dict = {}
    for name, value in values.items():
        check = checks.get(name)
        if check is None:
            problems.append(FieldError(f"Not a field of {what}", loc=[name]))
            continue
        found = len(problems)
        result = check(context, value, problems)
        if len(problems) == found:
            checked[name] = result
    for name in required:
        if name not in values:
            message = f"{what[0].upper()}{what[1:]} needs {name}"
            problems.append(FieldError(message, loc=[name], code="missing"))
    return checked, problems


class NotAuthenticated(PayablesError):
    """No API key, or one that is unknown or revoked."""

    status = 401
    code = "not_authenticated"
    default_message = "A valid API key is required in the X-API-Key header."


def error_body(exc: PayablesError) -> dict:
    """Shape a domain error as the API answers it (see DESIGN.md, API conventions)."""
    if isinstance(exc, ValidationFailed):
        return {"detail": [_field_item(e) for e in exc.errors]}
    if exc.status == 422:
        return {"detail": [_field_item(exc)]}
    return {"detail": exc.message, "code": exc.code, **exc.extra}


REQUEST_PARTS = frozenset({"body", "query", "path", "header", "form"})


def _field_item(exc: PayablesError) -> dict:
    """A located error; a location that names no request part is in the body."""
    loc = list(exc.loc or ())
    if not loc or loc[0] not in REQUEST_PARTS:
        loc = ["body", *loc]
    return {"loc": loc, "msg": exc.message, "type": exc.code, **exc.extra}
