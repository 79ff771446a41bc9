"""Project-wide fixtures: company → integrator → key → api client, and invoice builders."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from payables.invoices.inputs import InvoiceIn
from payables.invoices.models import Invoice
from payables.invoices.services import create_invoice
from payables.masterdata.models import Supplier
from payables.masterdata.services import create_supplier
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company
from payables.tenancy.scopes import SCOPES
from payables.tenancy.services import create_api_key, create_company, create_integrator

# Test-support modules hold asserts too: have pytest explain their failures in detail.
pytest.register_assert_rewrite(
    "payables.tests.malformed",
    "payables.einvoice.tests.cii_support",
    "payables.einvoice.tests.ee_support",
    "payables.einvoice.tests.finvoice_support",
    "payables.einvoice.tests.ubl_support",
    "payables.einvoice.tests.validation_support",
)

API = "/api/v1"
CORPUS_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip PostgreSQL-only tests on SQLite, saying how to run them."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/payables"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_files(settings: Any, tmp_path: Path) -> None:
    """Keep attachment and collected static files of each test in its own temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "files"},
        },
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Static files as in a checkout never served: the manifest `payables serve` leaves in
    # ./var/static would have pages name hashed copies (and stale ones, after an edit).
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)


class ApiClient:
    """The Django test client speaking JSON to /api/v1 with an API key."""

    def __init__(self, key: str | None) -> None:
        self.client = Client()
        self.key = key

    def _headers(self, headers: dict | None) -> dict:
        base = {"X-API-Key": self.key} if self.key else {}
        return base | (headers or {})

    def get(self, path: str, params: dict | None = None, *, headers: dict | None = None) -> Any:
        return self.client.get(API + path, params or {}, headers=self._headers(headers))

    def post(
        self,
        path: str,
        payload: Any = None,
        *,
        headers: dict | None = None,
        raw: bytes | str | None = None,
        content_type: str = "application/json",
    ) -> Any:
        if raw is not None:
            body = raw
        else:  # no payload: an empty body, as clients send for a bare POST
            body = b"" if payload is None else json.dumps(payload, default=str)
        return self.client.generic(
            "POST", API + path, body, content_type=content_type, headers=self._headers(headers)
        )

    def patch(self, path: str, payload: Any, *, headers: dict | None = None) -> Any:
        return self.client.generic(
            "PATCH",
            API + path,
            json.dumps(payload, default=str),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def put(self, path: str, payload: Any, *, headers: dict | None = None) -> Any:
        return self.client.generic(
            "PUT",
            API + path,
            json.dumps(payload, default=str),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def delete(self, path: str, *, headers: dict | None = None) -> Any:
        return self.client.delete(API + path, headers=self._headers(headers))

    def upload(self, path: str, data: dict, *, headers: dict | None = None) -> Any:
        """POST multipart/form-data (files as open file objects or SimpleUploadedFile)."""
        return self.client.post(API + path, data, headers=self._headers(headers))


@pytest.fixture
def company(db: None) -> Company:
    return create_company(name="Acme Ostud OÜ", country="EE", registry_code="10137319")


@pytest.fixture
def other_company(db: None) -> Company:
    return create_company(name="Other Oy", country="FI", registry_code="2077474-0")


@pytest.fixture
def make_key(db: None) -> Callable[..., str]:
    """Issue a raw key for a company with the given scopes (all by default)."""

    def make(company: Company, scopes: list[str] | None = None, integrator: str = "ERP") -> str:
        found = company.integrators.filter(name=integrator).first()
        found = found or create_integrator(company, name=integrator)
        return create_api_key(found, scopes=list(SCOPES) if scopes is None else scopes)[1]

    return make


@pytest.fixture
def api_key(company: Company, make_key: Callable[..., str]) -> str:
    return make_key(company)


@pytest.fixture
def api(api_key: str) -> ApiClient:
    return ApiClient(api_key)


@pytest.fixture
def other_api(other_company: Company, make_key: Callable[..., str]) -> ApiClient:
    return ApiClient(make_key(other_company))


@pytest.fixture
def actor(company: Company) -> Actor:
    return Actor.system(company, "test")


@pytest.fixture
def supplier(actor: Actor) -> Supplier:
    return create_supplier(
        {
            "name": "Tallinna Kontoritarbed AS",
            "country": "EE",
            "registry_code": "10137319",
            "vat_number": "EE100931558",
            "bank_accounts": [{"iban": "EE382200221020145685", "bic": "HABAEE2X"}],
        },
        actor=actor,
    )


def invoice_data(supplier_id: Any = None, **overrides: Any) -> dict:
    """A valid invoice payload: two rows at 22 % and 9 %, totals that reconcile."""
    data = {
        "supplier_id": str(supplier_id) if supplier_id else None,
        "invoice_number": "INV-1001",
        "invoice_date": date(2026, 11, 2).isoformat(),
        "due_date": date(2026, 11, 16).isoformat(),
        "currency": "EUR",
        "net_amount": "150.00",
        "vat_amount": "26.50",
        "gross_amount": "176.50",
        "payment_reference": "13",
        "rows": [
            {
                "description": "Paper",
                "quantity": "10",
                "unit_price": "10.00",
                "net_amount": "100.00",
                "vat_rate": "22",
                "vat_amount": "22.00",
            },
            {
                "description": "Books",
                "quantity": "1",
                "unit_price": "50",
                "net_amount": "50.00",
                "vat_rate": "9",
                "vat_amount": "4.50",
            },
        ],
        "vat_breakdown": [
            {"vat_rate": "22", "base_amount": "100.00", "vat_amount": "22.00"},
            {"vat_rate": "9", "base_amount": "50.00", "vat_amount": "4.50"},
        ],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def make_invoice(actor: Actor, supplier: Supplier) -> Callable[..., Invoice]:
    """Create an invoice through the service, so its events and trail exist."""
    counter = iter(range(1, 1_000_000))

    def make(**overrides: Any) -> Invoice:
        overrides.setdefault("invoice_number", f"T-{next(counter)}")
        return create_invoice(InvoiceIn(**invoice_data(supplier.id, **overrides)), actor=actor)

    return make


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def invoice_payload(supplier: Supplier) -> Callable[..., dict]:
    """Build a valid invoice JSON payload for ``supplier``; keyword arguments override fields."""

    def build(**overrides: Any) -> dict:
        return invoice_data(**({"supplier_id": supplier.id} | overrides))

    return build
