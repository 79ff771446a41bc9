"""Fixtures of the Merit tests: a client that signs as Merit's clients do, master data whose
ids are the GUIDs of Merit's own examples, and the examples themselves."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from payables.compat.merit.auth import sign
from payables.conftest import ApiClient
from payables.invoices.tests.master_data import MasterData
from payables.masterdata.models import VatCode
from payables.tenancy.models import Company

BASE = "/compat/merit/"
# The TaxIds of Merit's two sendpurchinvoice examples (api.merit.ee reference manual,
# "Create Purchase Invoice": "Example create" and "Example with proportional vat").
EXAMPLE_TAX_ID = uuid.UUID("b9b25735-6a15-4d4e-8720-25b254ae3d21")
PROPORTIONAL_TAX_ID = uuid.UUID("340e8fbf-7609-4449-ac12-50b0ff31ef6d")
# A real Estonian company's identifiers (the examples' fail their checksums).
VALID_REG_NO, VALID_VAT_NO = "10654211", "EE100000007"


def utc_timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S")


class MeritClient:
    """Signs each request with ApiId + timestamp + body, as Merit's examples do."""

    def __init__(self, api_id: str, api_key: str) -> None:
        self.client = Client()
        self.api_id = api_id
        self.api_key = api_key

    def url(self, path: str, body: bytes, *, timestamp: str | None = None, **query: str) -> str:
        timestamp = utc_timestamp() if timestamp is None else timestamp
        params = {
            "ApiId": self.api_id,
            "timestamp": timestamp,
            "signature": sign(self.api_id, timestamp, body, self.api_key),
        } | query
        return BASE + path + "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())

    def post(
        self,
        path: str,
        payload: Any = None,
        *,
        raw: bytes | None = None,
        method: str = "POST",
        headers: dict | None = None,
        **query: str,
    ) -> Any:
        body = raw if raw is not None else json.dumps(payload or {}, default=str).encode()
        url = self.url(path, body, **query)
        return self.client.generic(
            method, url, body, content_type="application/json", headers=headers or {}
        )


def credentials_of(api_key: str) -> dict:
    response = Client().post(BASE + "credentials", headers={"X-API-Key": api_key})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def make_merit(make_key: Callable[..., str]) -> Callable[..., MeritClient]:
    """A Merit client for a new key of the company (all scopes unless given)."""

    def make(company: Company, scopes: list[str] | None = None) -> MeritClient:
        found = credentials_of(make_key(company, scopes, integrator="Merit"))
        return MeritClient(found["ApiId"], found["ApiKey"])

    return make


@pytest.fixture
def merit(company: Company, make_merit: Callable[..., MeritClient]) -> MeritClient:
    return make_merit(company)


def vat_code_with_id(data: MasterData, code_id: uuid.UUID, code: str, **fields: Any) -> dict:
    """A VAT code whose id is a given GUID (as Merit's examples name them)."""
    created = data.vat_code(code, **fields)
    VatCode.objects.filter(pk=created["id"]).update(id=code_id)
    return created | {"id": str(code_id)}


@pytest.fixture
def books(api: ApiClient) -> dict:
    """The master data the examples name, loaded as an ERP loads it: their two VAT codes,
    account 1000, cost centre MAS (and a department and project), a payment method."""
    data = MasterData(api)
    return {
        "vat": vat_code_with_id(data, EXAMPLE_TAX_ID, "2", rate="2"),
        # "Tax % 20, Proportion used on VAT deduction in percents 34": 66 % is a cost.
        "proportional": vat_code_with_id(
            data, PROPORTIONAL_TAX_ID, "20P", rate="20", non_deductible_share="66"
        ),
        "vat22": data.vat_code("22", rate="22", description="Standard rate"),
        "zero": data.vat_code("0", rate="0"),
        "reverse": data.vat_code("RC", rate="22", is_reverse_charge=True),
        "account": data.account("1000"),
        "other_account": data.account("4000"),
        "MAS": data.dimension("cost_centre", "MAS"),
        "ADM": data.dimension("department", "ADM"),
        "P1": data.dimension("project", "P1"),
        "card": api.put("/payment-methods/by-code/CARD", {"name": "Company card"}).json(),
    }


# Merit's "Example create" (api.merit.ee, Create Purchase Invoice), as published.
EXAMPLE_CREATE = {
    "Vendor": {
        "Name": "Mingi Firma AS",
        "RegNo": "123456789",
        "VatRegNo": "EE123456789",
        "CurrencyCode": "EUR",
        "PaymentDeadLine": "7",
        "OverDueCharge": "0",
        "RefNoBase": "1",
        "Address": "Mingi Tänav 5",
        "County": "Estonia",
        "CountryCode": "EE",
        "City": "Keskus, Pealinnas",
        "PostalCode": "75306",
        "PhoneNo": "",
        "PhoneNo2": "",
        "Email": "",
    },
    "ExpenseClaim": False,
    "DocDate": "20200506",
    "DueDate": "20200506",
    "TransactionDate": "20200506",
    "BillNo": "987654324",
    "RefNo": None,
    "BankAccount": "",
    "CurrencyCode": "EUR",
    "InvoiceRow": [
        {
            "Item": {
                "Code": "ENVOICE_SERVICE",
                "Description": "Rehvivahetuse ettemaks",
                "Type": 2,
                "UOMName": None,
            },
            "Quantity": 1,
            "Price": 10.0,
            "TaxId": "b9b25735-6a15-4d4e-8720-25b254ae3d21",
            "GLAccountCode": "1000",
            "CostCenterCode": "MAS",
        }
    ],
    "TaxAmount": [{"TaxId": "b9b25735-6a15-4d4e-8720-25b254ae3d21", "Amount": 0.20}],
    "TotalAmount": 10.00,
    "Hcomment": None,
    "Fcomment": "Ülemuse autol veel vahetamata",
}

# Merit's "Example with proportional vat": "Tax % 20, Proportion used on VAT deduction in
# percents 34" — TaxAmount is the deductible VAT, TotalAmount the rows plus the rest.
EXAMPLE_PROPORTIONAL = {
    "Vendor": {
        "Name": "Mingi Firma AS",
        "RegNo": "123456789",
        "VatRegNo": "EE123456789",
        "CurrencyCode": "EUR",
        "PaymentDeadLine": "7",
        "OverDueCharge": "0",
        "RefNoBase": "1",
        "Address": "Mingi Tänav kusagil",
        "County": "Estonia",
        "CountryCode": "EE",
        "City": "Keskus, Linnas",
        "PostalCode": "75306",
        "PhoneNo": "",
        "PhoneNo2": "",
        "Email": "",
    },
    "ExpenseClaim": False,
    "DocDate": "20200506",
    "DueDate": "20200506",
    "TransactionDate": "20200506",
    "BillNo": "987654323",
    "RefNo": None,
    "BankAccount": "",
    "CurrencyCode": "EUR",
    "InvoiceRow": [
        {
            "Item": {
                "Code": "ENVOICE_SERVICE",
                "Description": "Rehvivahetuse ettemaks",
                "Type": 2,
                "UOMName": None,
            },
            "Quantity": 1,
            "Price": 10.0,
            "TaxId": "340e8fbf-7609-4449-ac12-50b0ff31ef6d",
            "GLAccountCode": "1000",
            "CostCenterCode": "MAS",
        }
    ],
    "TaxAmount": [{"TaxId": "340e8fbf-7609-4449-ac12-50b0ff31ef6d", "Amount": 0.68}],
    "TotalAmount": 11.32,
}


def example(which: dict, **overrides: Any) -> dict:
    """A deep copy of an example with valid vendor identifiers; overrides replace fields."""
    payload = copy.deepcopy(which)
    payload["Vendor"] |= {"RegNo": VALID_REG_NO, "VatRegNo": VALID_VAT_NO}
    return payload | overrides


@pytest.fixture
def native(api: ApiClient) -> ApiClient:
    return api
