"""Fixtures of the digitization service's API: a client speaking to /compat/digitization/
with ``x-api-key`` (as the description's examples send it), files, exports, receivers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from payables.documents.tests.conftest import UBL
from payables.events.tests.receivers import Receiver, running_receiver
from payables.handoff.tests.handoff_support import (  # noqa: F401 (fixtures)
    approved_invoice,
    approver,
    exported_invoice,
    make_approved,
    make_exported,
)

BASE = "/compat/digitization"


class VendorClient:
    """The Django test client at /compat/digitization with the key in ``x-api-key``."""

    def __init__(self, key: str | None) -> None:
        self.client = Client()
        self.key = key

    def _headers(self, headers: dict | None) -> dict:
        return ({"x-api-key": self.key} if self.key else {}) | (headers or {})

    def get(self, path: str, params: dict | None = None, *, headers: dict | None = None) -> Any:
        return self.client.get(BASE + path, params or {}, headers=self._headers(headers))

    def post(
        self,
        path: str,
        payload: Any,
        *,
        content_type: str = "application/x-www-form-urlencoded",  # what curl --data sends
        headers: dict | None = None,
    ) -> Any:
        body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
        return self.client.generic(
            "POST", BASE + path, body, content_type=content_type, headers=self._headers(headers)
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(BASE + path, headers=self._headers(None))


@pytest.fixture
def vendor(api_key: str) -> VendorClient:
    return VendorClient(api_key)


@pytest.fixture
def other_vendor(other_company, make_key) -> VendorClient:
    return VendorClient(make_key(other_company))


@pytest.fixture
def ubl() -> bytes:
    return UBL.read_bytes()


@pytest.fixture
def tasks_on_commit(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager],
) -> Callable[[], AbstractContextManager]:
    """Run what a block queues after commit (the reading of an upload) at the block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def put(location: dict, data: bytes) -> Any:
    """PUT the file as the description's curl does: the two headers the location gave."""
    return Client().generic(
        "PUT",
        urlsplit(location["url"]).path,
        data,
        content_type=location["Content-Type"],
        headers={"Content-Disposition": location["Content-Disposition"]},
    )


@pytest.fixture
def upload(vendor: VendorClient, tasks_on_commit: Callable) -> Callable[..., dict]:
    """Upload a file through an upload location and read it; answer the location."""

    def send(data: bytes, filename: str = "invoice.xml", **params: Any) -> dict:
        location = vendor.get(f"/upload/{filename}", params)
        assert location.status_code == 200, location.content
        with tasks_on_commit():
            answer = put(location.json(), data)
        assert answer.status_code == 200, answer.content
        return location.json()

    return send


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver
