"""Fixtures of the Fitek API tests: an integrator with a key, and a client that sends
Fitek's requests (the credentials and a RequestId in the body)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from payables.tenancy.models import Company, Integrator
from payables.tenancy.scopes import SCOPES
from payables.tenancy.services import create_api_key, create_integrator

BASE = "/compat/fitek/v3"
SAMPLES = Path(__file__).parent / "samples"
INVOICE_SAMPLE = SAMPLES / "ee-1.2-invoice-paper-and-delivery.xml"
ORDER_SAMPLE = SAMPLES / "fitek-purchase-order-import-request.xml"
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_request_ids = itertools.count(1)


class FitekClient:
    """Sends Fitek's requests with an integrator's credentials, each with a new RequestId."""

    def __init__(self, integrator: Integrator, token: str) -> None:
        self.client = Client()
        self.integrator_id = str(integrator.id)
        self.token = token

    def envelope(self, payload: Any, request_id: str | None = None, **changes: Any) -> dict:
        body = {
            "RequestId": request_id or f"req-{next(_request_ids)}",
            "IntegratorId": self.integrator_id,
            "AuthorizationToken": self.token,
            "Payload": payload,
        }
        body.update(changes)
        return {key: value for key, value in body.items() if value is not None}

    def post(self, path: str, payload: Any = None, **changes: Any) -> Any:
        """POST the envelope of ``payload``; ``changes`` replace its fields (None: left out)."""
        return self.raw(path, json.dumps(self.envelope(payload, **changes), default=str))

    def raw(
        self, path: str, body: bytes | str, content_type: str = "application/json", **headers: str
    ) -> Any:
        return self.client.generic(
            "POST", BASE + path, body, content_type=content_type, headers=headers
        )

    def order_xml(
        self, sample: Path = ORDER_SAMPLE, edits: dict | None = None, **fields: str
    ) -> bytes:
        """The sample request with these credentials, each XPath of ``edits`` given its text
        (None: removed); ``fields`` replace RequestId, IntegratorId, AuthorizationToken."""
        root = etree.fromstring(sample.read_bytes(), parser=_SAFE)
        values = {
            "RequestId": f"req-{next(_request_ids)}",
            "IntegratorId": self.integrator_id,
            "AuthorizationToken": self.token,
        } | fields
        for name, value in values.items():
            root.find(name).text = value
        for path, value in (edits or {}).items():
            found = root.xpath(path)
            assert found, path
            for element in found:
                if value is None:
                    element.getparent().remove(element)
                else:
                    element.text = value
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def errors_of(answer: Any) -> list[tuple[str | None, str]]:
    """(Location, Code) of each error of a JSON answer, which must be Fitek's envelope."""
    body = answer.json()
    assert body["Success"] is False, body
    return [(e["Location"], e["Code"]) for e in body["Errors"]]


@pytest.fixture
def integrator(company: Company) -> Integrator:
    return create_integrator(company, name="Fitek client")


@pytest.fixture
def make_token() -> Callable[..., str]:
    def make(integrator: Integrator, scopes: list[str] | None = None) -> str:
        return create_api_key(integrator, scopes=list(scopes or SCOPES))[1]

    return make


@pytest.fixture
def fitek(integrator: Integrator, make_token: Callable[..., str]) -> FitekClient:
    return FitekClient(integrator, make_token(integrator))


@pytest.fixture
def other_fitek(other_company: Company, make_token: Callable[..., str]) -> FitekClient:
    other = create_integrator(other_company, name="Fitek client")
    return FitekClient(other, make_token(other))
