"""Writes of the tenancy app: companies, integrators, API keys, counters, idempotency."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from payables.errors import FieldError, ValidationFailed
from payables.identifiers import validate_registry_code, validate_vat_number

# Re-exported: callers take counters and locks from the app's services.
from payables.tenancy.counters import (  # noqa: F401
    lock_counter,
    take_next_value,
    take_next_values,
)
from payables.tenancy.errors import IdempotencyKeyReused, IdempotentRequestInProgress
from payables.tenancy.models import (
    ApiKey,
    Company,
    CompanyUser,
    IdempotencyKey,
    Integrator,
)
from payables.tenancy.permissions import personal_scopes
from payables.tenancy.scopes import SCOPES

logger = logging.getLogger(__name__)

KEY_PREFIX = "pay_"
ZERO = Decimal(0)
FOUR_PLACES = Decimal("0.0001")
MAX_RETRAIN = 1_000_000
# Updating last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def create_company(
    *,
    name: str,
    country: str,
    registry_code: str = "",
    vat_number: str = "",
    home_currency: str = "EUR",
) -> Company:
    """Create a tenant after checking its identifiers."""
    identity = _checked_identity(country, registry_code, vat_number, home_currency)
    return Company.objects.create(name=name, **identity)


# What ``update_company`` changes; the first four are checked together, as on creation.
_IDENTITY = ("country", "registry_code", "vat_number", "home_currency")
_POLICIES = (
    "einvoice_invalid_policy",
    "einvoice_other_buyer_policy",
    "digitized_invoice_policy",
    "po_matching",
)
# The coding settings take effect on the next coding change or suggestion they concern.
_CODING_SETTINGS = (
    "coding_change_restarts_chain",
    "approvers_may_code",
    "suggestion_auto_apply_threshold",
    "coding_retrain_after",
)
_FLAGS = ("auto_export_on_approval", "auto_approve_matched")
COMPANY_FIELDS = ("name", *_IDENTITY, *_POLICIES, *_FLAGS, *_CODING_SETTINGS)


def update_company(company: Company, changes: Mapping[str, object]) -> Company:
    """Change the given fields of a tenant; answer it as stored now.

    Changed identifiers are checked as ``create_company`` checks them; the settings
    (``einvoice_invalid_policy``, ``einvoice_other_buyer_policy``,
    ``auto_export_on_approval``, ``po_matching``, ``auto_approve_matched``, the coding
    settings) are checked and take
    effect on the next invoice they concern.
    """
    problems = [
        FieldError("Not a field of a company", loc=[n]) for n in changes if n not in COMPANY_FIELDS
    ]
    if "name" in changes and not str(changes["name"] or "").strip():
        problems.append(FieldError("A company needs a name", loc=["name"]))
    for policy in _POLICIES:
        choices = dict(Company._meta.get_field(policy).choices or [])
        if policy in changes and changes[policy] not in choices:
            problems.append(FieldError(f"Choose one of: {', '.join(choices)}", loc=[policy]))
    values = dict(changes)
    problems += _checked_coding_settings(values)
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        stored = Company.objects.select_for_update().get(pk=company.pk)
        if any(name in changes for name in _IDENTITY):
            current = {name: changes.get(name, getattr(stored, name)) for name in _IDENTITY}
            values |= _checked_identity(**current)
        for name, value in values.items():
            setattr(stored, name, value)
        stored.save(update_fields=list(values))
    return stored


def _checked_coding_settings(values: dict[str, object]) -> list[FieldError]:
    """Check the coding settings given, normalising ``values`` in place: flags are
    booleans, the threshold a probability (0-1, four decimals at most) or None, and
    retraining waits for at least one new booking."""
    problems = []
    for name in ("coding_change_restarts_chain", "approvers_may_code", *_FLAGS):
        if name in values and not isinstance(values[name], bool):
            problems.append(FieldError("Must be true or false", loc=[name]))
    name = "suggestion_auto_apply_threshold"
    if values.get(name) is not None:
        threshold = values[name]
        try:
            threshold = Decimal(str(threshold)) if not isinstance(threshold, bool) else None
        except InvalidOperation:
            threshold = None
        if threshold is None or not threshold.is_finite() or not ZERO <= threshold <= 1:
            problems.append(FieldError("A probability from 0 to 1, or empty for never", loc=[name]))
        elif threshold != threshold.quantize(FOUR_PLACES):
            problems.append(FieldError("At most four decimals", loc=[name]))
        else:
            values[name] = threshold
    name = "coding_retrain_after"
    if name in values:
        count = values[name]
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_RETRAIN:
            problems.append(FieldError(f"A whole number from 1 to {MAX_RETRAIN}", loc=[name]))
    return problems


def _checked_identity(
    country: str, registry_code: str, vat_number: str, home_currency: str
) -> dict[str, str]:
    """A company's identifiers checked and normalised; every problem is reported at once."""
    errors: list[FieldError] = []
    country = country.upper()
    if len(country) != 2 or not country.isalpha():
        errors.append(FieldError("country must be an ISO 3166 alpha-2 code", loc=["country"]))
    if len(home_currency) != 3 or not home_currency.isalpha():
        errors.append(FieldError("home_currency must be an ISO 4217 code", loc=["home_currency"]))
    if not errors:
        try:
            registry_code = validate_registry_code(registry_code, country) if registry_code else ""
        except ValueError as exc:
            errors.append(FieldError(str(exc), loc=["registry_code"]))
        try:
            vat_number = validate_vat_number(vat_number, country) if vat_number else ""
        except ValueError as exc:
            errors.append(FieldError(str(exc), loc=["vat_number"]))
    if errors:
        raise ValidationFailed(errors)
    return {
        "country": country,
        "registry_code": registry_code,
        "vat_number": vat_number,
        "home_currency": home_currency.upper(),
    }


def create_integrator(company: Company, *, name: str) -> Integrator:
    """Register a client system that will act for the company."""
    return Integrator.objects.create(company=company, name=name)


def create_api_key(
    integrator: Integrator, *, scopes: list[str], name: str = ""
) -> tuple[ApiKey, str]:
    """Issue a key and return it with its raw secret, which is never stored or shown again."""
    return _issue_key(scopes=scopes, name=name, integrator=integrator)


def create_personal_api_key(
    user: CompanyUser, *, scopes: list[str], name: str = ""
) -> tuple[ApiKey, str]:
    """Issue a key owned by a company user: it acts as that person, never as a system.

    An inactive user gets no key, and the keys of a user deactivated later stop working.
    """
    if not user.is_active:
        raise FieldError(f"User {user.code!r} is inactive", loc=["user"])
    beyond = sorted(set(scopes) & SCOPES.keys() - personal_scopes(user.roles))
    if beyond:
        roles = ", ".join(user.roles) or "no role"
        raise FieldError(
            f"A personal key of a user with {roles} cannot hold: {', '.join(beyond)}",
            loc=["scopes"],
            code="scope_beyond_role",
        )
    return _issue_key(scopes=scopes, name=name, user=user)


def _issue_key(
    *,
    scopes: list[str],
    name: str,
    integrator: Integrator | None = None,
    user: CompanyUser | None = None,
) -> tuple[ApiKey, str]:
    unknown = sorted(set(scopes) - SCOPES.keys())
    if unknown:
        raise FieldError(f"Unknown scopes: {', '.join(unknown)}", loc=["scopes"])
    if not scopes:
        raise FieldError("A key needs at least one scope", loc=["scopes"])
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        integrator=integrator,
        user=user,
        name=name,
        prefix=raw[: len(KEY_PREFIX) + 6],
        key_hash=hash_key(raw),
        scopes=sorted(set(scopes)),
    )
    logger.info("Issued API key %s for %s", api_key.prefix, api_key.owner_label)
    return api_key, raw


def grant_companies(api_key: ApiKey, companies: list[Company]) -> ApiKey:
    """Let an integrator's key serve these companies too (an accounting office's key).

    Its feeds then give their documents as well, each naming its company, and its uploads
    and sync error reports may name them. A personal key acts as one person of one
    company and is never granted others.
    """
    if api_key.user_id:
        raise FieldError("A personal key serves its user's company only", loc=["api_key"])
    others = [c for c in companies if c.pk != api_key.integrator.company_id]
    api_key.granted_companies.add(*others)
    logger.info("Key %s now also serves %d companies", api_key.prefix, len(others))
    return api_key


def revoke_companies(api_key: ApiKey, companies: list[Company]) -> ApiKey:
    """Take companies granted to a key away again; its own company stays."""
    api_key.granted_companies.remove(*companies)
    return api_key


def revoke_api_key(api_key: ApiKey) -> ApiKey:
    """Revoke a key; requests with it are answered 401 from now on."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def hash_key(raw: str) -> str:
    """Hash a raw key. Keys carry 256 random bits, so a fast hash suffices."""
    return hashlib.sha256(raw.encode()).hexdigest()


def mark_api_key_used(api_key: ApiKey, *, now: datetime | None = None) -> ApiKey:
    """Stamp ``last_used_at`` on a key a request presented (at most once a minute).

    A revoked key is not stamped: its last use stays the last one that counted.
    """
    now = now or timezone.now()
    if api_key.revoked_at is None and (
        api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION
    ):
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


@dataclass(frozen=True)
class IdempotencyClaim:
    """The outcome of presenting an Idempotency-Key: a new claim or a stored answer."""

    record: IdempotencyKey
    is_replay: bool


def claim_idempotency_key(api_key: ApiKey, *, key: str, fingerprint: str) -> IdempotencyClaim:
    """Claim a key for a new request, or return the stored answer of the first one.

    Keys are remembered per owner of the API key (integrator or user), so a stored
    answer is only ever replayed to the owner that caused it. The unique constraint
    decides races: of two concurrent requests exactly one inserts the row; the other
    sees it running and gets a 409.
    """
    owner = {"integrator": api_key.integrator, "user": api_key.user}
    if not key or len(key) > 255 or not key.isprintable():
        raise FieldError(
            "Idempotency-Key must be 1 to 255 printable characters", loc=["Idempotency-Key"]
        )
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(**owner, key=key, fingerprint=fingerprint)
        return IdempotencyClaim(record=record, is_replay=False)
    except IntegrityError:
        record = IdempotencyKey.objects.filter(**owner, key=key).first()
    if record is None:  # the first request failed and released the key just now
        raise IdempotentRequestInProgress()
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(loc=["Idempotency-Key"])
    if record.state == IdempotencyKey.State.RUNNING:
        if _take_over_abandoned(record):
            return IdempotencyClaim(record=record, is_replay=False)
        raise IdempotentRequestInProgress()
    return IdempotencyClaim(record=record, is_replay=True)


def _take_over_abandoned(record: IdempotencyKey) -> bool:
    """Claim a key whose first request died mid-way (no answer stored for too long).

    The conditional update lets exactly one of several retries take it over.
    """
    now = timezone.now()
    abandoned_before = now - timedelta(seconds=settings.PAYABLES_IDEMPOTENCY_ABANDONED_SECONDS)
    if record.created_at >= abandoned_before:
        return False
    taken = IdempotencyKey.objects.filter(
        pk=record.pk, state=IdempotencyKey.State.RUNNING, created_at=record.created_at
    ).update(created_at=now)
    record.created_at = now
    return taken == 1


def complete_idempotency_key(
    record: IdempotencyKey, *, status: int, content_type: str, body: bytes
) -> IdempotencyKey:
    """Store the answer a claimed request gave, for replays."""
    record.state = IdempotencyKey.State.DONE
    record.response_status = status
    record.response_content_type = content_type
    record.response_body = body
    record.save(
        update_fields=["state", "response_status", "response_content_type", "response_body"]
    )
    return record


def release_idempotency_key(record: IdempotencyKey) -> None:
    """Forget a claim whose request failed unexpectedly, so a retry can run it again."""
    IdempotencyKey.objects.filter(pk=record.pk).delete()


def prune_idempotency_keys() -> int:
    """Delete keys older than the retention period; return how many went."""
    cutoff = timezone.now() - timedelta(hours=settings.PAYABLES_IDEMPOTENCY_TTL_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
