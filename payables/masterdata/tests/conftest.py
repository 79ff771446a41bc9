"""Fixtures of the master data tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from payables.conftest import ApiClient
from payables.tenancy.models import Company


@pytest.fixture
def client_with(company: Company, make_key: Callable[..., str]) -> Callable[..., ApiClient]:
    """Build a client for the company whose key holds only the given scopes."""

    def build(*scopes: str) -> ApiClient:
        return ApiClient(make_key(company, list(scopes), integrator="Limited"))

    return build
