"""The key every API request presents: read afresh each time, as the ORM would read it."""

from __future__ import annotations

from django.db import models

from payables.conftest import ApiClient
from payables.masterdata.schemas import UserIn
from payables.masterdata.services.users import create_user, update_user
from payables.tenancy.models import ApiKey
from payables.tenancy.queries import find_api_key
from payables.tenancy.services import (
    create_personal_api_key,
    hash_key,
    revoke_api_key,
    update_company,
)


def _values(instance: models.Model) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _orm(raw: str) -> ApiKey:
    return ApiKey.objects.select_related("integrator__company", "user__company").get(
        key_hash=hash_key(raw)
    )


def test_an_integrators_key_is_read_with_its_integrator_and_company_as_stored(api_key):
    found, stored = find_api_key(api_key), _orm(api_key)
    assert _values(found) == _values(stored)
    assert _values(found.integrator) == _values(stored.integrator)
    assert _values(found.integrator.company) == _values(stored.integrator.company)
    assert found.user is None
    assert found.effective_scopes == stored.effective_scopes


def test_a_personal_key_is_read_with_its_user_and_company_as_stored(actor):
    amy = create_user(
        UserIn(code="AMY", name="Amy", roles=["approver", "accountant"]).model_dump(), actor=actor
    )
    _, raw = create_personal_api_key(amy, scopes=["invoices:read", "approvals:read"])
    found, stored = find_api_key(raw), _orm(raw)
    assert _values(found) == _values(stored)
    assert _values(found.user) == _values(stored.user)
    assert found.user.roles == stored.user.roles == ["approver", "accountant"]  # JSON, a list
    assert _values(found.user.company) == _values(stored.user.company)
    assert found.integrator is None
    assert found.effective_scopes == {"invoices:read", "approvals:read"}


def test_an_unknown_secret_finds_no_key(api_key):
    assert find_api_key("pay_not-a-key-anyone-was-given") is None
    assert find_api_key(_orm(api_key).key_hash) is None  # the stored hash is not the key


def test_a_revoked_key_is_found_revoked_and_refused_on_the_very_next_request(api, api_key):
    assert api.get("/invoices").status_code == 200
    revoke_api_key(_orm(api_key))
    assert find_api_key(api_key).revoked_at is not None
    response = api.get("/invoices")
    assert response.status_code == 401
    assert response.json()["code"] == "api_key_invalid"


def test_a_role_taken_away_refuses_the_next_request_its_scope_needs(actor):
    amy = create_user(
        UserIn(code="AMY", name="Amy", roles=["approver", "accountant"]).model_dump(), actor=actor
    )
    _, raw = create_personal_api_key(amy, scopes=["invoices:read", "export:read"])
    api = ApiClient(raw)
    assert api.get("/feeds/exported").status_code == 200
    update_user(amy, {"roles": ["approver"]}, actor=actor)
    assert api.get("/invoices").status_code == 200
    response = api.get("/feeds/exported")
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"


def test_a_change_to_the_company_shows_in_the_next_answer(api, company, make_invoice):
    make_invoice()
    assert api.get("/invoices").json()["items"][0]["home_currency"] == "EUR"
    update_company(company, {"home_currency": "SEK"})
    assert api.get("/invoices").json()["items"][0]["home_currency"] == "SEK"
