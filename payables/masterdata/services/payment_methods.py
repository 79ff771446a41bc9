"""Writes of payment methods."""

from __future__ import annotations

from payables.events import event_types
from payables.masterdata import queries
from payables.masterdata.models import PaymentMethod
from payables.masterdata.payloads import payment_method_payload
from payables.masterdata.services.checks import Problems
from payables.masterdata.services.records import (
    Changes,
    Data,
    Kind,
    Plan,
    Upserted,
    create_record,
    deactivate_record,
    update_record,
    upsert_record,
    without_code,
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


def create_payment_method(data: Data, *, actor: Actor) -> PaymentMethod:
    """Create a payment method; its bank account must be a valid IBAN, stored compact."""
    return create_record(PAYMENT_METHOD, _clean(data), actor=actor)


def update_payment_method(method: PaymentMethod, patch: Changes, *, actor: Actor) -> PaymentMethod:
    changes = dict(patch)
    return update_record(PAYMENT_METHOD, method, lambda _: (_clean(changes), None), actor=actor)


def upsert_payment_method(code: str, data: Data, *, actor: Actor) -> Upserted[PaymentMethod]:
    return upsert_record(PAYMENT_METHOD, plan_payment_method(code, data), actor=actor)


def plan_payment_method(code: str, data: Data) -> Plan:
    """Check an upsert of the payment method with this code (``upsert_records`` writes it)."""
    return Plan({"code": code}, _clean(without_code(data)))


def deactivate_payment_method(method: PaymentMethod, *, actor: Actor) -> PaymentMethod:
    return deactivate_record(PAYMENT_METHOD, method, actor=actor)


def _clean(values: Data) -> dict:
    """Turn (some of) the input into model fields; an empty bank account means none."""
    problems = Problems()
    fields = {name: values[name] for name in _FIELDS if name in values}
    if fields.get("bank_account"):
        fields["bank_account"] = problems.iban(fields["bank_account"], loc=["bank_account"])
    problems.raise_any()
    return fields
