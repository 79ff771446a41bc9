"""Fennoa's authentication, mapped onto payables' API keys.

Fennoa authenticates with HTTP Basic: the user name selects the company (its company code),
the password is the API key. Here the password is a payables API key (an integrator's, or a
person's own key for the approval queue and decisions), and the user name, when given, must
name the key's company: its registry code (the company code of payables' feeds) or its
UUID. ``X-API-Key`` is accepted as well. Each endpoint needs the scopes the native endpoint
for the same action needs; Fennoa answers 401 for a missing permission too.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

from django.http import HttpRequest

from payables.errors import NotAuthenticated
from payables.tenancy.actors import Actor
from payables.tenancy.errors import ApiKeyInvalid, MissingScope
from payables.tenancy.idempotency import claim_request
from payables.tenancy.models import Company
from payables.tenancy.queries import company_code, find_api_key
from payables.tenancy.services import mark_api_key_used

HOW = "HTTP Basic authentication: the company code as user name, the API key as password"


class CompanyCodeInvalid(NotAuthenticated):
    """The Basic user name names another company than the key's."""

    code = "company_code_invalid"
    default_message = (
        "The company code (the Basic user name) is not this API key's company: give its "
        "registry code or its id."
    )


def authenticate(request: HttpRequest, scopes: Sequence[str]) -> tuple[Actor, frozenset[str]]:
    """Return the actor the request's credentials name, and the scopes its key holds (every
    one of ``scopes`` among them).

    A POST it lets in then claims its idempotency key (an ``Idempotency-Key`` header, or a
    JSON body's ``request_id``); a repeat raises ``IdempotentReplay``.
    """
    user_name, raw = credentials(request)
    if not raw:
        raise NotAuthenticated(f"Authenticate with {HOW}.", code="api_key_missing")
    api_key = find_api_key(raw)
    if api_key is None:
        raise ApiKeyInvalid()
    mark_api_key_used(api_key)  # refused below or not; a revoked key is never marked
    if not api_key.is_active:
        raise ApiKeyInvalid()
    actor = Actor.for_api_key(api_key)
    if user_name and not names_company(user_name, actor.company):
        raise CompanyCodeInvalid()
    missing = [scope for scope in scopes if scope not in api_key.effective_scopes]
    if missing:
        raise MissingScope(
            f"This API key lacks the scope {', '.join(repr(s) for s in missing)} this "
            "endpoint needs."
        )
    if request.method == "POST" and (
        "Idempotency-Key" in request.headers or request.content_type == "application/json"
    ):  # reading a multipart body into memory only when a key asks for it
        claim_request(request, api_key)
    return actor, api_key.effective_scopes


def credentials(request: HttpRequest) -> tuple[str, str]:
    """The (user name, API key) of a Basic ``Authorization`` header, else ("", X-API-Key)."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return "", request.headers.get("X-API-Key", "").strip()
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise NotAuthenticated(
            f"The Authorization header is not valid Basic credentials; use {HOW}.",
            code="credentials_invalid",
        ) from None
    user_name, _, password = decoded.partition(":")
    return user_name.strip(), password.strip()


def names_company(code: str, company: Company) -> bool:
    """Whether a Fennoa company code names this company (registry code or UUID, any case)."""
    return code.lower() in {company_code(company).lower(), str(company.id)}
