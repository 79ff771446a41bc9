"""Master data endpoints: one router per kind, mounted by ``payables/api.py``."""

from __future__ import annotations

from payables.masterdata.api.accounts import router as accounts_router
from payables.masterdata.api.bulk import router as bulk_router
from payables.masterdata.api.currency_rates import router as currency_rates_router
from payables.masterdata.api.custom_fields import router as custom_fields_router
from payables.masterdata.api.dimensions import router as dimensions_router
from payables.masterdata.api.items import router as items_router
from payables.masterdata.api.jobs import router as jobs_router
from payables.masterdata.api.payment_methods import router as payment_methods_router
from payables.masterdata.api.suppliers import router
from payables.masterdata.api.users import router as users_router
from payables.masterdata.api.vat_codes import router as vat_codes_router

__all__ = [
    "accounts_router",
    "bulk_router",
    "currency_rates_router",
    "custom_fields_router",
    "dimensions_router",
    "items_router",
    "jobs_router",
    "payment_methods_router",
    "router",
    "users_router",
    "vat_codes_router",
]
