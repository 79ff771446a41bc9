"""The confirm URL of a subscription: sent to its target, never stored or shown.

The token in the URL is derived from the confirmation message's id with the server's
``SECRET_KEY`` (HMAC), so it can be rebuilt when the message is sent and need not be
stored. The subscription keeps only the token's SHA-256, to find it when the URL is
opened; the stored message payload carries the URL with the token elided. Whoever reads
the deliveries (API, admin) sees the message id but cannot make the token from it.
A new confirmation message (a new target, a resend) makes a new token and so retires
the old URL. Changing ``SECRET_KEY`` retires every URL not yet opened (resend them).
"""

from __future__ import annotations

import hashlib
from uuid import UUID

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

ELIDED = "token-sent-to-the-target-only"
_SALT = "payables.webhooks.confirmation"


def confirmation_token(message_id: UUID) -> str:
    """The token of the confirmation message ``message_id``: only the server can make it."""
    return salted_hmac(_SALT, str(message_id), algorithm="sha256").hexdigest()


def token_hash(token: str) -> str:
    """What the subscription stores to find itself by the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def confirm_url(token: str) -> str:
    """The absolute URL the target opens (GET) to confirm; built on ``PAYABLES_BASE_URL``."""
    path = reverse("api:webhook_confirm", kwargs={"token": token})
    return settings.BASE_URL.rstrip("/") + path


def with_confirm_url(payload: dict, message_id: UUID) -> dict:
    """The confirmation message as its target gets it: with the real confirm URL.

    The token goes wherever the stored body has the elided marker, so a vendor's format
    (``formats``) may put the URL (or the token) under its own names.

    >>> body = {"data": {"confirm_url": "https://x/confirm/" + ELIDED}, "n": [ELIDED, 1]}
    >>> token = confirmation_token(UUID(int=1))
    >>> with_confirm_url(body, UUID(int=1)) == {
    ...     "data": {"confirm_url": "https://x/confirm/" + token}, "n": [token, 1]}
    True
    """
    return _with_token(payload, confirmation_token(message_id))


def _with_token(value: object, token: str) -> object:
    if isinstance(value, str):
        return value.replace(ELIDED, token)
    if isinstance(value, dict):
        return {key: _with_token(item, token) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_token(item, token) for item in value]
    return value
