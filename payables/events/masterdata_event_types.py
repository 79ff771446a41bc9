"""The event types of master data records (accounts, VAT codes, dimensions, payment
methods, users, items, custom fields): each kind's ``.created``, ``.updated`` and
``.deactivated``, carrying the record after the write. Declared apart from the rest of the
catalogue to keep each module to one topic; ``event_types`` lists them with the others."""

from __future__ import annotations

from payables.events.contract import EventType

_TIMESTAMPS = {
    "created_at": "When the record was created: ISO 8601, UTC, to the microsecond.",
    "modified_at": "When the record last changed: ISO 8601, UTC, to the microsecond.",
}
_ACTIVE = {"is_active": "False once deactivated."}


def _record(what: str, /, **fields: str) -> dict[str, str]:
    """A coded master data record: its id and code, ``fields``, its active flag and times."""
    return {
        "id": f"The {what}'s UUID.",
        "code": "The company's own code.",
        **fields,
        **_ACTIVE,
        **_TIMESTAMPS,
    }


_VALIDITY = {
    "valid_from": "First valid day (ISO 8601 date); null: always.",
    "valid_to": "Last valid day (ISO 8601 date); null: no end.",
}

_MASTER_DATA = {
    "account": ("an account", _record(
        "account",
        name="Its name.",
        type="`expense`, `asset`, `liability`, `equity`, `revenue` or `other`.",
        default_vat_code="Code of its default VAT code, or null.",
    )),
    "vat_code": ("a VAT code", _record(
        "VAT code",
        rate="Percent, a decimal string.",
        kind="`purchases` or `sales`.",
        is_reverse_charge="Whether the buyer accounts for the VAT.",
        non_deductible_share="Percent of the VAT that cannot be deducted, a decimal string.",
        description="Free text.",
        **_VALIDITY,
    )),
    "dimension_type": ("a dimension type", _record("dimension type", name="Its name.")),
    "dimension_value": ("a dimension value", {
        "id": "The value's UUID.",
        "type": "Code of its dimension type.",
        "code": "The company's own code, unique within the type.",
        "name": "Its name.",
        **_VALIDITY,
        **_ACTIVE,
        **_TIMESTAMPS,
    }),
    "payment_method": ("a payment method", _record(
        "payment method",
        name="Its name.",
        bank_account="IBAN, compact; empty if none.",
    )),
    "user": ("a user", _record(
        "user",
        name="Their name.",
        email="Lower case; empty if none.",
        roles="List of `approver`, `accountant`, `admin`.",
        can_be_last_approver="Whether they may give the final approval.",
        approval_limit_amount=(
            "In the company's home currency, a string at its scale; null: no limit."
        ),
        coding_accounts="List of the account codes they may code to; empty: any.",
        coding_dimensions=(
            "Object: dimension type code → list of the value codes they may code to; a "
            "type not named: any."
        ),
    )),
    "item": ("a product item", _record(
        "item",
        description="What it is.",
        type="`stock`, `service` or `item`.",
        unit="Unit of measure; empty if none.",
        default_account="Code of its default account, or null.",
        default_vat_code="Code of its default VAT code, or null.",
        default_dimensions="Object: dimension type code → dimension value code.",
        seller_mappings=(
            "List of {`supplier_id`, `supplier_code` (the supplier's ERP code or null), "
            "`seller_code`}: a supplier's product code meaning this item."
        ),
    )),
    "custom_field": ("a custom invoice header field", _record(
        "field",
        name="Its name.",
        type="`text`, `number`, `date` or `list`.",
        is_required="Whether invoices must fill it.",
        values=(
            "List of {`code`, `description`, `valid_from`, `valid_to`}: a `list` field's "
            "values; empty for other types."
        ),
    )),
}  # fmt: skip


def master_data_event_types() -> list[EventType]:
    """Each kind's ``.created``, ``.updated`` and ``.deactivated``: the record after the write."""
    verbs = {
        "created": "{what} was created.",
        "updated": "{what} was changed (or reactivated).",
        "deactivated": "{what} was deactivated.",
    }
    return [
        EventType(f"{kind}.{verb}", kind, text.format(what=what[0].upper() + what[1:]), payload)
        for kind, (what, payload) in _MASTER_DATA.items()
        for verb, text in verbs.items()
    ]
