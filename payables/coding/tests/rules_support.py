"""Fixtures of the coding-rule tests: master data by API, rules and invoices by services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from payables.coding.models import CodingRule
from payables.coding.services.rules import create_rule
from payables.conftest import ApiClient
from payables.invoices.tests.master_data import MasterData
from payables.tenancy.actors import Actor


@pytest.fixture
def master_data(api: ApiClient) -> MasterData:
    """Accounts 4000, 4010, 6000; purchase VAT codes VAT22 and VAT9; a sales code S22;
    departments IT and HR."""
    md = MasterData(api)
    for code in ("4000", "4010", "6000"):
        md.account(code)
    md.vat_code("VAT22", rate="22")
    md.vat_code("VAT9", rate="9")
    md.vat_code("S22", rate="22", kind="sales")
    md.dimension("department", "IT")
    md.dimension("department", "HR")
    return md


@pytest.fixture
def make_rule(actor: Actor, master_data: MasterData) -> Callable[..., CodingRule]:
    """A coding rule through the service the API and the admin call."""

    def make(name: str, actions: dict | None = None, **conditions: Any) -> CodingRule:
        data = {
            "name": name,
            "conditions": conditions,
            "actions": actions or {"account_code": "4000"},
        }
        return create_rule(data, actor=actor)

    return make
