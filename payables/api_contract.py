"""The API's contract where no operation speaks: every answer under /api/v1 is JSON.

An unknown path is a JSON 404 and a method a path does not serve a JSON 405 (Ninja and
Django would answer HTML or plain text), and a query parameter an operation does not
declare is a 422 naming it, so a client's misspelt filter never returns an unfiltered list.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, re_path, reverse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import ValidationError

from payables.errors import NotFound, PayablesError, error_body

View = Callable[..., HttpResponse]


class MethodNotAllowed(PayablesError):
    """The path exists but does not serve this method."""

    status = 405
    code = "method_not_allowed"


def api_urls(api: NinjaAPI) -> tuple[list, str, str]:
    """Return the API's URL patterns (as ``api.urls``), answering JSON where they would not.

    Ninja answers a method a path does not serve in plain text and its own root with an
    HTML 404; a path matching no pattern would get Django's HTML 404.
    """
    patterns, app_name, namespace = api.urls
    not_found = _not_found_view(api)
    routed = [
        # The root keeps its name: Ninja finds its own prefix by reversing it.
        URLPattern(p.pattern, not_found, p.default_args, p.name)
        if p.name == "api-root"
        else URLPattern(p.pattern, _json_405(api, p.callback), p.default_args, p.name)
        for p in patterns
    ]
    return [*routed, re_path(r"", not_found)], app_name, namespace


def _not_found_view(api: NinjaAPI) -> View:
    @csrf_exempt  # a POST to a wrong path is a 404, not a CSRF failure
    def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        docs = reverse(f"{api.urls_namespace}:openapi-view")
        error = NotFound(f"There is no {request.path}; the API's paths are listed at {docs}.")
        return api.create_response(request, error_body(error), status=error.status)

    return unknown_path


def _json_405(api: NinjaAPI, view: View) -> View:
    @functools.wraps(view)  # keeps csrf_exempt
    def answer_in_json(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        error = MethodNotAllowed(f"{request.path} answers {allowed}, not {request.method}.")
        json_response = api.create_response(request, error_body(error), status=error.status)
        json_response["Allow"] = allowed
        return json_response

    return answer_in_json


def refuse_unknown_query_parameters(view_func: View) -> View:
    """Refuse query parameters the operation does not declare (an operation decorator).

    Applied after authentication and the validation of what is declared.
    """
    operation = view_func._ninja_operation  # type: ignore[attr-defined]
    known = {
        name
        for model in operation.models
        if model.__ninja_param_source__ == "query"
        for name in model.__ninja_flatten_map__
    }

    @functools.wraps(view_func)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        unknown = [name for name in request.GET if name not in known]
        if unknown:
            hint = f"it takes {', '.join(sorted(known))}" if known else "it takes none"
            raise ValidationError(
                [
                    {
                        "loc": ["query", name],
                        "msg": f"Unknown query parameter; {hint}.",
                        "type": "unknown_parameter",
                    }
                    for name in unknown
                ]
            )
        return view_func(request, *args, **kwargs)

    return checked
