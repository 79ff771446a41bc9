"""API keys through the HTTP API: authentication, scopes, hashing and bookkeeping."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from payables.conftest import ApiClient, invoice_data
from payables.errors import FieldError
from payables.events.models import Event
from payables.invoices.models import Invoice
from payables.invoices.services import add_attachment
from payables.masterdata.models import Supplier
from payables.tenancy.models import ApiKey, Company
from payables.tenancy.scopes import SCOPES
from payables.tenancy.services import create_api_key, create_integrator, revoke_api_key


def _key_row(raw: str) -> ApiKey:
    return ApiKey.objects.get(key_hash=hashlib.sha256(raw.encode()).hexdigest())


# --- authentication ------------------------------------------------------------------------


def test_request_without_key_is_401_with_code(db):
    response = ApiClient(None).get("/suppliers")
    assert response.status_code == 401
    assert response.json()["code"] == "api_key_missing"
    assert "X-API-Key" in response.json()["detail"]


def test_request_with_empty_key_header_is_401(db):
    response = ApiClient(None).get("/suppliers", headers={"X-API-Key": ""})
    assert response.status_code == 401
    assert response.json()["code"] == "api_key_missing"


def test_unknown_key_is_401(api):
    response = ApiClient("pay_not-a-key-anyone-was-given").get("/suppliers")
    assert response.status_code == 401
    assert response.json()["code"] == "api_key_invalid"


def test_key_of_a_hash_lookalike_is_401(api, api_key):
    """Sending the stored hash instead of the key must not authenticate."""
    response = ApiClient(_key_row(api_key).key_hash).get("/suppliers")
    assert response.status_code == 401


def test_revoked_key_is_401(api, api_key):
    assert api.get("/suppliers").status_code == 200
    revoke_api_key(_key_row(api_key))
    response = api.get("/suppliers")
    assert response.status_code == 401
    assert response.json()["code"] == "api_key_invalid"


def test_revoked_key_cannot_write(api, api_key):
    revoke_api_key(_key_row(api_key))
    response = api.post("/suppliers", {"name": "Late Ltd", "country": "EE"})
    assert response.status_code == 401
    assert not Supplier.objects.exists()
    assert not Event.objects.exists()


def test_revoked_key_replays_no_idempotent_answer(api, api_key):
    """A stored idempotent answer is not handed out once the key is revoked."""
    headers = {"Idempotency-Key": "k-1"}
    assert (
        api.post("/suppliers", {"name": "A", "country": "EE"}, headers=headers).status_code == 201
    )
    revoke_api_key(_key_row(api_key))
    response = api.post("/suppliers", {"name": "A", "country": "EE"}, headers=headers)
    assert response.status_code == 401


def test_revoking_twice_keeps_the_first_revocation_time(api_key):
    key = revoke_api_key(_key_row(api_key))
    first = key.revoked_at
    assert revoke_api_key(_key_row(api_key)).revoked_at == first


def test_revoking_one_key_leaves_the_integrators_other_keys_working(company, make_key):
    first, second = make_key(company), make_key(company)
    revoke_api_key(_key_row(first))
    assert ApiClient(first).get("/suppliers").status_code == 401
    assert ApiClient(second).get("/suppliers").status_code == 200


# --- storage -------------------------------------------------------------------------------


def test_key_is_stored_only_as_its_sha256(api_key):
    key = ApiKey.objects.get()
    assert key.key_hash == hashlib.sha256(api_key.encode()).hexdigest()
    assert api_key not in {str(v) for v in ApiKey.objects.values().get().values()}


def test_key_prefix_is_the_visible_start_of_the_key(api_key):
    key = ApiKey.objects.get()
    assert api_key.startswith(key.prefix)
    assert key.prefix.startswith("pay_")
    assert len(key.prefix) < len(api_key) // 2


def test_raw_key_appears_nowhere_in_the_database_after_use(api, api_key):
    headers = {"Idempotency-Key": "create-1"}
    assert (
        api.post("/suppliers", {"name": "A", "country": "EE"}, headers=headers).status_code == 201
    )
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert api_key not in dump.getvalue()
    assert _key_row(api_key).prefix in dump.getvalue()


def test_each_key_is_different(company, make_key):
    assert make_key(company) != make_key(company)


def test_last_used_at_is_empty_until_the_key_is_used(api_key):
    assert _key_row(api_key).last_used_at is None


def test_last_used_at_is_set_when_the_key_is_used(api, api_key):
    api.get("/suppliers")
    key = _key_row(api_key)
    assert key.last_used_at is not None
    assert key.last_used_at >= key.created_at


def test_last_used_at_is_not_set_by_a_revoked_key(api, api_key):
    revoke_api_key(_key_row(api_key))
    api.get("/suppliers")
    assert _key_row(api_key).last_used_at is None


# --- create_api_key ------------------------------------------------------------------------


def test_create_api_key_refuses_unknown_scopes(company):
    integrator = create_integrator(company, name="ERP")
    with pytest.raises(FieldError) as info:
        create_api_key(integrator, scopes=["invoices:read", "invoices:delete"])
    assert info.value.loc == ("scopes",)
    assert "invoices:delete" in info.value.message
    assert not ApiKey.objects.exists()


def test_create_api_key_refuses_empty_scopes(company):
    integrator = create_integrator(company, name="ERP")
    with pytest.raises(FieldError) as info:
        create_api_key(integrator, scopes=[])
    assert info.value.loc == ("scopes",)
    assert not ApiKey.objects.exists()


def test_create_api_key_stores_each_scope_once(company):
    integrator = create_integrator(company, name="ERP")
    key, _ = create_api_key(integrator, scopes=["invoices:read", "events:read", "invoices:read"])
    assert ApiKey.objects.get(pk=key.pk).scopes == ["events:read", "invoices:read"]


# --- scopes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    scope: str
    body: dict | None = None


ENDPOINTS = [
    Endpoint("GET", "/suppliers", "masterdata:read"),
    Endpoint("GET", "/suppliers/{supplier}", "masterdata:read"),
    Endpoint("POST", "/suppliers", "masterdata:write", {"name": "New AS", "country": "EE"}),
    Endpoint("PATCH", "/suppliers/{supplier}", "masterdata:write", {"city": "Tartu"}),
    Endpoint("GET", "/invoices", "invoices:read"),
    Endpoint("GET", "/invoices/{invoice}", "invoices:read"),
    Endpoint("GET", "/invoices/{internal_id}", "invoices:read"),
    Endpoint("GET", "/invoices/{invoice}/attachments", "invoices:read"),
    Endpoint("GET", "/invoices/{invoice}/attachments/{attachment}/content", "invoices:read"),
    Endpoint("GET", "/invoices/{invoice}/payments", "invoices:read"),
    Endpoint("POST", "/invoices", "invoices:write", {"invoice_number": "NEW-1"}),
    Endpoint("PATCH", "/invoices/{invoice}", "invoices:write", {"payment_reference": "1232"}),
    Endpoint("POST", "/invoices/{invoice}/cancel", "invoices:write", {"reason": "duplicate"}),
    Endpoint(
        "POST", "/invoices/{invoice}/attachments", "invoices:write", {"url": "https://x.test/a"}
    ),
    Endpoint("UPLOAD", "/invoices/{invoice}/attachments/upload", "invoices:write"),
    Endpoint(
        "POST",
        "/invoices/{invoice}/payments",
        "invoices:write",
        {"amount": "10.00", "payment_date": "2026-11-20"},
    ),
    Endpoint("GET", "/events", "events:read"),
]


@pytest.fixture
def objects(make_invoice, supplier, actor) -> dict[str, str]:
    invoice = make_invoice()
    attachment = add_attachment(
        invoice, actor=actor, content=b"%PDF-1.4 scan", filename="scan.pdf"
    ).attachment
    return {
        "supplier": str(supplier.id),
        "invoice": str(invoice.id),
        "internal_id": str(invoice.internal_id),
        "attachment": str(attachment.id),
    }


def _call(client: ApiClient, endpoint: Endpoint, objects: dict[str, str]) -> object:
    path = endpoint.path.format(**objects)
    if endpoint.method == "GET":
        return client.get(path)
    if endpoint.method == "PATCH":
        return client.patch(path, endpoint.body)
    if endpoint.method == "UPLOAD":
        return client.upload(path, {"file": SimpleUploadedFile("b.pdf", b"%PDF-1.4 b")})
    body = endpoint.body
    if endpoint.path == "/invoices":
        body = invoice_data(objects["supplier"], **body)
    return client.post(path, body)


def _state(company: Company) -> dict:
    """What a refused call must leave untouched."""
    return {
        "events": Event.objects.filter(company=company).count(),
        "suppliers": list(Supplier.objects.filter(company=company).values()),
        "invoices": list(Invoice.objects.filter(company=company).values()),
    }


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
def test_key_without_the_endpoints_scope_is_403_naming_it(
    endpoint: Endpoint, objects: dict, company: Company, make_key: Callable[..., str]
):
    others = [s for s in SCOPES if s != endpoint.scope]
    client = ApiClient(make_key(company, others))
    before = _state(company)
    response = _call(client, endpoint, objects)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "missing_scope"
    assert endpoint.scope in response.json()["detail"]
    assert _state(company) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
def test_key_with_only_the_endpoints_scope_is_let_in(
    endpoint: Endpoint, objects: dict, company: Company, make_key: Callable[..., str]
):
    client = ApiClient(make_key(company, [endpoint.scope]))
    response = _call(client, endpoint, objects)
    assert response.status_code in {200, 201}, response.content


def test_read_only_key_cannot_create_a_supplier(company, make_key):
    client = ApiClient(make_key(company, ["masterdata:read", "invoices:read", "events:read"]))
    response = client.post("/suppliers", {"name": "New AS", "country": "EE"})
    assert response.status_code == 403
    assert "masterdata:write" in response.json()["detail"]
    assert not Supplier.objects.exists()


def test_read_only_key_cannot_create_an_invoice(company, supplier, make_key):
    client = ApiClient(make_key(company, ["invoices:read"]))
    response = client.post("/invoices", invoice_data(supplier.id))
    assert response.status_code == 403
    assert not Invoice.objects.exists()


def test_scope_is_checked_before_the_body(company, make_key):
    """A key that may not write learns nothing about what a valid body would be."""
    client = ApiClient(make_key(company, ["masterdata:read"]))
    response = client.post("/suppliers", {"nonsense": True})
    assert response.status_code == 403


def test_write_scope_does_not_grant_read(company, make_key):
    client = ApiClient(make_key(company, ["masterdata:write"]))
    assert client.get("/suppliers").status_code == 403


def test_missing_scope_answer_is_not_replayed_to_a_key_that_has_it(company, make_key):
    """A refused request claims no Idempotency-Key, so a properly scoped retry runs."""
    headers = {"Idempotency-Key": "supplier-1"}
    body = {"name": "New AS", "country": "EE"}
    refused = ApiClient(make_key(company, ["masterdata:read"])).post(
        "/suppliers", body, headers=headers
    )
    assert refused.status_code == 403
    response = ApiClient(make_key(company, ["masterdata:write"])).post(
        "/suppliers", body, headers=headers
    )
    assert response.status_code == 201, response.content
    assert Supplier.objects.count() == 1


def test_key_without_the_scope_gets_no_replay_of_another_keys_answer(company, make_key):
    """A stored answer is only replayed to a key that may make the request."""
    headers = {"Idempotency-Key": "supplier-1"}
    body = {"name": "New AS", "country": "EE"}
    created = ApiClient(make_key(company, ["masterdata:write"])).post(
        "/suppliers", body, headers=headers
    )
    assert created.status_code == 201
    response = ApiClient(make_key(company, ["events:read"])).post(
        "/suppliers", body, headers=headers
    )
    assert response.status_code == 403
    assert "Idempotent-Replayed" not in response.headers
