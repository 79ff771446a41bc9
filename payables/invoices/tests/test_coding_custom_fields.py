"""Custom invoice header fields validated against the company's definitions."""

from __future__ import annotations

import json

import pytest

from payables.invoices.models import Invoice
from payables.invoices.tests.master_data import locs


def post(api, payload: dict):
    """Post with JSON numbers kept as written (``1.5`` stays a number, not a string)."""
    return api.post("/invoices", raw=json.dumps(payload))


def test_company_without_definitions_keeps_any_fields(api, invoice_payload):
    response = post(api, invoice_payload(custom_fields={"anything": "goes", "n": 1.5, "k": [1]}))
    assert response.status_code == 201, response.json()
    assert response.json()["custom_fields"] == {"anything": "goes", "n": "1.5", "k": [1]}


def test_unknown_field_is_refused_at_its_code(api, invoice_payload, master_data):
    master_data.custom_field("po", "text")
    response = post(api, invoice_payload(custom_fields={"po": "PO-7", "colour": "red"}))
    assert locs(response) == [["body", "custom_fields", "colour"]]
    assert response.json()["detail"][0]["type"] == "unknown_custom_field"
    assert not Invoice.objects.exists()


def test_inactive_field_is_refused(api, invoice_payload, master_data):
    master_data.custom_field("po", "text", is_active=False)
    response = post(api, invoice_payload(custom_fields={"po": "PO-7"}))
    assert locs(response) == [["body", "custom_fields", "po"]]
    assert response.json()["detail"][0]["type"] == "inactive_code"


@pytest.mark.parametrize(
    ("field_type", "sent", "stored"),
    [
        ("number", "12.50", "12.50"),
        ("number", 12.5, "12.5"),
        ("number", 3, "3"),
        ("number", "1e3", "1000"),
        ("date", "2026-11-30", "2026-11-30"),
        ("text", "Riga office", "Riga office"),
        ("text", "x" * 500, "x" * 500),
    ],
)
def test_value_of_the_right_type_is_kept(
    api, invoice_payload, master_data, field_type, sent, stored
):
    master_data.custom_field("f", field_type)
    response = post(api, invoice_payload(custom_fields={"f": sent}))
    assert response.status_code == 201, response.json()
    assert response.json()["custom_fields"] == {"f": stored}
    assert Invoice.objects.get().custom_fields == {"f": stored}


@pytest.mark.parametrize(
    ("field_type", "sent", "expected_type"),
    [
        ("number", "twelve", "invalid_number"),
        ("number", True, "invalid_number"),
        ("number", "NaN", "invalid_number"),
        ("number", [1], "invalid_number"),
        ("date", "30.11.2026", "invalid_date"),
        ("date", "2026-02-30", "invalid_date"),
        ("date", "20261130", "invalid_date"),
        ("date", 20261130, "invalid_type"),
        ("text", 12, "invalid_type"),
        ("text", "x" * 501, "text_too_long"),
        ("list", 7, "invalid_type"),
    ],
)
def test_value_of_the_wrong_type_is_refused_at_its_code(
    api, invoice_payload, master_data, field_type, sent, expected_type
):
    master_data.custom_field("f", field_type)
    response = post(api, invoice_payload(custom_fields={"f": sent}))
    assert locs(response) == [["body", "custom_fields", "f"]]
    assert response.json()["detail"][0]["type"] == expected_type
    assert not Invoice.objects.exists()


LIST_VALUES = [
    {"code": "EE", "description": "Estonia"},
    {"code": "OLD", "valid_to": "2026-11-01"},
    {"code": "NEW", "valid_from": "2026-11-03"},
    {"code": "NOV", "valid_from": "2026-11-02", "valid_to": "2026-11-02"},
]


@pytest.mark.parametrize(
    ("sent", "expected_type"),
    [
        ("EE", None),
        ("NOV", None),
        ("LV", "unknown_code"),
        ("OLD", "code_out_of_date"),
        ("NEW", "code_out_of_date"),
    ],
)
def test_list_value_must_be_valid_on_the_invoice_date(
    api, invoice_payload, master_data, sent, expected_type
):
    master_data.custom_field("region", "list", values=LIST_VALUES)
    response = post(api, invoice_payload(custom_fields={"region": sent}))
    if expected_type is None:
        assert response.status_code == 201, response.json()
        assert response.json()["custom_fields"] == {"region": sent}
    else:
        assert locs(response) == [["body", "custom_fields", "region"]]
        assert response.json()["detail"][0]["type"] == expected_type


def test_another_fields_list_value_is_unknown(api, invoice_payload, master_data):
    master_data.custom_field("region", "list", values=[{"code": "EE"}])
    master_data.custom_field("site", "list", values=[{"code": "RIGA"}])
    response = post(api, invoice_payload(custom_fields={"region": "RIGA"}))
    assert locs(response) == [["body", "custom_fields", "region"]]


@pytest.mark.parametrize(
    "custom_fields", [{}, {"po": ""}, {"po": None}], ids=["absent", "empty", "null"]
)
def test_required_field_must_have_a_value(api, invoice_payload, master_data, custom_fields):
    master_data.custom_field("po", "text", is_required=True)
    response = post(api, invoice_payload(custom_fields=custom_fields))
    assert locs(response) == [["body", "custom_fields", "po"]]
    assert response.json()["detail"][0]["type"] == "missing"
    assert not Invoice.objects.exists()


def test_inactive_required_field_is_not_enforced(api, invoice_payload, master_data):
    master_data.custom_field("po", "text", is_required=True, is_active=False)
    assert post(api, invoice_payload()).status_code == 201


def test_every_custom_field_problem_is_reported_together(api, invoice_payload, master_data):
    master_data.custom_field("po", "text", is_required=True)
    master_data.custom_field("amount", "number")
    master_data.custom_field("region", "list", values=[{"code": "EE"}])
    sent = {"amount": "lots", "region": "LV", "colour": "red"}
    response = post(api, invoice_payload(custom_fields=sent))
    assert locs(response) == [
        ["body", "custom_fields", "amount"],
        ["body", "custom_fields", "region"],
        ["body", "custom_fields", "colour"],
        ["body", "custom_fields", "po"],
    ]


def test_another_companys_fields_are_unknown(api, invoice_payload, master_data, other_master_data):
    master_data.custom_field("po", "text")
    other_master_data.custom_field("cost_owner", "text")
    response = post(api, invoice_payload(custom_fields={"cost_owner": "Mari"}))
    assert locs(response) == [["body", "custom_fields", "cost_owner"]]


def test_update_checks_sent_custom_fields_and_changes_nothing_when_wrong(
    api, invoice_payload, master_data
):
    master_data.custom_field("amount", "number")
    created = post(api, invoice_payload(custom_fields={"amount": "5"})).json()
    response = api.patch(f"/invoices/{created['id']}", {"custom_fields": {"amount": "five"}})
    assert locs(response) == [["body", "custom_fields", "amount"]]
    assert Invoice.objects.get().custom_fields == {"amount": "5"}


def test_update_moving_the_date_judges_list_values_again(api, invoice_payload, master_data):
    master_data.custom_field("region", "list", values=[{"code": "EE", "valid_to": "2026-11-30"}])
    created = post(api, invoice_payload(custom_fields={"region": "EE"})).json()
    response = api.patch(f"/invoices/{created['id']}", {"invoice_date": "2026-12-01"})
    assert locs(response) == [["body", "custom_fields", "region"]]
