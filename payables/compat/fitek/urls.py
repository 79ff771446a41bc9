"""URLs of the fitek-compatible API, mounted at /compat/fitek/.

Every answer is Fitek's envelope, never HTML: an unknown path is a 404, a method a path
does not serve a 405, both in the envelope; no answer may be cached (they carry a
company's data).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, re_path
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt

from payables.api_contract import MethodNotAllowed
from payables.compat.fitek.api import api, refused
from payables.errors import NotFound

View = Callable[..., HttpResponse]


def _answered(view: View) -> View:
    """The operation's answer; a method it does not serve is a 405 in the envelope."""

    @functools.wraps(view)  # keeps csrf_exempt
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            error = MethodNotAllowed(f"{request.path} answers {allowed}, not {request.method}.")
            response = refused(request, error)
            response["Allow"] = allowed
        add_never_cache_headers(response)
        return response

    return answer


@csrf_exempt  # a POST to a wrong path is a 404, not a CSRF failure
def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    error = NotFound(f"There is no {request.path}; the paths are listed at /compat/fitek/docs.")
    response = refused(request, error)
    add_never_cache_headers(response)
    return response


_patterns, _, app_name = api.urls  # Ninja finds its docs under its urls_namespace
urlpatterns = [
    # The root keeps its name: Ninja finds its own prefix by reversing it.
    URLPattern(
        p.pattern,
        unknown_path if p.name == "api-root" else _answered(p.callback),
        p.default_args,
        p.name,
    )
    for p in _patterns
]
urlpatterns.append(re_path(r"", unknown_path))
