"""Roles and what they allow: may(actor, action), require, and the scopes of personal keys."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from payables.errors import error_body
from payables.masterdata.schemas import UserIn
from payables.masterdata.services.users import create_user, update_user
from payables.tenancy.actors import Actor
from payables.tenancy.errors import RoleRequired
from payables.tenancy.models import ROLES, CompanyUser
from payables.tenancy.permissions import (
    SCOPES_BY_ACTION,
    Action,
    may,
    personal_scopes,
    require,
)
from payables.tenancy.scopes import SCOPES
from payables.tenancy.services import create_api_key, create_integrator

# Written out, not derived: a change to the table in permissions.py must change this too.
ALLOWED: dict[str, set[str]] = {
    "approver": {"approve"},
    "accountant": {
        "manage_approvals",
        "view_all_invoices",
        "edit_invoices",
        "export",
        "manage_orders",
        "read_events",
        "read_masterdata",
    },
    "admin": {
        "manage_approvals",
        "view_all_invoices",
        "edit_invoices",
        "export",
        "manage_orders",
        "read_events",
        "read_masterdata",
        "edit_masterdata",
        "manage_webhooks",
    },
}


@pytest.fixture
def person(actor: Actor) -> Callable[..., CompanyUser]:
    def make(code: str, roles: list[str]) -> CompanyUser:
        return create_user(
            UserIn(code=code, name=code.title(), roles=roles).model_dump(), actor=actor
        )

    return make


def test_the_table_names_every_role():
    assert set(ALLOWED) == set(ROLES)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", ROLES)
def test_a_person_may_what_their_role_allows(person, role, action):
    actor = Actor.for_user(person("P-1", [role]))
    assert may(actor, action) is (action.value in ALLOWED[role])


def test_roles_add_up(person):
    actor = Actor.for_user(person("P-1", ["accountant", "approver"]))
    assert may(actor, Action.APPROVE)
    assert may(actor, Action.EXPORT)
    assert not may(actor, Action.EDIT_MASTERDATA)


@pytest.mark.parametrize("action", list(Action))
def test_a_person_without_a_role_may_nothing(person, action):
    assert not may(Actor.for_user(person("P-1", [])), action)


@pytest.mark.parametrize("action", list(Action))
def test_an_inactive_person_may_nothing(person, actor, action):
    user = update_user(person("P-1", ["admin", "approver"]), {"is_active": False}, actor=actor)
    assert not may(Actor.for_user(user), action)


@pytest.mark.parametrize("action", list(Action))
def test_integrators_and_the_system_may_every_action(company, actor, action):
    """Their key's scopes limit them, and the API checked those before the service ran."""
    key, _ = create_api_key(create_integrator(company, name="ERP"), scopes=["invoices:read"])
    assert may(Actor.for_api_key(key), action)
    assert may(actor, action)


def test_require_refuses_with_a_403_naming_the_roles_that_may(person):
    actor = Actor.for_user(person("P-1", ["approver"]))
    with pytest.raises(RoleRequired) as caught:
        require(actor, Action.EXPORT)
    assert caught.value.status == 403
    assert error_body(caught.value) == {
        "detail": "Only an accountant or an admin may export invoices, confirm bookings "
        "and report sync errors.",
        "code": "role_required",
    }


def test_require_tells_an_inactive_person_why(person, actor):
    user = update_user(person("P-1", ["admin"]), {"is_active": False}, actor=actor)
    with pytest.raises(RoleRequired) as caught:
        require(Actor.for_user(user), Action.EXPORT)
    assert caught.value.code == "user_inactive"


def test_require_lets_an_allowed_person_through(person):
    require(Actor.for_user(person("P-1", ["accountant"])), Action.EXPORT)


@pytest.mark.parametrize(
    ("roles", "scopes"),
    [
        (
            ["approver"],
            {"approvals:read", "approvals:write", "invoices:read", "coding:read", "coding:write"},
        ),
        (
            ["accountant"],
            {
                "approvals:read",
                "approvals:write",
                "invoices:read",
                "invoices:write",
                "documents:read",
                "documents:write",
                "coding:read",
                "coding:write",
                "masterdata:read",
                "events:read",
                "export:read",
                "export:write",
                "orders:read",
                "orders:write",
            },
        ),
        (["admin"], set(SCOPES)),
        ([], set()),
        (["janitor"], set()),
    ],
)
def test_a_personal_key_may_hold_the_scopes_of_what_the_roles_allow(roles, scopes):
    assert personal_scopes(roles) == scopes


def test_every_scope_belongs_to_an_action():
    assert set(SCOPES_BY_ACTION) == set(Action)
    held = set().union(*SCOPES_BY_ACTION.values())
    assert held == set(SCOPES)
