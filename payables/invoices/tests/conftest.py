"""Fixtures of the invoice tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from payables.conftest import ApiClient, invoice_data
from payables.handoff.tests.handoff_support import (  # noqa: F401 (fixtures)
    approved_invoice,
    approver,
    exported_invoice,
    make_approved,
    make_exported,
)
from payables.invoices.tests.master_data import MasterData
from payables.masterdata.models import Supplier


@pytest.fixture
def master_data(api: ApiClient) -> MasterData:
    """The company's master data, loaded through its API."""
    return MasterData(api)


@pytest.fixture
def other_master_data(other_api: ApiClient) -> MasterData:
    return MasterData(other_api)


@pytest.fixture
def items(supplier: Supplier) -> Callable[..., list[dict]]:
    """``count`` upsert items (identities and numbers ``first`` onwards) of the supplier."""

    def build(count: int, first: int = 1, **overrides: Any) -> list[dict]:
        return [
            invoice_data(
                supplier.id,
                invoice_number=f"EXT-{n}",
                source_system="erp",
                source_invoice_id=f"doc-{n}",
                **overrides,
            )
            for n in range(first, first + count)
        ]

    return build
