"""What master data events carry: one explicit payload builder per kind.

Events are a contract with webhook receivers and feed readers, so their payloads are built
here, field by field, and never from an API schema: changing what the API answers never
changes an event. Each builder takes the record as its kind's query in ``queries`` reads
it (relations fetched). ``payables.events.event_types`` lists the fields for readers.
"""

from __future__ import annotations

from datetime import date, datetime

from payables.masterdata.models import (
    Account,
    BulkJob,
    CodedRecord,
    CustomField,
    DimensionType,
    DimensionValue,
    PaymentMethod,
    ProductItem,
    Supplier,
    VatCode,
)
from payables.money import format_amount, format_decimal
from payables.tenancy.models import CompanyUser


def supplier_payload(supplier: Supplier) -> dict:
    """A supplier's identity: the fields an ERP matches its own record by."""
    return {
        "id": str(supplier.id),
        "name": supplier.name,
        "country": supplier.country,
        "registry_code": supplier.registry_code,
        "vat_number": supplier.vat_number,
        "erp_code": supplier.erp_code,
        "is_active": supplier.is_active,
    }


def account_payload(account: Account) -> dict:
    vat_code = account.default_vat_code
    return {
        "id": str(account.id),
        "code": account.code,
        "name": account.name,
        "type": account.type,
        "default_vat_code": vat_code.code if vat_code else None,
        "is_active": account.is_active,
        **_timestamps(account),
    }


def vat_code_payload(vat_code: VatCode) -> dict:
    return {
        "id": str(vat_code.id),
        "code": vat_code.code,
        "rate": format_decimal(vat_code.rate),
        "kind": vat_code.kind,
        "is_reverse_charge": vat_code.is_reverse_charge,
        "non_deductible_share": format_decimal(vat_code.non_deductible_share),
        "description": vat_code.description,
        "valid_from": _date(vat_code.valid_from),
        "valid_to": _date(vat_code.valid_to),
        "is_active": vat_code.is_active,
        **_timestamps(vat_code),
    }


def dimension_type_payload(dimension_type: DimensionType) -> dict:
    return {
        "id": str(dimension_type.id),
        "code": dimension_type.code,
        "name": dimension_type.name,
        "is_active": dimension_type.is_active,
        **_timestamps(dimension_type),
    }


def dimension_value_payload(value: DimensionValue) -> dict:
    """A dimension value, with its type named by code."""
    return {
        "id": str(value.id),
        "type": value.type.code,
        "code": value.code,
        "name": value.name,
        "valid_from": _date(value.valid_from),
        "valid_to": _date(value.valid_to),
        "is_active": value.is_active,
        **_timestamps(value),
    }


def payment_method_payload(method: PaymentMethod) -> dict:
    return {
        "id": str(method.id),
        "code": method.code,
        "name": method.name,
        "bank_account": method.bank_account,
        "is_active": method.is_active,
        **_timestamps(method),
    }


def user_payload(user: CompanyUser) -> dict:
    """A user without anything about their sign-in; the limit in the home currency's scale."""
    limit = user.approval_limit_amount
    return {
        "id": str(user.id),
        "code": user.code,
        "name": user.name,
        "email": user.email,
        "roles": list(user.roles),
        "can_be_last_approver": user.can_be_last_approver,
        "approval_limit_amount": (
            None if limit is None else format_amount(limit, user.company.home_currency)
        ),
        "is_active": user.is_active,
        "coding_accounts": list(user.coding_accounts or []),
        "coding_dimensions": {k: list(v) for k, v in (user.coding_dimensions or {}).items()},
        **_timestamps(user),
    }


def item_payload(item: ProductItem) -> dict:
    """An item, its references by code and its seller mappings (supplier by id and ERP code)."""
    account, vat_code = item.default_account, item.default_vat_code
    return {
        "id": str(item.id),
        "code": item.code,
        "description": item.description,
        "type": item.type,
        "unit": item.unit,
        "default_account": account.code if account else None,
        "default_vat_code": vat_code.code if vat_code else None,
        "default_dimensions": dict(item.default_dimensions),
        "seller_mappings": [
            {
                "supplier_id": str(mapping.supplier_id),
                "supplier_code": mapping.supplier.erp_code or None,
                "seller_code": mapping.seller_code,
            }
            for mapping in item.seller_mappings.all()
        ],
        "is_active": item.is_active,
        **_timestamps(item),
    }


def custom_field_payload(field: CustomField) -> dict:
    """A custom field with its list values (none unless it is a ``list`` field)."""
    return {
        "id": str(field.id),
        "code": field.code,
        "name": field.name,
        "type": field.type,
        "is_required": field.is_required,
        "values": [
            {
                "code": value.code,
                "description": value.description,
                "valid_from": _date(value.valid_from),
                "valid_to": _date(value.valid_to),
            }
            for value in field.values.all()
        ],
        "is_active": field.is_active,
        **_timestamps(field),
    }


def bulk_job_payload(job: BulkJob) -> dict:
    """A finished bulk job: what it loaded, how it ended and its counts (not its errors)."""
    return {
        "id": str(job.id),
        "kind": job.kind,
        "dimension_type": job.dimension_type.code if job.dimension_type_id else None,
        "mode": job.mode,
        "state": job.state,
        "total": job.total,
        "counts": {
            "created": job.created_count,
            "updated": job.updated_count,
            "unchanged": job.unchanged_count,
            "failed": job.failed_count,
            "deactivated": job.deactivated_count,
        },
        "error_count": job.error_count,
    }


def _timestamps(record: CodedRecord) -> dict:
    return {
        "created_at": _timestamp(record.created_at),
        "modified_at": _timestamp(record.modified_at),
    }


def _timestamp(value: datetime) -> str:
    """Write a timestamp to the microsecond, UTC as ``Z``.

    >>> from datetime import UTC
    >>> _timestamp(datetime(2026, 1, 2, 3, 4, 5, 60, tzinfo=UTC))
    '2026-01-02T03:04:05.000060Z'
    """
    text = value.isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
