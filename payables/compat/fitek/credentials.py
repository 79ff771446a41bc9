"""Fitek's authentication: ``RequestId``, ``IntegratorId`` and ``AuthorizationToken`` in the
body (a JSON object's fields, or the XML root's child elements).

``IntegratorId`` is the id of a payables integrator and ``AuthorizationToken`` one of its
API keys, found by its hash as an ``X-API-Key`` is; the key must hold the scope the native
endpoint for the same action needs. ``RequestId`` is the idempotency key: a repeat with
the same body gets the first answer, the same id with another body is refused (see
``payables.tenancy.idempotency``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from uuid import UUID

from django.http import HttpRequest
from ninja.security.base import AuthBase

from payables.compat.fitek.envelope import REQUEST_ID_ATTR
from payables.einvoice.errors import EInvoiceError, LimitExceeded
from payables.einvoice.xmlsafe import local_name, parse_xml
from payables.errors import FieldError, NotAuthenticated, PayloadTooLarge
from payables.invoices.services.einvoice_import import (
    DocumentRefused,
    DocumentTooComplex,
    einvoice_limits,
)
from payables.orders.import_answers import xml_body
from payables.tenancy.actors import Actor
from payables.tenancy.errors import ApiKeyInvalid, MissingScope
from payables.tenancy.idempotency import claim_request
from payables.tenancy.models import ApiKey
from payables.tenancy.queries import find_api_key
from payables.tenancy.services import mark_api_key_used

FIELDS = ("RequestId", "IntegratorId", "AuthorizationToken")
MAX_REQUEST_ID = 255
UNKNOWN_TOKEN = "The AuthorizationToken is unknown or revoked."


@dataclass(frozen=True)
class Credentials:
    """The three fields as sent; a field that is absent or not text is None."""

    request_id: str | None
    integrator_id: str | None
    token: str | None


class FitekCredentials(AuthBase):
    """Let in a request whose body names an integrator and one of its keys with ``scope``.

    Sets ``request.actor`` and claims the RequestId; a repeated request raises
    ``IdempotentReplay``, answered with the first answer. ``xml``: the body must be XML
    (415 otherwise), its root holding the fields.
    """

    # OpenAPI has no way to say "credentials in the body": the API's document drops this
    # scheme and describes the fields in each request body instead.
    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = "AuthorizationToken"

    def __init__(self, scope: str, *, xml: bool = False) -> None:
        self.scope = scope
        self.xml = xml
        super().__init__()

    def __call__(self, request: HttpRequest) -> ApiKey:
        body = xml_body(request) if self.xml else request.body  # too large: 413
        sent = read_credentials(request, body, xml=self.xml)
        api_key = _api_key(sent, self.scope)
        request_id = sent.request_id
        if not request_id or len(request_id) > MAX_REQUEST_ID:
            raise FieldError(
                f"RequestId is required: 1 to {MAX_REQUEST_ID} printable characters, new for "
                "each request (a repeat with the same body gets the first answer).",
                loc=["RequestId"],
                code="invalid" if request_id else "missing",
            )
        request.actor = Actor.for_api_key(api_key)
        claim_request(request, api_key, key=request_id, source=["RequestId"])
        return api_key


def _api_key(sent: Credentials, scope: str) -> ApiKey:
    """The active key of the integrator the body names, or a 401 saying which field is wrong."""
    for field, value in (("IntegratorId", sent.integrator_id), ("AuthorizationToken", sent.token)):
        if not value:
            raise NotAuthenticated(
                f"{field} is required: the integrator's id and one of its API keys.",
                code="credentials_missing",
                loc=[field],
            )
    api_key = find_api_key(sent.token or "")
    if api_key is None:
        raise ApiKeyInvalid(
            "The AuthorizationToken is unknown or revoked.", loc=["AuthorizationToken"]
        )
    mark_api_key_used(api_key)  # refused below or not; a revoked key is never marked
    if not api_key.is_active:
        raise ApiKeyInvalid(
            "The AuthorizationToken is unknown or revoked.", loc=["AuthorizationToken"]
        )
    if api_key.integrator_id is None or api_key.integrator_id != _uuid(sent.integrator_id):
        raise NotAuthenticated(
            "The AuthorizationToken is not an API key of the integrator IntegratorId names.",
            code="integrator_mismatch",
            loc=["IntegratorId"],
        )
    if scope not in api_key.effective_scopes:
        raise MissingScope(
            f"This AuthorizationToken lacks the scope {scope!r} this endpoint needs.",
            loc=["AuthorizationToken"],
        )
    return api_key


def read_credentials(request: HttpRequest, body: bytes, *, xml: bool) -> Credentials:
    """Read the three fields; the RequestId is kept on the request for every answer."""
    values = _xml_fields(body) if xml else _json_fields(body)
    texts = [v.strip() if isinstance(v, str) else None for v in map(values.get, FIELDS)]
    sent = Credentials(*texts)
    setattr(request, REQUEST_ID_ATTR, sent.request_id)
    return sent


def _json_fields(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FieldError(f"The body is not valid JSON: {exc}", code="json_invalid") from None
    if not isinstance(data, dict):
        raise FieldError("The body must be a JSON object.", code="json_invalid")
    return data


def _xml_fields(body: bytes) -> dict:
    """The root's child elements of the three names (namespaces ignored)."""
    limits = einvoice_limits()
    if len(body) > limits.max_bytes:  # before any work
        raise PayloadTooLarge(f"The body has {len(body)} bytes; the limit is {limits.max_bytes}.")
    if not body.strip():
        raise FieldError("Send the request as the XML body.", code="missing")
    try:
        root = parse_xml(body, limits=limits)
    except LimitExceeded as exc:
        raise DocumentTooComplex(exc.message, findings=exc.findings) from None
    except EInvoiceError as exc:  # not XML, a DTD or entities
        raise DocumentRefused(exc.message, findings=exc.findings) from None
    return {
        local_name(child): (child.text or "")
        for child in root
        if isinstance(child.tag, str) and local_name(child) in FIELDS
    }


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value or "")
    except ValueError:
        return None
