"""/users: roles, approval limits, unique emails, and the Django sign-in each user has."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User

from payables.errors import ValidationFailed
from payables.events.models import Event
from payables.masterdata.services import set_user_password
from payables.tenancy.models import CompanyUser

MARI = {"code": "E-42", "name": "Mari Maasikas", "email": "mari@example.com"}
PASSWORD = "kevad-tuleb-2026"


@pytest.fixture
def mari(api) -> dict:
    response = api.post("/users", MARI | {"roles": ["approver"]})
    assert response.status_code == 201, response.content
    return response.json()


def _member(answer: dict) -> CompanyUser:
    return CompanyUser.objects.select_related("login").get(pk=answer["id"])


def _snapshot() -> tuple[list, list, int]:
    return (
        list(CompanyUser.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values()),
        Event.objects.count(),
    )


# --- fields --------------------------------------------------------------------------------


def test_roles_are_stored_once_each_in_a_fixed_order(api):
    body = api.post("/users", MARI | {"roles": ["admin", "approver", "admin"]}).json()
    assert body["roles"] == ["approver", "admin"]


def test_unknown_role_is_422_at_the_role(api):
    response = api.post("/users", MARI | {"roles": ["approver", "boss"]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "roles", 1]
    assert _snapshot() == ([], [], 0)


def test_email_is_stored_lower_case(api):
    assert api.post("/users", MARI | {"email": "Mari@Example.COM"}).json()["email"] == MARI["email"]


def test_invalid_email_is_422_at_email_and_stores_nothing(api):
    response = api.post("/users", MARI | {"email": "mari@"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "email"]
    assert _snapshot() == ([], [], 0)


def test_email_of_another_user_is_409_and_stores_nothing(api, mari):
    before = _snapshot()
    response = api.post("/users", MARI | {"code": "E-43"})
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["existing_id"], body["field"]) == (
        "duplicate_email",
        mari["id"],
        "email",
    )
    assert _snapshot() == before


def test_patch_to_the_email_of_another_user_is_409_and_changes_nothing(api, mari):
    api.post("/users", {"code": "E-43", "name": "Jaan", "email": "jaan@example.com"})
    before = _snapshot()
    response = api.patch("/users/E-43", {"email": "MARI@example.com"})
    assert response.status_code == 409
    assert _snapshot() == before


def test_upsert_to_the_email_of_another_user_is_409(api, mari):
    response = api.put("/users/by-code/E-43", {"name": "Jaan", "email": MARI["email"]})
    assert response.status_code == 409
    assert not CompanyUser.objects.filter(code="E-43").exists()


def test_users_without_email_do_not_clash(api):
    assert api.post("/users", {"code": "A", "name": "A"}).status_code == 201
    assert api.post("/users", {"code": "B", "name": "B"}).status_code == 201


def test_approval_limit_is_answered_with_the_home_currency_scale(api):
    body = api.post("/users", MARI | {"approval_limit_amount": 1234.5}).json()
    assert body["approval_limit_amount"] == "1234.50"


def test_no_approval_limit_is_null(api, mari):
    assert mari["approval_limit_amount"] is None
    assert _member(mari).approval_limit_amount is None


@pytest.mark.parametrize("amount", ["-1", "10.001"])
def test_negative_or_too_precise_approval_limit_is_422_at_the_field(api, amount):
    response = api.post("/users", MARI | {"approval_limit_amount": amount})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "approval_limit_amount"]
    assert _snapshot() == ([], [], 0)


def test_search_finds_a_user_by_email(api, mari):
    api.post("/users", {"code": "E-43", "name": "Jaan", "email": "jaan@example.com"})
    assert [u["code"] for u in api.get("/users", {"q": "MARI@"}).json()["items"]] == ["E-42"]


# --- sign-in -------------------------------------------------------------------------------


def test_a_new_user_gets_a_sign_in_without_a_password_yet(mari):
    login = _member(mari).login
    assert (login.email, login.is_active) == (MARI["email"], True)
    assert not login.has_usable_password()


def test_answers_and_events_carry_no_password_data(api, mari, actor):
    set_user_password(_member(mari), PASSWORD, actor=actor)
    assert set(api.get("/users/E-42").json()) == {
        "id", "code", "name", "email", "roles", "can_be_last_approver",
        "approval_limit_amount", "is_active", "coding_accounts", "coding_dimensions",
        "created_at", "modified_at",
    }  # fmt: skip
    login = _member(mari).login
    for event in Event.objects.all():
        assert PASSWORD not in str(event.payload)
        assert login.password not in str(event.payload)


def test_a_password_set_by_the_service_lets_the_user_sign_in(mari, actor):
    set_user_password(_member(mari), PASSWORD, actor=actor)
    login = _member(mari).login
    assert authenticate(username=login.username, password=PASSWORD) == login


def test_setting_a_password_records_an_event_naming_the_user(mari, actor):
    set_user_password(_member(mari), PASSWORD, actor=actor)
    event = Event.objects.get(type="user.password_set")
    assert event.payload == {"id": mari["id"], "code": "E-42"}


@pytest.mark.parametrize("password", ["short", "password123", "x" * 1001])
def test_a_weak_password_is_refused_at_password_and_changes_nothing(mari, actor, password):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        set_user_password(_member(mari), password, actor=actor)
    assert {tuple(e.loc) for e in refused.value.errors} == {("password",)}
    assert _snapshot() == before


def test_deactivating_a_user_stops_their_sign_in(api, mari, actor):
    set_user_password(_member(mari), PASSWORD, actor=actor)
    api.post("/users/E-42/deactivate")
    assert _member(mari).login.is_active is False
    assert authenticate(username=_member(mari).login.username, password=PASSWORD) is None


def test_reactivating_a_user_restores_their_sign_in(api, mari, actor):
    set_user_password(_member(mari), PASSWORD, actor=actor)
    api.post("/users/E-42/deactivate")
    api.patch("/users/E-42", {"is_active": True})
    login = _member(mari).login
    assert authenticate(username=login.username, password=PASSWORD) == login


def test_a_changed_email_reaches_the_sign_in(api, mari):
    api.put("/users/by-code/E-42", {"name": "Mari", "email": "mari.m@example.com"})
    assert _member(mari).login.email == "mari.m@example.com"


def test_the_same_person_in_two_companies_has_two_separate_sign_ins(api, other_api, mari):
    other = other_api.post("/users", MARI).json()
    assert _member(other).login_id != _member(mari).login_id
    assert User.objects.count() == 2


def test_an_unchanged_upsert_leaves_the_sign_in_alone(api, mari):
    before = _snapshot()
    fields = {"name": MARI["name"], "email": MARI["email"], "roles": ["approver"]}
    assert api.put("/users/by-code/E-42", fields).status_code == 200
    assert _snapshot() == before
