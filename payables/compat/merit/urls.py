"""URLs of the merit-compatible API, mounted at /compat/merit/.

Every answer is Merit's JSON and uncacheable: an unknown path is a 404 and a method a
path does not serve a 405 in Merit's envelope (Ninja and Django would answer in HTML or
plain text).
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
from payables.compat.merit.api import answer, api
from payables.errors import NotFound

View = Callable[..., HttpResponse]


def _merit_answers(view: View) -> View:
    @functools.wraps(view)  # keeps csrf_exempt
    def answered(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            refusal = MethodNotAllowed(f"{request.path} answers {allowed}, not {request.method}.")
            response = answer(request, refusal)
            response["Allow"] = allowed
        add_never_cache_headers(response)  # answers carry one company's invoices and secrets
        return response

    return answered


@csrf_exempt  # a POST to a wrong path is a 404, not a CSRF failure
def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    refusal = NotFound(
        f"There is no {request.path}: this API serves api/v1/sendpurchinvoice, "
        "api/v2/sendpurchinvoice, api/v1/gettaxes, api/v2/getdimensions and credentials."
    )
    return _merit_answers(lambda r: answer(r, refusal))(request)


_patterns, _app_name, app_name = api.urls  # the namespace Ninja reverses its own names in
urlpatterns: list = [
    # The root keeps its name: Ninja finds its own prefix by reversing it.
    URLPattern(p.pattern, unknown_path, p.default_args, p.name)
    if p.name == "api-root"
    else URLPattern(p.pattern, _merit_answers(p.callback), p.default_args, p.name)
    for p in _patterns
] + [re_path(r"", unknown_path)]
