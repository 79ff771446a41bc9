"""Malformed requests beyond the body tables: bad path references, bare JSON constants,
form bodies, long decimals and NUL characters get a located 4xx and change nothing.
"""

from __future__ import annotations

import json

import pytest

from payables.invoices.models import Invoice
from payables.tests.malformed import _state


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/invoices/not-a-uuid", {"payment_reference": "9"}),
        ("PATCH", "/invoices/" + "9" * 40, {"payment_reference": "9"}),
        ("PATCH", "/invoices/-1", {"payment_reference": "9"}),
        ("POST", "/invoices/not-a-uuid/payments", {"amount": "1.00", "payment_date": "2026-11-20"}),
        (
            "POST",
            "/invoices/00000000-0000-4000-8000-000000000000/payments",
            {"amount": "1.00", "payment_date": "2026-11-20"},
        ),
        ("POST", "/invoices/not-a-uuid/attachments", {"url": "https://example.com/a.pdf"}),
    ],
)
def test_invalid_invoice_reference_in_path_is_404(api, make_invoice, method, path, body):
    make_invoice()
    before = _state()
    response = api.client.generic(
        method,
        "/api/v1" + path,
        json.dumps(body),
        content_type="application/json",
        headers={"X-API-Key": api.key},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "invoice_not_found"
    assert _state() == before


@pytest.mark.parametrize(
    "literal", ["NaN", "Infinity", "-Infinity"], ids=["nan", "infinity", "minus_infinity"]
)
def test_bare_json_constants_for_money_are_refused(api, invoice_payload, literal):
    """Python's JSON reader accepts these non-standard literals; money must not."""
    raw = json.dumps(invoice_payload()).replace('"176.50"', literal, 1)
    assert literal in raw
    before = _state()
    response = api.post("/invoices", raw=raw)
    assert response.status_code == 422
    assert ["body", "gross_amount"] in [item["loc"] for item in response.json()["detail"]]
    assert _state() == before


def test_form_encoded_body_is_refused(api, invoice_payload):
    before = _state()
    response = api.post(
        "/invoices",
        raw="invoice_number=INV-1",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 422
    assert _state() == before


def test_numbers_keep_every_decimal_digit(api, invoice_payload):
    """JSON numbers are read as Decimal: 0.1 + 0.2 style float drift cannot creep in."""
    payload = invoice_payload()
    raw = json.dumps(payload)
    for amount in ("150.00", "26.50", "176.50", "100.00", "22.00", "50.00", "4.50"):
        raw = raw.replace(f'"{amount}"', amount)
    response = api.post("/invoices", raw=raw)
    assert response.status_code == 201, response.json()
    invoice = Invoice.objects.get()
    assert str(invoice.gross_amount.normalize()) == "176.5"


@pytest.mark.parametrize(
    ("path", "params", "loc"),
    [
        ("/invoices", {"invoice_number": "INV\x00"}, ["query", "invoice_number"]),
        ("/suppliers", {"q": "Puit\x00"}, ["query", "q"]),
        ("/events", {"from": "1\x00"}, ["query", "from"]),
    ],
    ids=["invoice_filter", "supplier_search", "event_cursor"],
)
def test_nul_in_query_parameter_is_422(api, make_invoice, path, params, loc):
    """PostgreSQL cannot compare text with NUL in it; the answer is a 422, not a 500."""
    make_invoice()
    response = api.get(path, params)
    assert response.status_code == 422
    assert loc in [item["loc"] for item in response.json()["detail"]]


def test_nul_in_form_field_is_422(api, make_invoice):
    invoice = make_invoice()
    before = _state()
    response = api.upload(
        f"/invoices/{invoice.id}/attachments/upload", {"url": "https://example.com/\x00.pdf"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["form", "url"]
    assert _state() == before
