"""Fennoa's envelope: ``{"status": "OK", "data": …}`` or ``{"status": "ERROR", "errors": […]}``.

Every answer of the Fennoa-compatible API is built here, errors included, with the status
codes Fennoa documents: 200, 400 (the request was refused), 401 (key, company code or
permission), 404 (not found, where the endpoint documents it; else 400), 405 (method) and
500 (a failure of ours, never a bare one). Each error names the Fennoa field it is about.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import add_never_cache_headers
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from payables.errors import FieldError, Loc, PayablesError, ValidationFailed
from payables.json_encoding import PreciseJSONEncoder
from payables.tenancy.idempotency import IdempotentReplay

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

# Native locations translated to Fennoa's: the longest matching prefix wins.
LocTable = Mapping[tuple, tuple]
Relocate = Callable[[Sequence], list]
REQUEST_PARTS = frozenset({"body", "query", "path", "header", "form"})


def ok(data: Any = None) -> HttpResponse:
    """The answer to a request carried out: ``status`` OK and, where there is some, ``data``."""
    body: dict[str, Any] = {"status": "OK"}
    if data is not None:
        body["data"] = data
    return _json(body, 200)


def refused(status: int, errors: list[dict]) -> HttpResponse:
    """A refusal: ``status`` ERROR and the errors, each naming its field (or null)."""
    return _json({"status": "ERROR", "errors": errors}, status)


def error_item(loc: Loc | None, message: str, code: str, **extra: Any) -> dict:
    """One error: the Fennoa field (``json.0.account_code`` for a nested one), why, a code."""
    parts = [str(part) for part in (loc or ())]
    return {"field": ".".join(parts) or None, "message": message, "code": code, **extra}


def answer_error(exc: Exception, *, not_found: int) -> HttpResponse:
    """The envelope for a refusal raised anywhere below a view."""
    if isinstance(exc, PydanticValidationError):
        return refused(400, pydantic_errors(exc))
    if isinstance(exc, RequestDataTooBig):
        message = "The request body exceeds the upload limit."
        return refused(400, [error_item(None, message, "payload_too_large")])
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        message = "The request has more form fields, or files, than the API reads."
        return refused(400, [error_item(None, message, "too_many_fields")])
    if isinstance(exc, MultiPartParserError):
        message = f"The multipart body cannot be read: {exc}"
        return refused(400, [error_item(None, message, "multipart_invalid")])
    if isinstance(exc, PayablesError):
        return refused(status_of(exc, not_found=not_found), domain_errors(exc))
    raise TypeError(f"Not a refusal: {exc!r}")


def status_of(exc: PayablesError, *, not_found: int) -> int:
    """Fennoa's status for a domain refusal: a key or a permission is 401, as it documents."""
    if exc.status in {401, 403}:
        return 401
    if exc.status == 404:
        return not_found
    if exc.status == 405:
        return 405
    return 400


def domain_errors(exc: PayablesError) -> list[dict]:
    """The errors of a domain refusal; each keeps the refusal's stable code."""
    if isinstance(exc, ValidationFailed):
        return [_domain_item(e) for e in exc.errors]
    return [_domain_item(exc)]


def _domain_item(exc: PayablesError) -> dict:
    loc = list(exc.loc or ())
    if loc and loc[0] in REQUEST_PARTS:
        loc = loc[1:]
    extra = {}
    if "existing_internal_id" in exc.extra:  # a duplicate names the invoice it repeats
        extra["existing_id"] = exc.extra["existing_internal_id"]
    return error_item(loc, exc.message, exc.code, **extra)


def pydantic_errors(exc: PydanticValidationError) -> list[dict]:
    """Shape errors of a Fennoa input model, located at the Fennoa field names."""
    return [error_item(_message_loc(error), error["msg"], error["type"]) for error in exc.errors()]


def _message_loc(error: Mapping) -> list:
    # A model-level check has no location; a field's nested location keeps its path.
    return [part for part in error.get("loc", ()) if part != "__root__"]


@contextlib.contextmanager
def located_as(relocate: LocTable | Relocate) -> Iterator[None]:
    """Translate the locations of refusals raised inside to Fennoa's field names.

    The services locate problems on the native shapes (``["splits", 0, "vat_code"]``); an
    integrator sent Fennoa's (``json.0.vatcode_id``). ``relocate`` is a table for
    ``translate_loc`` or a function of its own.
    """
    try:
        yield
    except PayablesError as exc:
        for item in exc.errors if isinstance(exc, ValidationFailed) else [exc]:
            if item.loc is not None:
                item.loc = tuple(_apply(relocate, item.loc))
        raise


def _apply(relocate: LocTable | Relocate, loc: Sequence) -> list:
    return relocate(loc) if callable(relocate) else translate_loc(loc, relocate)


def translate_loc(loc: Sequence, table: LocTable) -> list:
    """Map a native location to Fennoa's by its longest matching prefix, keeping the rest.

    >>> translate_loc(["body", "supplier", "vat_number"], {("supplier",): ("supplier_name",),
    ...     ("supplier", "vat_number"): ("supplier_vat_number",)})
    ['supplier_vat_number']
    >>> translate_loc(["amount"], {("amount",): ("sum",)}), translate_loc(["other"], {})
    (['sum'], ['other'])
    """
    parts = list(loc)
    if parts and parts[0] in REQUEST_PARTS:
        parts = parts[1:]
    matches = [native for native in table if tuple(parts[: len(native)]) == native]
    if not matches:
        return parts
    native = max(matches, key=len)
    return [*table[native], *parts[len(native) :]]


def guarded(view: Callable[..., HttpResponse], *, not_found: int) -> Callable[..., HttpResponse]:
    """Answer every refusal, and any failure of ours, in the envelope (never HTML)."""

    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except IdempotentReplay as replay:  # the first answer again, as it was given
            response = replay.response()
        except (
            PayablesError,
            PydanticValidationError,
            RequestDataTooBig,
            TooManyFieldsSent,
            TooManyFilesSent,
            MultiPartParserError,
        ) as exc:
            response = answer_error(exc, not_found=not_found)
        except Exception:  # documented by Fennoa as 500; logged, and answered in the envelope
            logger.exception("Fennoa-compatible API failed on %s %s", request.method, request.path)
            message = "The server was unable to process the request."
            response = refused(500, [error_item(None, message, "server_error")])
        add_never_cache_headers(response)
        return response

    return answer


def _json(body: dict, status: int) -> HttpResponse:
    text = json.dumps(body, cls=PreciseJSONEncoder, ensure_ascii=False)
    return HttpResponse(text, status=status, content_type="application/json; charset=utf-8")


def native_input(model: type[M], data: dict, relocate: LocTable | Relocate) -> M:
    """Build a native input model from mapped data; its shape errors located as Fennoa's."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationFailed(
            [
                FieldError(error["msg"], loc=_apply(relocate, error["loc"]), code=error["type"])
                for error in exc.errors()
            ]
        ) from None
