"""Idempotent API POSTs (IETF draft-ietf-httpapi-idempotency-key).

The API key auth claims the key once it has let the request in (see ``tenancy/auth.py``),
so a stored answer only ever reaches a key that may make the request; the middleware
below stores the answer the API gave, or forgets the claim when there is none to keep.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from payables.errors import FieldError, Loc
from payables.tenancy.models import ApiKey, IdempotencyKey
from payables.tenancy.services import (
    claim_idempotency_key,
    complete_idempotency_key,
    release_idempotency_key,
)

_CLAIM_ATTR = "_payables_idempotency_claim"


class IdempotentReplay(Exception):
    """The request repeats one already answered; the API answers with the stored answer."""

    def __init__(self, record: IdempotencyKey) -> None:
        super().__init__(record.key)
        self.record = record

    def response(self) -> HttpResponse:
        """The first answer again, marked as a replay."""
        response = HttpResponse(
            bytes(self.record.response_body),
            status=self.record.response_status,
            content_type=self.record.response_content_type,
        )
        response["Idempotent-Replayed"] = "true"
        return response


def claim_request(
    request: HttpRequest, api_key: ApiKey, *, key: str | None = None, source: Loc = ()
) -> None:
    """Claim the request's idempotency key for an authenticated, authorised POST.

    The key comes from the ``Idempotency-Key`` header or, for integrators that send one,
    a top-level ``request_id`` in a JSON body. A vendor's API that carries its own request
    id (Fitek's ``RequestId``, in a JSON or an XML body) reads it itself and passes it as
    ``key``, with ``source`` naming where it was. Raises ``IdempotentReplay`` when the
    request was answered before, and the refusals of ``claim_idempotency_key`` (located
    at where the key came from) when the key cannot be used.
    """
    body = request.body  # too large: the API answers 413
    name = "Idempotency-Key"
    if key is not None:
        source = list(source)
        name = str(source[-1]) if source else name
    else:
        key = request.headers.get("Idempotency-Key")
        source = ["header", "Idempotency-Key"]
    if key is None:
        key, source = _request_id(request, body), ["body", "request_id"]
    if key is not None:
        claim_key(request, api_key, key=key, source=source, path=request.get_full_path(), name=name)


def claim_key(
    request: HttpRequest,
    api_key: ApiKey,
    *,
    key: str,
    source: list,
    path: str,
    name: str = "Idempotency-Key",
) -> None:
    """Claim ``key`` for the request, which is identified by its method, ``path`` and body.

    For transports whose key comes from elsewhere (a vendor's signed request) or whose
    query changes between retries (a fresh timestamp and signature): they give the path
    without it. Refusals are located at ``source`` and name the key as ``name``.
    """
    fingerprint = request_fingerprint(request.method or "", path, request.body)
    try:
        claim = claim_idempotency_key(api_key, key=key, fingerprint=fingerprint)
    except FieldError as exc:
        message = exc.message.replace("Idempotency-Key", name)
        raise type(exc)(message, code=exc.code, loc=source) from None
    if claim.is_replay:
        raise IdempotentReplay(claim.record)
    setattr(request, _CLAIM_ATTR, claim.record)


class IdempotencyClaimMiddleware:
    """Store the answer to a request whose idempotency key was claimed, for replays.

    Only requests that carry a claim are touched. An answer that is a server error
    (the request was not carried out), streamed (not storable) or an exception
    releases the claim, so a retry runs again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except BaseException:
            _release(request)
            raise
        record = getattr(request, _CLAIM_ATTR, None)
        if record is None:
            return response
        if response.status_code >= 500 or response.streaming:
            _release(request)
        else:
            complete_idempotency_key(
                record,
                status=response.status_code,
                content_type=response.get("Content-Type", ""),
                body=response.content,
            )
        return response


def _release(request: HttpRequest) -> None:
    record = getattr(request, _CLAIM_ATTR, None)
    if record is not None:
        release_idempotency_key(record)


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
