"""Writes of payment methods."""

from __future__ import annotations

from payables.events import event_types
from payables.masterdata import queries
from payables.masterdata.models import PaymentMethod
from payables.masterdata.payloads import payment_method_payload
from payables.masterdata.schemas import PaymentMethodFields, PaymentMethodIn, PaymentMethodPatch
from payables.masterdata.services.checks import Problems
from payables.masterdata.services.records import (
    Kind,
    Plan,
    Upserted,
    create_record,
    deactivate_record,
    update_record,
    upsert_record,
)
from payables.tenancy.actors import Actor

PAYMENT_METHOD = Kind(
    model=PaymentMethod,
    details=queries.payment_methods,
    payload=payment_method_payload,
    created_event=event_types.PAYMENT_METHOD_CREATED,
    updated_event=event_types.PAYMENT_METHOD_UPDATED,
    deactivated_event=event_types.PAYMENT_METHOD_DEACTIVATED,
)
_FIELDS = ("code", "name", "bank_account", "is_active")


def create_payment_method(data: PaymentMethodIn, *, actor: Actor) -> PaymentMethod:
    """Create a payment method; its bank account must be a valid IBAN, stored compact."""
    return create_record(PAYMENT_METHOD, _clean(data.model_dump()), actor=actor)


def update_payment_method(
    method: PaymentMethod, patch: PaymentMethodPatch, *, actor: Actor
) -> PaymentMethod:
    changes = patch.model_dump(exclude_unset=True)
    return update_record(PAYMENT_METHOD, method, lambda _: (_clean(changes), None), actor=actor)


def upsert_payment_method(
    code: str, data: PaymentMethodFields, *, actor: Actor
) -> Upserted[PaymentMethod]:
    return upsert_record(PAYMENT_METHOD, plan_payment_method(code, data), actor=actor)


def plan_payment_method(code: str, data: PaymentMethodFields) -> Plan:
    """Check an upsert of the payment method with this code (``upsert_records`` writes it)."""
    return Plan({"code": code}, _clean(data.model_dump(exclude={"code"})))


def deactivate_payment_method(method: PaymentMethod, *, actor: Actor) -> PaymentMethod:
    return deactivate_record(PAYMENT_METHOD, method, actor=actor)


def _clean(values: dict) -> dict:
    """Turn (some of) the input into model fields; an empty bank account means none."""
    problems = Problems()
    fields = {name: values[name] for name in _FIELDS if name in values}
    if fields.get("bank_account"):
        fields["bank_account"] = problems.iban(fields["bank_account"], loc=["bank_account"])
    problems.raise_any()
    return fields
