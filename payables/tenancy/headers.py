"""HTTP headers every API answer carries, whatever produced it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

# Where the HTTP API is mounted (payables.urls); every answer below it is the API's.
API_PREFIX = "/api/"


class ApiNoStoreMiddleware:
    """``Cache-Control: no-store`` on every answer under the API, errors and 404s too.

    API answers carry invoices, bank accounts and key prefixes of one company: no
    browser, proxy or CDN cache may keep them. A middleware, so answers that no API
    operation wrote (unknown paths, errors raised early, idempotent replays) get it too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith(API_PREFIX):
            add_never_cache_headers(response)
        return response
