"""Every write to master data: one module per kind, all importable from here."""

from __future__ import annotations

from payables.masterdata.services.accounts import (
    create_account,
    deactivate_account,
    update_account,
    upsert_account,
)
from payables.masterdata.services.currency_rates import (
    RatesLoaded,
    load_rate_file,
    upsert_currency_rates,
)
from payables.masterdata.services.custom_fields import (
    create_custom_field,
    deactivate_custom_field,
    update_custom_field,
    upsert_custom_field,
    upsert_list_values,
)
from payables.masterdata.services.dimensions import (
    create_dimension_type,
    create_dimension_value,
    deactivate_dimension_type,
    deactivate_dimension_value,
    ensure_default_dimension_types,
    update_dimension_type,
    update_dimension_value,
    upsert_dimension_type,
    upsert_dimension_value,
)
from payables.masterdata.services.items import (
    create_item,
    deactivate_item,
    update_item,
    upsert_item,
)
from payables.masterdata.services.payment_methods import (
    create_payment_method,
    deactivate_payment_method,
    update_payment_method,
    upsert_payment_method,
)
from payables.masterdata.services.records import Outcome, Upserted
from payables.masterdata.services.suppliers import (
    create_supplier,
    deactivate_supplier,
    update_supplier,
    upsert_supplier,
)
from payables.masterdata.services.users import (
    create_user,
    deactivate_user,
    invite_user,
    send_password_links,
    set_user_password,
    update_user,
    upsert_user,
)
from payables.masterdata.services.vat_codes import (
    create_vat_code,
    deactivate_vat_code,
    update_vat_code,
    upsert_vat_code,
)

__all__ = [
    "Outcome",
    "RatesLoaded",
    "Upserted",
    "create_account",
    "create_custom_field",
    "create_dimension_type",
    "create_dimension_value",
    "create_item",
    "create_payment_method",
    "create_supplier",
    "create_user",
    "create_vat_code",
    "deactivate_account",
    "deactivate_custom_field",
    "deactivate_dimension_type",
    "deactivate_dimension_value",
    "deactivate_item",
    "deactivate_payment_method",
    "deactivate_supplier",
    "deactivate_user",
    "deactivate_vat_code",
    "ensure_default_dimension_types",
    "invite_user",
    "load_rate_file",
    "send_password_links",
    "set_user_password",
    "update_account",
    "update_custom_field",
    "update_dimension_type",
    "update_dimension_value",
    "update_item",
    "update_payment_method",
    "update_supplier",
    "update_user",
    "update_vat_code",
    "upsert_account",
    "upsert_currency_rates",
    "upsert_custom_field",
    "upsert_dimension_type",
    "upsert_dimension_value",
    "upsert_item",
    "upsert_list_values",
    "upsert_payment_method",
    "upsert_supplier",
    "upsert_user",
    "upsert_vat_code",
]
