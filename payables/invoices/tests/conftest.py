"""Fixtures of the invoice tests."""

from __future__ import annotations

import pytest

from payables.conftest import ApiClient
from payables.handoff.tests.handoff_support import (  # noqa: F401 (fixtures)
    approved_invoice,
    approver,
    exported_invoice,
    make_approved,
    make_exported,
)
from payables.invoices.tests.master_data import MasterData


@pytest.fixture
def master_data(api: ApiClient) -> MasterData:
    """The company's master data, loaded through its API."""
    return MasterData(api)


@pytest.fixture
def other_master_data(other_api: ApiClient) -> MasterData:
    return MasterData(other_api)
