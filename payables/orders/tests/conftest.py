"""Fixtures of the orders tests: the company's books, and a valid order payload."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from payables.conftest import ApiClient
from payables.masterdata.models import Supplier


def _created(api: ApiClient, path: str, payload: dict) -> dict:
    answer = api.post(path, payload)
    assert answer.status_code == 201, answer.content
    return answer.json()


@pytest.fixture
def books(api: ApiClient) -> None:
    """A chart with one account, a purchase and a sales VAT code, a department, an item
    and a requester."""
    _created(api, "/vat-codes", {"code": "VAT24", "rate": "24"})
    _created(api, "/vat-codes", {"code": "VAT9", "rate": "9"})
    _created(api, "/vat-codes", {"code": "S24", "rate": "24", "kind": "sales"})
    _created(api, "/accounts", {"code": "4000", "name": "Materials"})
    _created(api, "/accounts", {"code": "4010", "name": "Old", "is_active": False})
    _created(api, "/dimension-types/department/values", {"code": "D10", "name": "Sales"})
    _created(api, "/items", {"code": "PAPER-A4", "description": "Office paper A4"})
    _created(api, "/users", {"code": "E-7", "name": "Mari Maasikas", "email": "mari@example.com"})


@pytest.fixture
def order_payload(supplier: Supplier, books: None) -> Callable[..., dict]:
    """A valid order: 10 boxes of paper at 24 % and a service at 9 %; totals left out."""

    def make(**overrides: Any) -> dict:
        return {
            "number": "PO-2026-001",
            "supplier_id": str(supplier.id),
            "requester": "E-7",
            "order_date": "2026-11-02",
            "delivery_date": "2026-11-20",
            "currency": "EUR",
            "buyer_reference": "Mari",
            "lines": [
                {
                    "line_id": "1",
                    "item_code": "PAPER-A4",
                    "seller_item_code": "A4-500",
                    "gtin": "4006381333931",
                    "description": "Paper A4, box of 5 reams",
                    "quantity": "10",
                    "unit": "box",
                    "unit_price": "12.50",
                    "vat_code": "VAT24",
                    "account_code": "4000",
                    "dimensions": {"department": "D10"},
                },
                {
                    "line_id": "2",
                    "description": "Delivery",
                    "quantity": "1",
                    "net_amount": "20.00",
                    "vat_code": "VAT9",
                    "account_code": "4000",
                    "cost_objective": "CO-1",
                },
            ],
        } | overrides

    return make


@pytest.fixture
def make_order(api: ApiClient, order_payload: Callable[..., dict]) -> Callable[..., dict]:
    """Create an order through the API; answer it as the API shows it."""

    def make(**overrides: Any) -> dict:
        return _created(api, "/purchase-orders", order_payload(**overrides))

    return make
