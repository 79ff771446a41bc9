"""Errors of the tenancy app: keys, scopes, roles and idempotency."""

from __future__ import annotations

from payables.errors import Conflict, FieldError, NotAuthenticated, PermissionDenied


class ApiKeyInvalid(NotAuthenticated):
    """The key is unknown, or was revoked."""

    code = "api_key_invalid"
    default_message = "The API key is unknown or revoked."


class MissingScope(PermissionDenied):
    """The key is valid but was not given the scope the endpoint needs."""

    code = "missing_scope"


class RoleRequired(PermissionDenied):
    """The person acting has no role that allows the action (see ``permissions``)."""

    code = "role_required"
    default_message = "Your roles do not allow this."


class IdempotencyKeyReused(FieldError):
    """The same Idempotency-Key came with a different request."""

    code = "idempotency_key_reused"
    default_message = (
        "This Idempotency-Key was already used with a different request; use a new key."
    )


class IdempotentRequestInProgress(Conflict):
    """A request with this Idempotency-Key is still being processed."""

    code = "idempotency_request_in_progress"
    default_message = "A request with this Idempotency-Key is still in progress; retry later."
