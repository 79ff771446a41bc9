"""Read a Merit request body: JSON with exact decimals, keys in any case, shape checked."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TypeVar

from django.http import HttpRequest
from pydantic import BaseModel, ValidationError

from payables.compat.merit.schemas import KeyGivenTwice, canonical_keys
from payables.errors import FieldError, ValidationFailed

M = TypeVar("M", bound=BaseModel)

NUL_MESSAGE = "Text must not contain NUL characters."


def read_body(request: HttpRequest, model: type[M]) -> M:
    """The body as ``model``; every problem is refused at once, located in Merit's names."""
    try:
        data = json.loads(request.body, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        raise FieldError(f"The body is not valid JSON: {exc}", code="json_invalid") from None
    if not isinstance(data, dict):
        raise FieldError("The body must be a JSON object.", code="json_invalid")
    if b"\\u0000" in request.body:  # only an escape puts NUL in JSON text; no database keeps it
        _refuse_nul(data)
    try:
        return model.model_validate(canonical_keys(data, model))
    except KeyGivenTwice as exc:
        raise FieldError(str(exc), loc=exc.loc, code="duplicate_key") from None
    except ValidationError as exc:
        raise ValidationFailed(
            [FieldError(e["msg"], loc=e["loc"], code=e["type"]) for e in exc.errors()]
        ) from None


def _refuse_nul(data: dict) -> None:
    pending: list[tuple[list, object]] = [([], data)]
    while pending:
        loc, value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            raise FieldError(NUL_MESSAGE, loc=loc, code="string_nul")
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise FieldError(NUL_MESSAGE, loc=[*loc, key], code="string_nul")
                pending.append(([*loc, key], item))
        elif isinstance(value, list):
            pending.extend(([*loc, i], item) for i, item in enumerate(value))
