"""API key authentication with per-endpoint scopes for Django Ninja.

Idempotency is claimed here, once a POST is let in: a stored answer never reaches a
request that authentication or the endpoint's scope would refuse.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyHeader

from payables.errors import NotAuthenticated
from payables.tenancy.actors import Actor
from payables.tenancy.errors import ApiKeyInvalid, MissingScope
from payables.tenancy.idempotency import claim_request
from payables.tenancy.models import ApiKey
from payables.tenancy.queries import find_api_key
from payables.tenancy.services import mark_api_key_used

HEADER = "X-API-Key"
_CACHE_ATTR = "_payables_api_key"


def request_api_key(request: HttpRequest) -> ApiKey | None:
    """Return the key the request carries (looked up once per request), or None."""
    if not hasattr(request, _CACHE_ATTR):
        raw = request.headers.get(HEADER, "").strip()
        setattr(request, _CACHE_ATTR, find_api_key(raw) if raw else None)
    return getattr(request, _CACHE_ATTR)


class ApiKeyAuth(APIKeyHeader):
    """Accept an active key that holds ``scope``; sets ``request.actor``.

    A POST it lets in then claims its idempotency key; a repeat raises
    ``IdempotentReplay``, which the API answers with the stored answer.
    """

    param_name = HEADER

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()
        self.openapi_description = f"API key with scope `{scope}`."

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey:
        if not key:
            raise NotAuthenticated(code="api_key_missing")
        api_key = request_api_key(request)
        if api_key is None:
            raise ApiKeyInvalid()
        mark_api_key_used(api_key)  # refused below or not; a revoked key is never marked
        if not api_key.is_active:
            raise ApiKeyInvalid()
        if self.scope not in api_key.effective_scopes:
            raise MissingScope(f"This API key lacks the scope {self.scope!r} this endpoint needs.")
        request.actor = Actor.for_api_key(api_key)
        if request.method == "POST":
            claim_request(request, api_key)
        return api_key


def scoped(scope: str) -> ApiKeyAuth:
    """Build the auth for an endpoint that needs ``scope``."""
    return ApiKeyAuth(scope)
