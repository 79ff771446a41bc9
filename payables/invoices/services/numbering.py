"""Numbering policies and the local invoice numbers they hand out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from payables.errors import FieldError
from payables.invoices.errors import NumberingPolicyNotFound
from payables.invoices.models import Invoice, NumberingPolicy
from payables.invoices.numbering import check_pattern, format_number
from payables.masterdata.models import Supplier
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company

DEFAULT_PATTERN = "PI-{year}-{seq:06}"
# A supplier may already use a number the pattern makes; skip at most this many.
MAX_SKIPPED_NUMBERS = 1000
_FIELDS = ("name", "pattern", "next_value", "is_default")


def create_numbering_policy(data: Mapping[str, Any], *, actor: Actor) -> NumberingPolicy:
    """Create a policy from ``name``, ``pattern`` and (optional) ``next_value``, ``is_default``.

    Making it the default takes that role from the previous one.
    """
    fields = {name: data[name] for name in _FIELDS if name in data}
    _check(fields["pattern"])
    with transaction.atomic():
        if fields.get("is_default"):
            _clear_default(actor.company)
        try:
            with transaction.atomic():
                return NumberingPolicy.objects.create(company=actor.company, **fields)
        except IntegrityError:
            raise FieldError(
                "A numbering policy with this name exists already.", loc=["name"], code="duplicate"
            ) from None


def update_numbering_policy(
    policy: NumberingPolicy, patch: Mapping[str, Any], *, actor: Actor
) -> NumberingPolicy:
    """Change the fields given; one given as None stays as it is.

    Lowering ``next_value`` is allowed (numbers are still never reused).
    """
    changes = {k: v for k, v in patch.items() if k in _FIELDS and v is not None}
    if "pattern" in changes:
        _check(changes["pattern"])
    with transaction.atomic():
        policy = NumberingPolicy.objects.select_for_update().get(pk=policy.pk)
        if changes.get("is_default"):
            _clear_default(actor.company)
        for name, value in changes.items():
            setattr(policy, name, value)
        try:
            with transaction.atomic():
                policy.save()
        except IntegrityError:
            raise FieldError(
                "A numbering policy with this name exists already.", loc=["name"], code="duplicate"
            ) from None
    return policy


def delete_numbering_policy(policy: NumberingPolicy, *, actor: Actor) -> None:
    """Delete a policy; invoices keep the numbers it gave."""
    policy.delete()


def ensure_default_numbering_policy(company: Company) -> NumberingPolicy:
    """Return the company's default policy, creating ``PI-{year}-{seq:06}`` the first time."""
    policy = NumberingPolicy.objects.filter(company=company, is_default=True).first()
    if policy is not None:
        return policy
    try:
        with transaction.atomic():
            return NumberingPolicy.objects.create(
                company=company, name="Default", pattern=DEFAULT_PATTERN, is_default=True
            )
    except IntegrityError:  # created concurrently
        return NumberingPolicy.objects.get(company=company, is_default=True)


def find_numbering_policy(company: Company, policy_id: object) -> NumberingPolicy:
    policy = NumberingPolicy.objects.filter(company=company, pk=policy_id).first()
    if policy is None:
        raise NumberingPolicyNotFound()
    return policy


def take_local_number(policy: NumberingPolicy, *, supplier: Supplier) -> str:
    """Hand out the policy's next number, inside the caller's transaction.

    The row lock makes concurrent callers queue, and a rolled-back caller gives its
    number back, so numbers are unique and gap-free. A number the supplier already used
    (it may have sent one that looks like ours) is skipped.
    """
    policy = NumberingPolicy.objects.select_for_update().get(pk=policy.pk)
    today = timezone.localdate()
    for _ in range(MAX_SKIPPED_NUMBERS):
        number = format_number(policy.pattern, seq=policy.next_value, on_date=today)
        policy.next_value += 1
        taken = (
            Invoice.objects.filter(supplier=supplier, invoice_number=number)
            .exclude(status=Invoice.Status.CANCELLED)
            .exists()
        )
        if not taken:
            policy.save(update_fields=["next_value", "modified_at"])
            return number
    raise FieldError(
        f"Numbering policy {policy.name!r} found no free number.",
        loc=["numbering_policy_id"],
        code="numbering_exhausted",
    )


def _check(pattern: str) -> None:
    try:
        check_pattern(pattern)
    except ValueError as exc:
        raise FieldError(str(exc), loc=["pattern"], code="invalid_pattern") from None


def _clear_default(company: Company) -> None:
    NumberingPolicy.objects.filter(company=company, is_default=True).update(is_default=False)
