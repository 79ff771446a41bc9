"""Writes of the chart of accounts."""

from __future__ import annotations

from payables.events import event_types
from payables.masterdata import queries
from payables.masterdata.models import Account, VatCode
from payables.masterdata.payloads import account_payload
from payables.masterdata.services.checks import Problems, References
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
from payables.tenancy.models import Company

ACCOUNT = Kind(
    model=Account,
    details=queries.accounts,
    payload=account_payload,
    created_event=event_types.ACCOUNT_CREATED,
    updated_event=event_types.ACCOUNT_UPDATED,
    deactivated_event=event_types.ACCOUNT_DEACTIVATED,
)


def create_account(data: Data, *, actor: Actor) -> Account:
    """Create an account; ``default_vat_code`` names one of the company's VAT codes."""
    return create_record(ACCOUNT, _clean(data, company=actor.company), actor=actor)


def update_account(account: Account, patch: Changes, *, actor: Actor) -> Account:
    changes = dict(patch)
    return update_record(
        ACCOUNT,
        account,
        lambda fresh: (_clean(_as_input(fresh) | changes, company=actor.company), None),
        actor=actor,
    )


def upsert_account(code: str, data: Data, *, actor: Actor) -> Upserted[Account]:
    return upsert_record(ACCOUNT, plan_account(code, data, actor=actor), actor=actor)


def plan_account(
    code: str, data: Data, *, actor: Actor, references: References | None = None
) -> Plan:
    """Check an upsert of the account with this code (``upsert_records`` writes it)."""
    fields = _clean(without_code(data), company=actor.company, references=references)
    return Plan({"code": code}, fields)


def deactivate_account(account: Account, *, actor: Actor) -> Account:
    return deactivate_record(ACCOUNT, account, actor=actor)


def _clean(values: Data, *, company: Company, references: References | None = None) -> dict:
    """Turn input into model fields (``code`` only when given); the VAT code is the company's."""
    problems = Problems(references)
    vat_code = problems.reference(
        VatCode.objects.for_company(company),
        values["default_vat_code"],
        loc=["default_vat_code"],
        what="VAT code",
    )
    problems.raise_any()
    fields = {
        "name": values["name"],
        "type": values["type"],
        "default_vat_code": vat_code,
        "is_active": values["is_active"],
    }
    return fields | ({"code": values["code"]} if "code" in values else {})


def _as_input(account: Account) -> dict:
    vat_code = account.default_vat_code
    return {
        "code": account.code,
        "name": account.name,
        "type": account.type,
        "default_vat_code": vat_code.code if vat_code else None,
        "is_active": account.is_active,
    }
