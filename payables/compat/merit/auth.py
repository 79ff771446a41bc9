"""Merit's request signing, verified with payables' API keys.

Merit signs every request: the query carries ``ApiId``, ``timestamp`` (``yyyyMMddHHmmss``,
UTC) and ``signature`` = base64(HMAC-SHA256(ApiKey, ApiId + timestamp + body)), per Merit's
published authentication page. Here the **ApiId is a payables API key's UUID** and the
**ApiKey a signing secret payables derives for that key** (``signing_secret``): an HMAC of
the key with the server's ``SECRET_KEY``. payables stores keys hashed, and an HMAC can only
be checked with the secret itself, so rather than keeping a second secret it can read, it
recomputes this one. Whoever holds the API key gets it at ``POST /compat/merit/credentials``
(it grants no more than the key); revoking the key revokes it, and changing
``PAYABLES_SECRET_KEY`` changes every signing secret (the old one keeps working while it
is in ``SECRET_KEY_FALLBACKS``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from ninja.security import APIKeyHeader
from ninja.security.base import AuthBase

from payables.compat.merit import queries
from payables.compat.merit.errors import WRONG_SIGNATURE, MeritAuthFailed
from payables.errors import NotAuthenticated
from payables.tenancy.actors import Actor
from payables.tenancy.auth import request_api_key
from payables.tenancy.errors import ApiKeyInvalid, MissingScope
from payables.tenancy.idempotency import claim_key
from payables.tenancy.models import ApiKey
from payables.tenancy.services import mark_api_key_used

SALT = "payables.compat.merit.signing-secret"
# How far the timestamp may be from the server's clock: Merit refuses old or future ones.
CLOCK_TOLERANCE = timedelta(minutes=5)
UNKNOWN_API_ID = "api-unknownapiid"


def signing_secret(api_key: ApiKey, *, server_secret: str | None = None) -> str:
    """The ApiKey a Merit client signs with for this API key (base64 of 256 bits)."""
    digest = salted_hmac(
        SALT, f"{api_key.pk}:{api_key.key_hash}", secret=server_secret, algorithm="sha256"
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def sign(api_id: str, timestamp: str, body: bytes, secret: str) -> str:
    """Merit's signature of a request, as a client computes it.

    >>> sign("670fe52f-558a-4be8-ade0-526e01a106d0", "20240624205902", b"{}", "c2VjcmV0")
    'o2KoybR/1TKh0IswakMfKQdGyzT60s3Gfrm/KRZNboU='
    """
    data = (api_id + timestamp).encode("utf-8") + body
    mac = hmac.new(secret.encode("ascii"), data, hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


class MeritSignature(AuthBase):
    """Let in a request signed for an active key that holds ``scope``; set ``request.actor``.

    With ``claims``, the request then claims an idempotency key: ``Idempotency-Key`` if
    sent, else its signature, so a signed request sent twice (a client's retry, or a
    replay within the clock tolerance) gets the first answer instead of acting twice.
    """

    openapi_type = "apiKey"
    openapi_in = "query"
    openapi_name = "ApiId"

    def __init__(self, scope: str, *, claims: bool = False) -> None:
        self.scope = scope
        self.claims = claims
        super().__init__()
        self.openapi_description = (
            f"Merit signing (`ApiId`, `timestamp`, `signature` in the query) with a key "
            f"holding `{scope}`."
        )

    def __call__(self, request: HttpRequest) -> ApiKey:
        params = {name.lower(): value for name, value in request.GET.items()}
        api_id = params.get("apiid", "")
        api_key = queries.api_key_by_id(api_id) if api_id else None
        if api_key is None or not api_key.is_active:
            raise MeritAuthFailed(
                "No active payables API key has this ApiId.",
                answer=UNKNOWN_API_ID,
                loc=["query", "ApiId"],
            )
        timestamp = params.get("timestamp", "")
        _check_timestamp(timestamp)
        # A "+" of a signature that was not URL-encoded arrives as a space.
        signature = params.get("signature", "").replace(" ", "+")
        if not _verifies(api_key, api_id, timestamp, request.body, signature):
            raise MeritAuthFailed(
                "The signature is not base64(HMAC-SHA256(ApiKey, ApiId + timestamp + body)) "
                "with the ApiKey of this ApiId (POST /compat/merit/credentials gives it).",
                answer=WRONG_SIGNATURE,
                loc=["query", "signature"],
            )
        mark_api_key_used(api_key)  # only once it is proven: an ApiId alone is no secret
        if self.scope not in api_key.effective_scopes:
            raise MissingScope(f"This API key lacks the scope {self.scope!r} this endpoint needs.")
        request.actor = Actor.for_api_key(api_key)
        if self.claims:
            header = request.headers.get("Idempotency-Key")
            claim_key(
                request,
                api_key,
                key=header or f"merit-signature:{signature}",
                source=["header", "Idempotency-Key"] if header else ["query", "signature"],
                path=request.path,  # the same request again comes with a new timestamp
            )
        return api_key


class KeyHolder(APIKeyHeader):
    """Any active payables API key in ``X-API-Key``: for fetching its Merit credentials."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey:
        api_key = request_api_key(request) if key else None
        if api_key is None:
            raise NotAuthenticated(code="api_key_missing" if not key else "api_key_invalid")
        mark_api_key_used(api_key)
        if not api_key.is_active:
            raise ApiKeyInvalid()
        return api_key


def _check_timestamp(timestamp: str) -> None:
    try:
        moment = datetime.strptime(timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        moment = None
    if moment is None or len(timestamp) != 14:
        raise MeritAuthFailed(
            "timestamp must be the current UTC time as yyyyMMddHHmmss.",
            answer=WRONG_SIGNATURE,
            loc=["query", "timestamp"],
        )
    now = timezone.now()
    if abs(now - moment) > CLOCK_TOLERANCE:
        raise MeritAuthFailed(
            f"timestamp {timestamp} is more than {CLOCK_TOLERANCE.seconds // 60} minutes from "
            f"the server's UTC time {now:%Y%m%d%H%M%S}: sign each request (and each retry) "
            "with the current UTC time.",
            answer=WRONG_SIGNATURE,
            loc=["query", "timestamp"],
        )


def _verifies(api_key: ApiKey, api_id: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Whether the signature is right with the secret of the current or a former
    ``SECRET_KEY``."""
    for server_secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        secret = signing_secret(api_key, server_secret=server_secret)
        expected = sign(api_id, timestamp, body, secret)
        if hmac.compare_digest(expected.encode(), signature.encode()):
            return True
    return False
