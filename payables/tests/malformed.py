"""Shared table machinery of the malformed-payload tests: a bad-request ``Case``, changes to
a valid body, and the check that the answer is a located 4xx that changed nothing.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from payables.events.models import Event
from payables.invoices.models import Attachment, AuditEntry, Invoice, InvoiceRow, Payment
from payables.masterdata.models import Supplier
from payables.tenancy.models import IdempotencyKey

DEEP = 100_000


def _set(path: tuple, value: Any) -> Callable[[dict], dict]:
    """Return a change that puts ``value`` at ``path`` in a copy of the body."""

    def change(body: dict) -> dict:
        body = copy.deepcopy(body)
        target = body
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        return body

    return change


def _drop(path: tuple) -> Callable[[dict], dict]:
    def change(body: dict) -> dict:
        body = copy.deepcopy(body)
        target = body
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]
        return body

    return change


def _both(*changes: Callable[[dict], dict]) -> Callable[[dict], dict]:
    def change(body: dict) -> dict:
        for one in changes:
            body = one(body)
        return body

    return change


@dataclass(frozen=True)
class Case:
    """A bad request: ``body`` changes a valid body, or is the raw text sent as it is."""

    id: str
    body: Callable[[dict], Any] | str | bytes
    loc: list = field(default_factory=list)  # the path in the body; empty for the body itself
    status: int = 422


def _raw_cases(field_name: str) -> list[Case]:
    """Bodies that are not a JSON object at all; the same for every endpoint."""
    nested = "[" * DEEP + "]" * DEEP
    return [
        Case("not_json", "this is not json"),
        Case("empty_body", ""),
        Case("truncated_json", '{"a": '),
        Case("json_array", "[]"),
        Case("json_array_of_object", "[{}]"),
        Case("json_number", "42"),
        Case("json_string", '"hello"'),
        Case("json_null", "null"),
        Case("deeply_nested_array", nested),
        Case("deeply_nested_in_field", '{"' + field_name + '": ' + nested + "}"),
        Case(
            "deeply_nested_with_request_id",
            '{"request_id": "r-1", "' + field_name + '": ' + nested + "}",
        ),
        Case("integer_over_digit_limit", '{"' + field_name + '": ' + "9" * 5000 + "}"),
        Case("invalid_utf8", b'{"' + field_name.encode() + b'": "\xff\xfe"}'),
    ]


def _state() -> dict:
    """Everything a bad request could have written."""
    return {
        "invoices": Invoice.objects.count(),
        "rows": InvoiceRow.objects.count(),
        "suppliers": Supplier.objects.count(),
        "events": Event.objects.count(),
        "payments": Payment.objects.count(),
        "attachments": Attachment.objects.count(),
        "audit": AuditEntry.objects.count(),
        "idempotency_keys": IdempotencyKey.objects.count(),
        "invoice_fields": list(
            Invoice.objects.order_by("pk").values_list(
                "invoice_number", "net_amount", "vat_amount", "gross_amount", "paid_amount",
                "invoice_date", "due_date", "supplier_id", "modified_at",
            )
        ),
    }  # fmt: skip


def _send(api: Any, method: str, path: str, valid: dict, case: Case) -> Any:
    body = json.dumps(case.body(valid), default=str) if callable(case.body) else case.body
    return api.client.generic(
        method,
        "/api/v1" + path,
        body,
        content_type="application/json",
        headers={"X-API-Key": api.key},
    )


def _assert_located_refusal(response: Any, case: Case) -> None:
    assert response.status_code == case.status, response.content[:500]
    body = response.json()
    detail = body["detail"]
    assert isinstance(detail, list), body
    for item in detail:
        assert isinstance(item["loc"], list)
        assert isinstance(item["msg"], str)
        assert item["msg"]
        assert isinstance(item["type"], str)
    assert ["body", *case.loc] in [item["loc"] for item in detail], detail


def _check(api: Any, method: str, path: str, valid: dict, case: Case) -> None:
    before = _state()
    response = _send(api, method, path, valid, case)
    _assert_located_refusal(response, case)
    assert _state() == before
