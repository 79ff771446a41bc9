"""Personal API keys: owned by a company user, acting as that person."""

from __future__ import annotations

import io

import pytest
from django.contrib.admin.sites import site
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from payables.conftest import ApiClient
from payables.errors import FieldError
from payables.events.models import Event
from payables.invoices.models import AuditEntry
from payables.masterdata.schemas import UserIn
from payables.masterdata.services.users import create_user, update_user
from payables.tenancy.admin import ApiKeyForm
from payables.tenancy.models import ApiKey, CompanyUser, IdempotencyKey
from payables.tenancy.services import create_personal_api_key


@pytest.fixture
def anna(actor) -> CompanyUser:
    return create_user(
        UserIn(
            code="E-17",
            name="Anna Tamm",
            email="anna@example.com",
            roles=["accountant", "approver"],
        ).model_dump(),
        actor=actor,
    )


@pytest.fixture
def anna_api(anna) -> ApiClient:
    _, raw = create_personal_api_key(anna, scopes=["invoices:read", "invoices:write"])
    return ApiClient(raw)


def test_personal_key_acts_as_its_user(anna_api, invoice_payload):
    response = anna_api.post("/invoices", invoice_payload())
    assert response.status_code == 201, response.json()
    event = Event.objects.get(type="invoice.created")
    assert event.actor.startswith("user:E-17 Anna Tamm")
    assert "integrator" not in event.actor
    entry = AuditEntry.objects.get(invoice_id=response.json()["id"])
    assert entry.actor == event.actor


def test_personal_key_sees_only_its_company(anna_api, other_api, invoice_payload):
    assert anna_api.post("/invoices", invoice_payload()).status_code == 201
    assert other_api.get("/invoices").json()["count"] == 0
    assert anna_api.get("/invoices").json()["count"] == 1


def test_personal_key_keeps_its_scopes(anna_api):
    response = anna_api.get("/suppliers")
    assert response.status_code == 403
    assert "masterdata:read" in response.json()["detail"]


def test_personal_key_of_deactivated_user_is_refused(anna, anna_api, actor):
    assert anna_api.get("/invoices").status_code == 200
    update_user(anna, {"is_active": False}, actor=actor)
    response = anna_api.get("/invoices")
    assert response.status_code == 401
    assert response.json()["code"] == "api_key_invalid"


def test_inactive_user_gets_no_key(anna, actor):
    update_user(anna, {"is_active": False}, actor=actor)
    with pytest.raises(FieldError) as caught:
        create_personal_api_key(anna, scopes=["invoices:read"])
    assert caught.value.loc == ("user",)
    assert not ApiKey.objects.exists()


def test_unknown_scope_on_personal_key_is_refused(anna):
    with pytest.raises(FieldError) as caught:
        create_personal_api_key(anna, scopes=["invoices:fly"])
    assert caught.value.loc == ("scopes",)


def test_a_key_has_exactly_one_owner(anna):
    key, _ = create_personal_api_key(anna, scopes=["invoices:read"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiKey.objects.filter(pk=key.pk).update(user=None)


# --- idempotency is per owner ----------------------------------------------------------------


def test_stored_answer_is_never_replayed_to_another_user(anna, actor, invoice_payload):
    bert = create_user(
        UserIn(code="E-18", name="Bert Kask", roles=["accountant"]).model_dump(), actor=actor
    )
    _, raw_anna = create_personal_api_key(anna, scopes=["invoices:write"])
    _, raw_bert = create_personal_api_key(bert, scopes=["invoices:write"])
    headers = {"Idempotency-Key": "same-key"}
    first = ApiClient(raw_anna).post("/invoices", invoice_payload(), headers=headers)
    assert first.status_code == 201
    other = ApiClient(raw_bert).post(
        "/invoices", invoice_payload(invoice_number="B-2"), headers=headers
    )
    assert other.status_code == 201
    assert other.get("Idempotent-Replayed") is None
    assert other.json()["id"] != first.json()["id"]
    assert IdempotencyKey.objects.filter(key="same-key").count() == 2


def test_stored_answer_is_not_replayed_between_user_and_integrator(anna_api, api, invoice_payload):
    headers = {"Idempotency-Key": "k-1"}
    first = anna_api.post("/invoices", invoice_payload(), headers=headers)
    second = api.post("/invoices", invoice_payload(invoice_number="C-3"), headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.get("Idempotent-Replayed") is None


def test_keys_of_one_user_share_their_idempotency_keys(anna, invoice_payload):
    _, raw_1 = create_personal_api_key(anna, scopes=["invoices:write"], name="laptop")
    _, raw_2 = create_personal_api_key(anna, scopes=["invoices:write"], name="phone")
    headers = {"Idempotency-Key": "k-2"}
    first = ApiClient(raw_1).post("/invoices", invoice_payload(), headers=headers)
    again = ApiClient(raw_2).post("/invoices", invoice_payload(), headers=headers)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


# --- CLI and admin ---------------------------------------------------------------------------


def test_createkey_issues_a_personal_key(anna, company):
    out = io.StringIO()
    call_command(
        "createkey", company=company.name, user="E-17", scope=["invoices:read"], stdout=out
    )
    raw = next(line for line in out.getvalue().splitlines() if line.startswith("API key: "))
    assert "User: E-17 Anna Tamm" in out.getvalue()
    api = ApiClient(raw.removeprefix("API key: "))
    assert api.get("/invoices").status_code == 200
    assert ApiKey.objects.get().user == anna


def test_createkey_for_an_unknown_user_fails_clearly(company):
    with pytest.raises(CommandError, match="No user with code 'nobody'"):
        call_command("createkey", company=company.name, user="nobody", all_scopes=True)
    assert not ApiKey.objects.exists()


def test_createkey_for_a_user_needs_an_existing_company(db):
    with pytest.raises(CommandError, match="No company named 'Nowhere'"):
        call_command("createkey", company="Nowhere", user="E-17", all_scopes=True)


def test_createkey_refuses_both_integrator_and_user(anna, company):
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command(
            "createkey", "--integrator", "ERP", "--user", "E-17", "--company", company.name
        )


def test_admin_form_wants_exactly_one_owner(anna, company):
    personal = ApiKeyForm(
        data={"user": anna.pk, "integrator": "", "name": "", "scopes": ["invoices:read"]}
    )
    assert personal.is_valid(), personal.errors
    neither = ApiKeyForm(data={"name": "", "scopes": ["invoices:read"]})
    assert not neither.is_valid()
    assert "exactly one" in str(neither.errors)


def test_admin_issues_a_personal_key(admin_client, anna):
    response = admin_client.post(
        "/admin/tenancy/apikey/add/",
        {"user": anna.pk, "name": "anna's", "scopes": ["invoices:read"]},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    raw = next(m for m in messages if m.startswith("API key: ")).split()[2]
    assert ApiClient(raw).get("/invoices").status_code == 200
    assert ApiKey.objects.get().user == anna
    assert ApiKey in site._registry


# --- a person's key never does more than their roles allow -----------------------------------


def test_an_approver_cannot_give_their_key_master_data_or_admin_powers(actor):
    amy = create_user(UserIn(code="AMY", name="Amy", roles=["approver"]).model_dump(), actor=actor)
    with pytest.raises(FieldError) as caught:
        create_personal_api_key(amy, scopes=["approvals:read", "masterdata:write"])
    assert caught.value.loc == ("scopes",)
    assert caught.value.code == "scope_beyond_role"
    assert "masterdata:write" in caught.value.message
    assert not ApiKey.objects.exists()
    create_personal_api_key(amy, scopes=["approvals:read", "approvals:write", "invoices:read"])


def test_a_role_taken_away_narrows_the_keys_already_issued(actor):
    boss = create_user(
        UserIn(code="BOSS", name="Boss", roles=["admin", "approver"]).model_dump(), actor=actor
    )
    _, raw = create_personal_api_key(boss, scopes=["masterdata:write", "masterdata:read"])
    api = ApiClient(raw)
    assert api.get("/users").status_code == 200
    update_user(boss, {"roles": ["approver"]}, actor=actor)
    response = api.get("/users")
    assert response.status_code == 403
    denied = api.patch("/users/BOSS", {"roles": ["admin", "approver"]})
    assert denied.status_code == 403
    assert CompanyUser.objects.get(code="BOSS").roles == ["approver"]


def test_createkey_refuses_scopes_beyond_the_users_roles(company, actor):
    create_user(UserIn(code="AMY", name="Amy", roles=["approver"]).model_dump(), actor=actor)
    with pytest.raises(CommandError, match="cannot hold"):
        call_command("createkey", company=company.name, user="AMY", all_scopes=True)
    assert not ApiKey.objects.exists()


def test_admin_form_refuses_scopes_beyond_the_users_roles(actor):
    amy = create_user(UserIn(code="AMY", name="Amy", roles=["approver"]).model_dump(), actor=actor)
    form = ApiKeyForm(data={"user": amy.pk, "name": "", "scopes": ["webhooks:write"]})
    assert not form.is_valid()
    assert "cannot hold: webhooks:write" in str(form.errors)
