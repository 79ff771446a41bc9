"""Fixtures for the approval tests: company users, their personal keys, routing rules."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from payables.approvals.models import RoutingRule
from payables.approvals.services import create_rule
from payables.conftest import ApiClient
from payables.masterdata.schemas import UserIn
from payables.masterdata.services.users import create_user
from payables.tenancy.actors import Actor
from payables.tenancy.models import CompanyUser
from payables.tenancy.services import create_personal_api_key

PERSONAL_SCOPES = ["approvals:read", "approvals:write", "invoices:read"]


@pytest.fixture
def make_user(actor: Actor) -> Callable[..., CompanyUser]:
    """A company user; by default an active approver who may approve last, without limit."""

    def make(
        code: str,
        *,
        roles: tuple[str, ...] = ("approver",),
        last: bool = True,
        limit: str | None = None,
        active: bool = True,
    ) -> CompanyUser:
        return create_user(
            UserIn(
                code=code,
                name=f"User {code}",
                email=f"{code.lower()}@example.com",
                roles=list(roles),
                can_be_last_approver=last,
                approval_limit_amount=Decimal(limit) if limit else None,
                is_active=active,
            ).model_dump(),
            actor=actor,
        )

    return make


@pytest.fixture
def as_user() -> Callable[..., ApiClient]:
    """An API client with a personal key of ``user``."""

    def make(user: CompanyUser, scopes: list[str] | None = None) -> ApiClient:
        return ApiClient(create_personal_api_key(user, scopes=scopes or PERSONAL_SCOPES)[1])

    return make


@pytest.fixture
def make_rule(actor: Actor) -> Callable[..., RoutingRule]:
    """A routing rule through the service the API and the admin call."""

    def make(name: str, approvers: list[tuple[CompanyUser, int]], **conditions: Any) -> RoutingRule:
        entries = [{"user": str(u.pk), "level": level} for u, level in approvers]
        return create_rule({"name": name, "approvers": entries} | conditions, actor=actor)

    return make
