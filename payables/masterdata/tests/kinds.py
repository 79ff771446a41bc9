"""Every coded master data kind as the API sees it: where it lives and a valid payload.

Shared by the tests that check what all kinds have in common (round trips, upsert by
code, tenant isolation, scopes); each kind's own rules are tested in its own file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model

from payables.conftest import ApiClient
from payables.masterdata.models import (
    Account,
    CustomField,
    DimensionType,
    DimensionValue,
    PaymentMethod,
    ProductItem,
    VatCode,
)
from payables.tenancy.models import CompanyUser


def _vat_code(api: ApiClient) -> None:
    created = api.post("/vat-codes", {"code": "VAT24", "rate": "24"})
    assert created.status_code == 201, created.content


def _item_references(api: ApiClient) -> None:
    _vat_code(api)
    for path, payload in (
        ("/accounts", {"code": "4000", "name": "Materials", "default_vat_code": "VAT24"}),
        ("/dimension-types/department/values", {"code": "D10", "name": "Sales"}),
        ("/suppliers", {"name": "Tarnija OÜ", "country": "EE", "erp_code": "S-1"}),
    ):
        created = api.post(path, payload)
        assert created.status_code == 201, created.content


@dataclass(frozen=True)
class KindCase:
    path: str
    model: type[Model]
    subject_type: str
    payload: dict  # a valid create payload, with its code
    change: dict  # a patch that changes something
    setup: Callable[[ApiClient], None] = field(default=lambda api: None)
    derived: tuple[str, ...] = ()  # payload fields the answer shows with more detail

    @property
    def code(self) -> str:
        return self.payload["code"]

    @property
    def fields(self) -> dict:
        """The payload as ``PUT …/by-code/{code}`` takes it."""
        return {k: v for k, v in self.payload.items() if k != "code"}

    def another(self, code: str) -> dict:
        """A payload for a second record, differing in whatever must be unique."""
        unique = {
            "/users": {"email": f"{code.lower()}@example.com"},
            "/items": {"seller_mappings": []},
        }
        return self.payload | {"code": code} | unique.get(self.path, {})

    def __str__(self) -> str:
        return self.path


KINDS = [
    KindCase(
        "/accounts",
        Account,
        "account",
        {
            "code": "4000",
            "name": "Materials",
            "type": "expense",
            "default_vat_code": "VAT24",
            "is_active": True,
        },
        {"name": "Raw materials"},
        _vat_code,
    ),
    KindCase(
        "/vat-codes",
        VatCode,
        "vat_code",
        {
            "code": "VAT24",
            "rate": "25.5",
            "kind": "purchases",
            "is_reverse_charge": False,
            "non_deductible_share": "50",
            "description": "Standard rate, cars",
            "valid_from": "2024-09-01",
            "valid_to": None,
            "is_active": True,
        },
        {"rate": "24"},
    ),
    KindCase(
        "/dimension-types",
        DimensionType,
        "dimension_type",
        {"code": "region", "name": "Region", "is_active": True},
        {"name": "Sales region"},
    ),
    KindCase(
        "/dimension-types/project/values",
        DimensionValue,
        "dimension_value",
        {
            "code": "P-100",
            "name": "New warehouse",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "is_active": True,
        },
        {"valid_to": "2027-06-30"},
    ),
    KindCase(
        "/payment-methods",
        PaymentMethod,
        "payment_method",
        {
            "code": "BANK",
            "name": "Bank transfer",
            "bank_account": "EE382200221020145685",
            "is_active": True,
        },
        {"name": "SEPA transfer"},
    ),
    KindCase(
        "/users",
        CompanyUser,
        "user",
        {
            "code": "E-0042",
            "name": "Mari Maasikas",
            "email": "mari@example.com",
            "roles": ["approver", "accountant"],
            "can_be_last_approver": True,
            "approval_limit_amount": "5000.00",
            "is_active": True,
        },
        {"approval_limit_amount": "7500.00"},
    ),
    KindCase(
        "/items",
        ProductItem,
        "item",
        {
            "code": "PAPER-A4",
            "description": "Office paper A4",
            "type": "stock",
            "unit": "pcs",
            "default_account": "4000",
            "default_vat_code": "VAT24",
            "default_dimensions": {"department": "D10"},
            "seller_mappings": [{"supplier_code": "S-1", "seller_code": "A4-500"}],
            "is_active": True,
        },
        {"unit": "box"},
        _item_references,
        derived=("seller_mappings",),
    ),
    KindCase(
        "/custom-fields",
        CustomField,
        "custom_field",
        {
            "code": "contract",
            "name": "Contract",
            "type": "list",
            "is_required": True,
            "values": [
                {
                    "code": "C-1",
                    "description": "Cleaning",
                    "valid_from": None,
                    "valid_to": "2026-12-31",
                },
                {"code": "C-2", "description": "Security", "valid_from": None, "valid_to": None},
            ],
            "is_active": True,
        },
        {"is_required": False},
    ),
]


def shows_payload(answer: dict, kind: KindCase) -> bool:
    """Tell whether the answer shows every field of the kind's payload as sent."""
    return all(answer[k] == v for k, v in kind.payload.items() if k not in kind.derived)
