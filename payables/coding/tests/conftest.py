"""Fixtures of the coding tests: master data, approvers with personal keys, routing rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from payables.approvals.tests.conftest import as_user, make_rule, make_user  # noqa: F401
from payables.conftest import ApiClient
from payables.handoff.tests.handoff_support import (  # noqa: F401 (fixtures)
    approved_invoice,
    approver,
    exported_invoice,
    make_approved,
    make_exported,
)
from payables.invoices.tests.master_data import MasterData
from payables.tenancy.models import CompanyUser

CODING_SCOPES = ["coding:read", "coding:write", "invoices:read", "approvals:read"]


@pytest.fixture
def master_data(api: ApiClient) -> MasterData:
    """Accounts 4000/4010/6000, VAT codes (24 %, 24 % half deductible, reverse charge,
    sales) and department values, loaded through the API."""
    data = MasterData(api)
    for code in ("4000", "4010", "6000"):
        data.account(code)
    data.vat_code("VAT24", "24")
    data.vat_code("VAT24HALF", "24", non_deductible_share="50")
    data.vat_code("RC24", "24", is_reverse_charge=True)
    data.vat_code("SALES24", "24", kind="sales")
    for code in ("SALES", "IT", "HR"):
        data.dimension("department", code)
    return data


@pytest.fixture
def routed(make_user: Callable[..., CompanyUser], make_rule: Callable[..., Any]) -> CompanyUser:  # noqa: F811
    """A default routing rule: every new invoice waits for this approver."""
    user = make_user("ROUTED")
    make_rule("Everything", [(user, 1)], is_default=True)
    return user


@pytest.fixture
def approver_api(routed: CompanyUser, as_user: Callable[..., ApiClient]) -> ApiClient:  # noqa: F811
    return as_user(routed, scopes=CODING_SCOPES)


def line(account: str, net: str, vat: str | None = None, **extra: Any) -> dict:
    """A posting line of a PUT body."""
    body = {"account_code": account, "net_amount": net, **extra}
    if vat is not None:
        body["vat_amount"] = vat
    return body
