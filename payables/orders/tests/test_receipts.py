"""Goods receipts: partial and full deliveries, reversals, and the status they give."""

from __future__ import annotations

from payables.conftest import ApiClient
from payables.events.models import Event

BASE = "/purchase-orders"


def _receive(api: ApiClient, order: dict, *lines: tuple[str, str], **extra: object):
    body = {"lines": [{"line_id": i, "quantity": q} for i, q in lines]} | extra
    return api.post(f"{BASE}/{order['id']}/receipts", body)


def _status(api: ApiClient, order: dict) -> tuple[str, list[str]]:
    shown = api.get(f"{BASE}/{order['id']}").json()
    return shown["status"], [line["received_quantity"] for line in shown["lines"]]


def test_partial_then_full_delivery(api: ApiClient, make_order):
    order = make_order()
    first = _receive(api, order, ("1", "4"), received_at="2026-11-10", reference="DN-1")
    assert first.status_code == 201, first.content
    assert first.json()["lines"] == [{"line_id": "1", "quantity": "4"}]
    assert first.json()["reference"] == "DN-1"
    assert _status(api, order) == ("partially_received", ["4", "0"])

    assert _receive(api, order, ("1", "6"), ("2", "1")).status_code == 201
    assert _status(api, order) == ("received", ["10", "1"])
    receipts = api.get(f"{BASE}/{order['id']}/receipts").json()
    assert receipts[0]["received_at"] == "2026-11-10"
    assert len(receipts) == 2


def test_a_reversal_takes_back_what_was_received(api: ApiClient, make_order):
    order = make_order()
    _receive(api, order, ("1", "10"), ("2", "1"))
    reversal = _receive(api, order, ("1", "-3"), reference="Returned damaged")
    assert reversal.status_code == 201, reversal.content
    assert _status(api, order) == ("partially_received", ["7", "1"])
    _receive(api, order, ("1", "-7"), ("2", "-1"))
    assert _status(api, order) == ("open", ["0", "0"])


def test_receiving_more_than_ordered_or_below_zero_is_refused(api: ApiClient, make_order):
    order = make_order()
    _receive(api, order, ("1", "8"))
    answer = _receive(api, order, ("2", "1"), ("1", "3"))
    assert answer.status_code == 422
    assert [(d["loc"], d["type"]) for d in answer.json()["detail"]] == [
        (["body", "lines", 1, "quantity"], "over_received")
    ]
    answer = _receive(api, order, ("1", "-9"))
    assert answer.json()["detail"][0]["type"] == "below_zero_received"
    assert _status(api, order) == ("partially_received", ["8", "0"])  # nothing of either


def test_unknown_repeated_and_zero_lines_are_refused(api: ApiClient, make_order):
    order = make_order()
    answer = _receive(api, order, ("7", "1"), ("1", "1"), ("1", "1"), ("2", "0"))
    assert [(d["loc"], d["type"]) for d in answer.json()["detail"]] == [
        (["body", "lines", 0, "line_id"], "unknown_line"),
        (["body", "lines", 2, "line_id"], "duplicate_line_id"),
        (["body", "lines", 3, "quantity"], "zero_quantity"),
    ]


def test_a_closed_order_receives_nothing(api: ApiClient, make_order):
    order = make_order()
    api.post(f"{BASE}/{order['id']}/close", {})
    answer = _receive(api, order, ("1", "1"))
    assert answer.status_code == 409
    assert answer.json()["code"] == "order_not_editable"


def test_received_quantities_follow_the_line_id_through_a_change(api: ApiClient, make_order):
    order = make_order()
    _receive(api, order, ("1", "10"))
    lines = [
        {"line_id": "3", "description": "Stapler", "quantity": "1", "unit_price": "9.90"},
        {"line_id": "1", "description": "Paper", "quantity": "12", "unit_price": "12.50"},
    ]
    changed = api.patch(f"{BASE}/{order['id']}", {"lines": lines})
    assert changed.status_code == 200, changed.content
    shown = changed.json()
    assert [(line["line_id"], line["received_quantity"]) for line in shown["lines"]] == [
        ("3", "0"),
        ("1", "10"),
    ]
    assert shown["status"] == "partially_received"


def test_a_change_below_what_arrived_or_leaving_out_a_received_line_is_refused(
    api: ApiClient, make_order
):
    order = make_order()
    _receive(api, order, ("1", "5"))
    fewer = [{"line_id": "1", "quantity": "4", "unit_price": "12.50"}]
    answer = api.patch(f"{BASE}/{order['id']}", {"lines": fewer})
    assert [(d["loc"], d["type"]) for d in answer.json()["detail"]] == [
        (["body", "lines", 0, "quantity"], "below_received")
    ]
    other = [{"line_id": "2", "quantity": "1", "net_amount": "20"}]
    answer = api.patch(f"{BASE}/{order['id']}", {"lines": other})
    assert [(d["loc"], d["type"]) for d in answer.json()["detail"]] == [
        (["body", "lines"], "line_in_use")
    ]
    exact = [{"line_id": "1", "quantity": "5", "unit_price": "12.50"}]
    answer = api.patch(f"{BASE}/{order['id']}", {"lines": exact})
    assert answer.json()["status"] == "received"


def test_a_receipt_records_an_event_with_its_lines(api: ApiClient, make_order):
    order = make_order()
    receipt = _receive(api, order, ("1", "4")).json()
    event = Event.objects.get(type="purchase_order.received")
    assert event.payload["receipt_id"] == receipt["id"]
    assert event.payload["lines"] == [{"line_id": "1", "quantity": "4", "received_quantity": "4"}]
    assert event.payload["status"] == "partially_received"
