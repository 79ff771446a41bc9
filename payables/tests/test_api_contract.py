"""The API's contract: every answer under /api/v1 is JSON, a query parameter no operation
declares is a 422 naming it, and input is taken as written: booleans are true or false,
moments are ISO 8601 date-times a database can store, amounts are plain numerals.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, get_args, get_origin

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from payables.conftest import API, ApiClient
from payables.invoices.models import Payment
from payables.masterdata.models import Account, Supplier
from payables.schema_types import InSchema, PageParams, _date_text, _date_time_text
from payables.tenancy.models import CompanyUser
from payables.tenancy.services import create_personal_api_key
from payables.tests.malformed import _state


def _operations(client: Client) -> list[tuple[str, str, dict]]:
    """(method, path, operation) of every operation the OpenAPI document lists."""
    paths = client.get(API + "/openapi.json").json()["paths"]
    return [(method, path, op) for path, ops in paths.items() for method, op in ops.items()]


def _fill(path: str, op: dict, values: dict[str, str] | None = None) -> str:
    """The path with each parameter filled in: a UUID where it is one, else ``X``."""
    formats = {
        p["name"]: p["schema"].get("format") for p in op.get("parameters", []) if p["in"] == "path"
    }

    def value(match: re.Match) -> str:
        name = match.group(1)
        if values and name in values:
            return values[name]
        return str(uuid.uuid4()) if formats.get(name) == "uuid" else "X"

    return re.sub(r"\{(\w+)\}", value, path)


def _locs(response: Any) -> list[list]:
    return [item["loc"] for item in response.json()["detail"]]


def _is_json(response: Any) -> bool:
    return response["Content-Type"].startswith("application/json")


# --- every answer is JSON -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nope"),
        ("GET", "/"),
        ("GET", "/invoices/"),
        ("GET", "/invoices/x/y/z"),
        ("POST", "/suppliers/bulk/x"),
        ("DELETE", "/nope"),
    ],
)
def test_an_unknown_path_is_a_json_404(api, method, path):
    response = api.client.generic(method, API + path, headers={"X-API-Key": api.key})
    assert response.status_code == 404
    assert _is_json(response)
    body = response.json()
    assert body["code"] == "not_found"
    assert API + path in body["detail"]


def test_an_unknown_path_is_a_json_404_without_a_key_or_csrf_token(db):
    response = Client(enforce_csrf_checks=True).post(API + "/nope", {})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/invoices", {"GET", "POST"}),
        ("PUT", "/suppliers", {"GET", "POST"}),
        ("POST", "/events", {"GET"}),
        ("HEAD", "/invoices", {"GET", "POST"}),
    ],
)
def test_a_method_the_path_does_not_serve_is_a_json_405(api, method, path, allowed):
    response = api.client.generic(method, API + path, headers={"X-API-Key": api.key})
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == allowed
    if method != "HEAD":
        assert _is_json(response)
        assert response.json()["code"] == "method_not_allowed"


def test_a_multipart_body_without_boundary_is_a_422_and_no_logged_error(api, make_invoice, caplog):
    invoice = make_invoice()
    before = _state()
    with caplog.at_level(logging.INFO):
        response = api.post(
            f"/invoices/{invoice.id}/attachments/upload",
            raw=b"--x\r\n",
            content_type="multipart/form-data",
        )
    assert response.status_code == 422
    assert _is_json(response)
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body"], "multipart_invalid")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert _state() == before


def test_a_multipart_import_without_boundary_is_a_422(api):
    response = api.post("/invoices/import", raw=b"x", content_type="multipart/form-data")
    assert response.status_code == 422
    assert _locs(response) == [["body"]]


def test_a_json_body_over_the_limit_is_a_json_413(api, invoice_payload, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/invoices", invoice_payload(payment_reference="1" * 2000))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_a_multipart_body_over_the_limit_is_a_json_413(api, make_invoice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    invoice = make_invoice()
    pdf = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 5000, "application/pdf")
    response = api.upload(f"/invoices/{invoice.id}/attachments/upload", {"file": pdf})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_too_many_query_fields_is_a_json_413(api):
    query = "&".join(f"f{i}=1" for i in range(1200))
    response = api.client.get(f"{API}/suppliers?{query}", headers={"X-API-Key": api.key})
    assert response.status_code == 413
    assert response.json()["code"] == "too_many_fields"


# --- unknown query parameters ---------------------------------------------------------------


def test_every_operation_refuses_a_query_parameter_it_does_not_declare(api):
    """Operations without a body: the check comes after auth, before anything is done."""
    wrong = []
    for method, path, op in _operations(api.client):
        if "requestBody" in op:
            continue
        url = _fill(path, op) + "?isApproved=true"
        response = api.client.generic(method.upper(), url, headers={"X-API-Key": api.key})
        if response.status_code != 422 or ["query", "isApproved"] not in _locs(response):
            wrong.append((method, path, response.status_code, response.content[:200]))
    assert wrong == []


def test_a_ported_clients_camel_case_filters_are_named(api, make_invoice):
    make_invoice()
    response = api.get("/invoices", {"isApproved": "true", "modifiedAfter": "2030-01-01T00:00Z"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [(d["loc"], d["type"]) for d in detail] == [
        (["query", "isApproved"], "unknown_parameter"),
        (["query", "modifiedAfter"], "unknown_parameter"),
    ]
    assert "modified_after" in detail[0]["msg"]  # the message lists what the operation takes


def test_a_write_with_an_unknown_query_parameter_changes_nothing(api):
    response = api.post("/suppliers?dryRun=1", {"name": "Puit OÜ", "country": "EE"})
    assert response.status_code == 422
    assert _locs(response) == [["query", "dryRun"]]
    assert not Supplier.objects.exists()


def test_an_unknown_query_parameter_is_refused_after_authentication(db):
    response = ApiClient(None).get("/invoices", {"isApproved": "true"})
    assert response.status_code == 401


def test_declared_query_parameters_still_filter(api, make_invoice):
    make_invoice()
    assert api.get("/invoices", {"status": "new", "page_size": 10}).json()["count"] == 1
    assert api.get("/invoices", {"status": "approved"}).json()["count"] == 0


# --- date-time filters: ISO 8601, and only what both databases store ------------------------


def _date_time_filters(client: Client) -> list[tuple[str, str, dict]]:
    """(path, parameter, operation) of every date-time query parameter of a GET."""
    return [
        (path, p["name"], op)
        for method, path, op in _operations(client)
        if method == "get"
        for p in op.get("parameters", [])
        if p["in"] == "query" and "date-time" in str(p["schema"])
    ]


@pytest.fixture
def date_time_filters(api) -> list[tuple[ApiClient, str, str]]:
    """Every date-time filter as (client, url, parameter), its path's records existing.

    The approval queue is a person's: it is asked with a personal key.
    """
    assert api.post("/dimension-types", {"code": "dept", "name": "Dept"}).status_code == 201
    user = {"code": "ANN", "name": "Ann", "email": "ann@example.com", "roles": ["approver"]}
    assert api.post("/users", user).status_code == 201
    ann = CompanyUser.objects.get(code="ANN")
    personal = ApiClient(create_personal_api_key(ann, scopes=["approvals:read"])[1])
    found = [
        (personal if path.endswith("/approvals/queue") else api, _fill(path, op, values), name)
        for path, name, op in _date_time_filters(api.client)
        for values in [{"type_ref": "dept"}]
    ]
    assert len(found) >= 20  # suppliers, invoices, sync errors, every master data kind, …
    return found


@pytest.mark.parametrize(
    ("value", "error_type"),
    [
        ("2026-01-01T00:00:00+17:30", "datetime_offset_range"),  # PostgreSQL: a 500 before
        ("2026-01-01T00:00:00+14:01", "datetime_offset_range"),
        ("2026-01-01T00:00:00-15:00", "datetime_offset_range"),
        ("0001-01-01T00:00:00+05:00", "datetime_range"),  # year 0 in UTC
        ("9999-12-31T23:00:00-05:00", "datetime_range"),  # year 10000 in UTC
        ("0.5", "datetime_parsing"),  # pydantic would read seconds since 1970
        ("1700000000", "datetime_parsing"),
        ("2026-01-01", "datetime_parsing"),  # a date, not a date-time
        ("yesterday", "datetime_parsing"),
    ],
)
def test_date_time_filters_refuse_what_no_database_stores(
    api, date_time_filters, value, error_type
):
    wrong = []
    for client, url, name in date_time_filters:
        response = client.client.get(url, {name: value}, headers={"X-API-Key": client.key})
        found = [(d["loc"], d["type"]) for d in response.json()["detail"]]
        if response.status_code != 422 or found != [(["query", name], error_type)]:
            wrong.append((url, name, response.status_code, response.content[:200]))
    assert wrong == []


@pytest.mark.parametrize(
    "value",
    [
        "2026-01-01T00:00:00+14:00",
        "2026-01-01T00:00:00-12:00",
        "2026-01-01T00:00:00-14:00",
        "0001-01-01T00:00:00Z",
        "0001-01-01T05:00:00+05:00",
        "9999-12-31T23:59:59.999999Z",
        "9999-12-31T18:59:59-05:00",
        "2026-01-01T12:00",  # no offset: UTC
        "2026-01-01 12:00:00Z",
    ],
)
def test_date_time_filters_take_every_storable_moment(api, date_time_filters, value):
    wrong = []
    for client, url, name in date_time_filters:
        response = client.client.get(url, {name: value}, headers={"X-API-Key": client.key})
        if response.status_code != 200:
            wrong.append((url, name, response.status_code, response.content[:200]))
    assert wrong == []


@pytest.mark.parametrize(("hours", "count"), [(-1, 1), (1, 0)])
@pytest.mark.parametrize("offset", [14, -12, 0])
def test_a_date_time_filter_compares_the_moment_whatever_its_offset(
    api, make_invoice, hours, offset, count
):
    created = make_invoice().created_at
    zone = timezone(timedelta(hours=offset))
    moment = (created + timedelta(hours=hours)).astimezone(zone).isoformat()
    assert api.get("/invoices", {"created_after": moment}).json()["count"] == count


# --- input as written -----------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, "true", "false", "yes", "on", 1.0])
def test_a_body_boolean_is_true_or_false(api, value):
    response = api.post("/accounts", {"code": "4000", "name": "Materials", "is_active": value})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body", "is_active"], "bool_type")
    assert not Account.objects.exists()


def test_a_patch_boolean_is_true_or_false(api):
    assert api.post("/accounts", {"code": "4000", "name": "Materials"}).status_code == 201
    refused = api.patch("/accounts/4000", {"is_active": 0})
    assert (refused.status_code, _locs(refused)) == (422, [["body", "is_active"]])
    assert Account.objects.get().is_active
    changed = api.patch("/accounts/4000", {"is_active": False})
    assert (changed.status_code, changed.json()["is_active"]) == (200, False)


def test_a_query_boolean_is_still_text(api):
    assert api.post("/accounts", {"code": "4000", "name": "Materials"}).status_code == 201
    assert api.get("/accounts", {"is_active": "true"}).json()["count"] == 1
    assert api.get("/accounts", {"is_active": "false"}).json()["count"] == 0


def _strict(metadata: list, validator: object) -> bool:
    return any(getattr(m, "func", None) is validator for m in metadata)


LAX = {  # a type as pydantic reads it laxly, and what makes it strict
    bool: lambda metadata: any(getattr(m, "strict", False) for m in metadata),
    date: lambda metadata: _strict(metadata, _date_text),
    datetime: lambda metadata: _strict(metadata, _date_time_text),
}


def _is_lax(annotation: Any, metadata: list, kinds: tuple[type, ...]) -> bool:
    """Does the annotation take one of ``kinds`` (alone, in a union, a list) laxly?"""
    if annotation in kinds:
        return not LAX[annotation](metadata)
    if get_origin(annotation) is Annotated:
        base, *more = get_args(annotation)
        return _is_lax(base, [*metadata, *more], kinds)
    return any(_is_lax(arg, metadata, kinds) for arg in get_args(annotation))


def _lax_fields(base: type, kinds: tuple[type, ...]) -> list[str]:
    found = []
    pending = list(base.__subclasses__())
    while pending:
        schema = pending.pop()
        pending += schema.__subclasses__()
        for name, field in schema.model_fields.items():
            if _is_lax(field.annotation, field.metadata, kinds):
                found.append(f"{schema.__module__}.{schema.__name__}.{name}")
    return found


def test_every_input_boolean_day_and_moment_is_taken_as_written(api):
    """Guards new fields: a body boolean is ``Flag``, a day ``IsoDate``, a moment
    ``Timestamp`` (in filters too; their booleans are text)."""
    assert _lax_fields(InSchema, (bool, date, datetime)) == []
    assert _lax_fields(PageParams, (date, datetime)) == []


@pytest.mark.parametrize("amount", ["1_0", "\u0661\u0660", "0x10", "10,00", " 10", "1e", ""])
def test_an_amount_written_as_text_is_a_plain_numeral(api, make_invoice, amount):
    invoice = make_invoice()
    response = api.post(
        f"/invoices/{invoice.id}/payments", {"amount": amount, "payment_date": "2026-11-10"}
    )
    assert response.status_code == 422
    assert _locs(response) == [["body", "amount"]]
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", ["10", "10.00", "1e1", "-0.5e1", 10])
def test_an_amount_may_be_a_number_or_numeral(api, make_invoice, amount):
    invoice = make_invoice()
    response = api.post(
        f"/invoices/{invoice.id}/payments", {"amount": amount, "payment_date": "2026-11-10"}
    )
    if str(amount).startswith("-"):  # the sign of the total: refused for its meaning only
        assert response.json()["detail"][0]["type"] == "payment_sign"
    else:
        assert response.status_code == 201, response.json()
        assert response.json()["amount"] == "10.00"
