"""Writes of VAT codes."""

from __future__ import annotations

from payables.events import event_types
from payables.masterdata import queries
from payables.masterdata.models import VatCode
from payables.masterdata.payloads import vat_code_payload
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

VAT_CODE = Kind(
    model=VatCode,
    details=queries.vat_codes,
    payload=vat_code_payload,
    created_event=event_types.VAT_CODE_CREATED,
    updated_event=event_types.VAT_CODE_UPDATED,
    deactivated_event=event_types.VAT_CODE_DEACTIVATED,
)
_FIELDS = (
    "code", "rate", "kind", "is_reverse_charge", "non_deductible_share", "description",
    "valid_from", "valid_to", "is_active",
)  # fmt: skip


def create_vat_code(data: Data, *, actor: Actor) -> VatCode:
    return create_record(VAT_CODE, _clean(data), actor=actor)


def update_vat_code(vat_code: VatCode, patch: Changes, *, actor: Actor) -> VatCode:
    """Change the given fields; the result is checked as a whole (validity period)."""
    changes = dict(patch)
    return update_record(
        VAT_CODE,
        vat_code,
        lambda fresh: (_clean(_as_input(fresh) | changes), None),
        actor=actor,
    )


def upsert_vat_code(code: str, data: Data, *, actor: Actor) -> Upserted[VatCode]:
    return upsert_record(VAT_CODE, plan_vat_code(code, data), actor=actor)


def plan_vat_code(code: str, data: Data) -> Plan:
    """Check an upsert of the VAT code with this code (``upsert_records`` writes it)."""
    return Plan({"code": code}, _clean(without_code(data)))


def deactivate_vat_code(vat_code: VatCode, *, actor: Actor) -> VatCode:
    return deactivate_record(VAT_CODE, vat_code, actor=actor)


def _clean(values: Data) -> dict:
    """Turn input into model fields (``code`` only when given)."""
    problems = Problems()
    problems.period(values)
    problems.raise_any()
    return {name: values[name] for name in _FIELDS if name in values}


def _as_input(vat_code: VatCode) -> dict:
    return {name: getattr(vat_code, name) for name in _FIELDS}
