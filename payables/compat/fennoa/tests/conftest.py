"""Fixtures of the Fennoa-compatible API tests: clients speaking Fennoa (Basic auth, form data)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from payables.masterdata.schemas import UserIn
from payables.masterdata.services.users import create_user
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company, CompanyUser
from payables.tenancy.queries import company_code
from payables.tenancy.services import create_personal_api_key

BASE = "/compat/fennoa/"
APPROVER_SCOPES = ["approvals:read", "approvals:write", "invoices:read", "coding:read"]


class FennoaClient:
    """The Django test client as a Fennoa integration uses it: HTTP Basic with the company
    code as user name and the API key as password; POSTs as form data unless told."""

    def __init__(self, key: str | None, company_code: str = "") -> None:
        self.client = Client()
        self.headers = {}
        if key is not None:
            token = base64.b64encode(f"{company_code}:{key}".encode()).decode()
            self.headers = {"Authorization": f"Basic {token}"}

    def get(self, path: str, params: dict | None = None, **headers: str) -> Any:
        return self.client.get(BASE + path, params or {}, headers=self.headers | headers)

    def post(self, path: str, data: dict | None = None, **headers: str) -> Any:
        """POST form data (multipart when a value is a file, as Django's client does)."""
        return self.client.post(BASE + path, data or {}, headers=self.headers | headers)

    def post_urlencoded(self, path: str, body: str, **headers: str) -> Any:
        return self.client.generic(
            "POST",
            BASE + path,
            body,
            content_type="application/x-www-form-urlencoded",
            headers=self.headers | headers,
        )

    def post_json(self, path: str, payload: Any, **headers: str) -> Any:
        return self.client.generic(
            "POST",
            BASE + path,
            json.dumps(payload, default=str),
            content_type="application/json",
            headers=self.headers | headers,
        )


def errors_of(response: Any) -> dict[str, str]:
    """The refusal's errors by field (``None`` for the request as a whole) → code."""
    body = response.json()
    assert body["status"] == "ERROR", body
    assert "data" not in body
    return {item["field"]: item["code"] for item in body["errors"]}


def data_of(response: Any) -> Any:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "OK", body
    return body.get("data")


@pytest.fixture
def fennoa(company: Company, make_key: Callable[..., str]) -> FennoaClient:
    """An integrator's key with every scope, its company named by its registry code."""
    return FennoaClient(make_key(company), company_code(company))


@pytest.fixture
def other_fennoa(other_company: Company, make_key: Callable[..., str]) -> FennoaClient:
    return FennoaClient(make_key(other_company), company_code(other_company))


@pytest.fixture
def make_user(actor: Actor) -> Callable[..., CompanyUser]:
    """An active approver who may approve last, without limit (roles may be changed)."""

    def make(code: str, *, roles: tuple[str, ...] = ("approver",)) -> CompanyUser:
        return create_user(
            UserIn(
                code=code,
                name=f"User {code}",
                email=f"{code.lower()}@example.com",
                roles=list(roles),
                can_be_last_approver=True,
                approval_limit_amount=None,
            ).model_dump(),
            actor=actor,
        )

    return make


@pytest.fixture
def as_user(company: Company) -> Callable[..., FennoaClient]:
    """A Fennoa client with a personal key of ``user`` (Fennoa's API keys are users)."""

    def make(user: CompanyUser, scopes: list[str] | None = None) -> FennoaClient:
        key = create_personal_api_key(user, scopes=scopes or APPROVER_SCOPES)[1]
        return FennoaClient(key, company_code(company))

    return make


# The description's field table for POST add, filled as its examples fill it.
ADD_FORM = {
    "purchase_invoice_type_id": "1",
    "supplier_name": "Fennoa Oy",
    "supplier_vat_number": "FI25939313",
    "supplier_business_id": "2593931-3",
    "supplier_country": "FI",
    "invoice_number": "1001",
    "invoice_date": "2023-09-01",
    "due_date": "2023-09-15",
    "entry_date": "2023-09-02",
    "bank_account": "FI4250001510000023",
    "bank_bic": "NDEAFIHH",
    "bank_reference": "13",
    "total_net": "100.00",
    "total_gross": "124.00",
    "currency": "EUR",
    "order_number": "PO-7",
    "your_reference": "Matti",
    "our_reference": "Maija",
    "terms_of_payment": "14 days net",
    "payable_account_code": "2780",
}


@pytest.fixture
def add_invoice(fennoa: FennoaClient) -> Callable[..., dict]:
    """POST add with the description's form (fields overridden, ``None`` leaving one out)."""
    numbers = iter(range(1, 10_000))

    def add(**fields: Any) -> dict:
        form = ADD_FORM | {"invoice_number": f"F-{next(numbers)}"} | fields
        sent = {name: value for name, value in form.items() if value is not None}
        return data_of(fennoa.post("purchases_api/add", sent))["PurchaseInvoice"]

    return add
