"""URLs of the digitization-compatible API, mounted at /compat/digitization/.

Unknown paths and methods are answered in the API's JSON envelope too.
"""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt

from payables.compat.digitization.api import api, refusal

patterns, _, _ = api.urls
app_name = api.urls_namespace  # include() names the namespace after it: reverse() finds it


@csrf_exempt  # a POST to a wrong path is a 404, not a CSRF failure
def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return refusal(request, 404, f"There is no {request.path}.", "not_found")


def _json_405(view: Any) -> Any:
    @functools.wraps(view)  # keeps csrf_exempt
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        message = f"{request.path} answers {allowed}, not {request.method}."
        json_response = refusal(request, 405, message, "method_not_allowed")
        json_response["Allow"] = allowed
        return json_response

    return answer


routed = [
    URLPattern(p.pattern, unknown_path, p.default_args, p.name)
    if p.name == "api-root"
    else URLPattern(p.pattern, _json_405(p.callback), p.default_args, p.name)
    for p in patterns
]
urlpatterns = [*routed, re_path(r"", unknown_path)]
