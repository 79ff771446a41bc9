"""Idempotency-Key handling for every API POST (IETF draft-ietf-httpapi-idempotency-key)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from ninja.operation import PathView

from payables.errors import PayablesError, PayloadTooLarge, error_body
from payables.tenancy.auth import ApiKeyAuth, request_api_key
from payables.tenancy.services import (
    claim_idempotency_key,
    complete_idempotency_key,
    release_idempotency_key,
)

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"


class IdempotencyMiddleware:
    """Answer a repeated POST with the stored first answer.

    The key comes from the ``Idempotency-Key`` header or, for integrators that send
    one, a top-level ``request_id`` in a JSON body. Requests without a valid API key
    pass through untouched so that authentication answers them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        try:
            body = request.body
        except RequestDataTooBig:
            return _error(PayloadTooLarge("The request body exceeds the upload limit."))
        key = request.headers.get("Idempotency-Key")
        source = ["header", "Idempotency-Key"]
        if key is None:
            key, source = _request_id(request, body), ["body", "request_id"]
        if key is None:
            return self.get_response(request)
        api_key = request_api_key(request)
        if api_key is None or not api_key.is_active:
            return self.get_response(request)
        if not endpoint_scopes(request) <= api_key.effective_scopes:
            # The API answers 403; a stored answer must never reach a key without the scope.
            return self.get_response(request)

        fingerprint = request_fingerprint(request.method, request.get_full_path(), body)
        try:
            claim = claim_idempotency_key(api_key, key=key, fingerprint=fingerprint)
        except PayablesError as exc:
            return _error(exc, loc=source)
        record = claim.record
        if claim.is_replay:
            response = HttpResponse(
                bytes(record.response_body),
                status=record.response_status,
                content_type=record.response_content_type,
            )
            response["Idempotent-Replayed"] = "true"
            return response

        try:
            response = self.get_response(request)
        except BaseException:
            release_idempotency_key(record)
            raise
        if response.status_code >= 500 or response.streaming:
            release_idempotency_key(record)  # not carried out, or not storable: a retry runs
        else:
            complete_idempotency_key(
                record,
                status=response.status_code,
                content_type=response.get("Content-Type", ""),
                body=response.content,
            )
        return response


def endpoint_scopes(request: HttpRequest) -> set[str]:
    """Return the scopes the API operation behind the request's URL and method needs.

    Django Ninja keeps a URL's operations in its view function's closure and offers no
    public way to ask which auth a URL uses. Unknown URLs give the empty set: the API
    answers them itself.
    """
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return set()
    for cell in view.__closure__ or ():
        path_view = cell.cell_contents
        if isinstance(path_view, PathView):
            for operation in path_view.operations:
                if request.method in operation.methods:
                    return {
                        callback.scope
                        for callback in operation.auth_callbacks
                        if isinstance(callback, ApiKeyAuth)
                    }
    return set()


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """Identify a request by what it asks for, so a reused key with another request is caught."""
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


def _request_id(request: HttpRequest, body: bytes) -> str | None:
    """Find a ``request_id`` string in a JSON object body, quietly."""
    if request.content_type != "application/json" or b"request_id" not in body:
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # the API's parser answers these with a 422
        return None
    value = data.get("request_id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def _error(exc: PayablesError, *, loc: list[str] | None = None) -> JsonResponse:
    """Answer a refusal; a 422 points at where the key came from (header or body)."""
    if exc.status == 422 and loc is not None:
        body = {"detail": [{"loc": loc, "msg": exc.message, "type": exc.code}]}
    else:
        body = error_body(exc)
    return JsonResponse(body, status=exc.status)
