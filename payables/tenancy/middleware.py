"""Idempotency-Key handling for every API POST (IETF draft-ietf-httpapi-idempotency-key)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

from payables.errors import PayablesError, PayloadTooLarge, error_body
from payables.tenancy.auth import request_api_key
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
        key = request.headers.get("Idempotency-Key") or _request_id(request, body)
        if key is None:
            return self.get_response(request)
        api_key = request_api_key(request)
        if api_key is None or not api_key.is_active:
            return self.get_response(request)

        fingerprint = hashlib.sha256(
            b"\n".join([request.method.encode(), request.get_full_path().encode(), body])
        ).hexdigest()
        try:
            claim = claim_idempotency_key(api_key.integrator, key=key, fingerprint=fingerprint)
        except PayablesError as exc:
            return _error(exc)
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
            release_idempotency_key(record)
        else:
            complete_idempotency_key(
                record,
                status=response.status_code,
                content_type=response.get("Content-Type", ""),
                body=response.content,
            )
        return response


def _request_id(request: HttpRequest, body: bytes) -> str | None:
    """Find a ``request_id`` string in a JSON object body, quietly."""
    if request.content_type != "application/json" or b"request_id" not in body:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    value = data.get("request_id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def _error(exc: PayablesError) -> JsonResponse:
    return JsonResponse(error_body(exc), status=exc.status)
