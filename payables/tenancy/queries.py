"""Reads of the tenancy app: looking up the API key a request presents."""

from __future__ import annotations

from payables.tenancy.models import ApiKey
from payables.tenancy.services import hash_key


def find_api_key(raw: str) -> ApiKey | None:
    """Return the key whose hash matches a raw secret (revoked ones too), or None."""
    return (
        ApiKey.objects.select_related("integrator__company", "user__company")
        .filter(key_hash=hash_key(raw))
        .first()
    )
