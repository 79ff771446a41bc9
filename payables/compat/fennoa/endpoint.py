"""The frame of every Fennoa endpoint: method, credentials and scopes, then the envelope."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from payables.compat.fennoa.auth import authenticate
from payables.compat.fennoa.envelope import error_item, guarded, refused
from payables.errors import FieldError

View = Callable[..., HttpResponse]


def endpoint(method: str, *scopes: str, not_found: int = 400) -> Callable[[View], View]:
    """Serve ``method`` only (405 otherwise), to a key holding ``scopes``; answer every refusal
    in the envelope, a missing object with ``not_found`` (404 where Fennoa documents it)."""

    def decorate(handler: View) -> View:
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != method:
                message = f"{request.path} answers {method}, not {request.method}."
                response = refused(405, [error_item(None, message, "method_not_allowed")])
                response["Allow"] = method
                return response
            request.actor, request.scopes = authenticate(request, scopes)
            return handler(request, *args, **kwargs)

        # Basic or key authentication, never a session cookie: no CSRF token to ask for.
        return csrf_exempt(functools.wraps(handler)(guarded(view, not_found=not_found)))

    return decorate


def _unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    message = f"There is no {request.path} in the Fennoa-compatible API."
    return refused(404, [error_item(None, message, "not_found")])


# Any other path under the prefix: a 404 in the envelope, not Django's HTML page.
unknown_path = csrf_exempt(guarded(_unknown_path, not_found=404))


def one_id(path_value: int | None, params: dict, name: str) -> dict:
    """Take an id given in the path or as a parameter (both: they must agree)."""
    if path_value is None:
        return params
    given = params.get(name)
    if given is not None and str(given).strip() != str(path_value):
        raise FieldError(
            f"The path names {path_value}, {name} names {given}.", loc=[name], code="id_mismatch"
        )
    return params | {name: path_value}
