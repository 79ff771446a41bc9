"""What an order must satisfy: totals to the cent, codes the books accept, known people."""

from __future__ import annotations

import pytest

from payables.conftest import ApiClient

BASE = "/purchase-orders"


def _refused(api: ApiClient, payload: dict) -> list[dict]:
    answer = api.post(BASE, payload)
    assert answer.status_code == 422, answer.content
    return answer.json()["detail"]


def _line(payload: dict, index: int, **changes: object) -> dict:
    payload["lines"][index] |= changes
    return payload


def test_totals_that_do_not_reconcile_are_refused_where_they_are(api: ApiClient, order_payload):
    detail = _refused(api, order_payload(net_amount="145.01", gross_amount="1.00"))
    assert [(d["loc"], d["type"]) for d in detail] == [
        (["body", "net_amount"], "totals_mismatch"),
        (["body", "gross_amount"], "totals_mismatch"),
    ]
    assert "145.00" in detail[0]["msg"]


def test_amounts_finer_than_the_currency_are_refused(api: ApiClient, order_payload):
    detail = _refused(api, _line(order_payload(), 1, net_amount="20.001"))
    assert detail[0]["loc"] == ["body", "lines", 1, "net_amount"]
    assert detail[0]["type"] == "amount_scale"


def test_a_line_without_net_or_unit_price_is_refused(api: ApiClient, order_payload):
    payload = order_payload()
    del payload["lines"][1]["net_amount"]
    detail = _refused(api, payload)
    assert detail[0]["loc"] == ["body", "lines", 1, "net_amount"]


def test_a_repeated_line_id_is_refused(api: ApiClient, order_payload):
    detail = _refused(api, _line(order_payload(), 1, line_id="1"))
    assert detail[0]["loc"] == ["body", "lines", 1, "line_id"]
    assert detail[0]["type"] == "duplicate_line_id"


def test_line_ids_default_to_positions(api: ApiClient, order_payload):
    payload = order_payload()
    for line in payload["lines"]:
        del line["line_id"]
    created = api.post(BASE, payload).json()
    assert [line["line_id"] for line in created["lines"]] == ["1", "2"]


@pytest.mark.parametrize(
    ("change", "loc", "kind"),
    [
        ({"dimensions": {"department": "D99"}}, ["dimensions", "department"], "unknown_code"),
        ({"account_code": "9999"}, ["account_code"], "unknown_code"),
        ({"account_code": "4010"}, ["account_code"], "inactive_code"),
        ({"vat_code": "VAT0"}, ["vat_code"], "unknown_code"),
        ({"vat_code": "S24"}, ["vat_code"], "not_a_purchase_vat_code"),
        ({"item_code": "NOPE"}, ["item_code"], "unknown_code"),
    ],
)
def test_codes_the_books_refuse_are_located(api: ApiClient, order_payload, change, loc, kind):
    detail = _refused(api, _line(order_payload(), 0, **change))
    assert [(d["loc"], d["type"]) for d in detail] == [(["body", "lines", 0, *loc], kind)]


def test_a_dimension_value_out_of_date_is_refused(api: ApiClient, order_payload):
    value = {"code": "D20", "name": "Old", "valid_to": "2025-12-31"}
    assert api.post("/dimension-types/department/values", value).status_code == 201
    detail = _refused(api, _line(order_payload(), 0, dimensions={"department": "D20"}))
    assert detail[0]["loc"] == ["body", "lines", 0, "dimensions", "department"]
    assert detail[0]["type"] == "code_out_of_date"


def test_every_problem_is_listed_together(api: ApiClient, order_payload):
    payload = _line(order_payload(), 0, account_code="9999")
    payload = _line(payload, 1, dimensions={"department": "D99"})
    locs = [d["loc"] for d in _refused(api, payload)]
    assert ["body", "lines", 0, "account_code"] in locs
    assert ["body", "lines", 1, "dimensions", "department"] in locs


def test_an_unknown_requester_or_supplier_is_refused(api: ApiClient, order_payload):
    detail = _refused(api, order_payload(requester="nobody@example.com"))
    assert detail[0]["loc"] == ["body", "requester"]
    unknown = "00000000-0000-0000-0000-000000000000"
    detail = _refused(api, order_payload(supplier_id=unknown))
    assert detail[0]["loc"] == ["body", "supplier_id"]


def test_the_requester_is_found_by_email_or_uuid(api: ApiClient, order_payload):
    created = api.post(BASE, order_payload(requester="MARI@example.com")).json()
    user_id = created["requester"]["id"]
    again = api.post(BASE, order_payload(number="PO-2", requester=user_id)).json()
    assert again["requester"]["code"] == "E-7"


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"quantity": "-1"}, ["body", "lines", 0, "quantity"]),
        ({"quantity": "1_000"}, ["body", "lines", 0, "quantity"]),
        ({"gtin": "12AB"}, ["body", "lines", 0, "gtin"]),
        ({"colour": "red"}, ["body", "lines", 0, "colour"]),
    ],
)
def test_shapes_are_checked(api: ApiClient, order_payload, change, loc):
    assert _refused(api, _line(order_payload(), 0, **change))[0]["loc"] == loc


def test_an_order_needs_lines(api: ApiClient, order_payload):
    detail = _refused(api, order_payload(lines=[]))
    assert detail[0]["loc"] == ["body", "lines"]
