"""Coding end to end through the HTTP API: rules, learned suggestions and the hand-off.

What the three parts (posting lines, rules, suggestions) do together: an invoice an
integrator posts is coded by rules first, then by confident suggestions; the model learns
what accounting received (the posting lines); accounting receives proportional VAT.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from payables.coding.services.rules import create_rule
from payables.coding.services.training import train_coding_model
from payables.coding.tests.conftest import line
from payables.coding.tests.test_suggestions import DEVICE, SUBSCRIPTION, book, rows_payload  # noqa: F401
from payables.conftest import ApiClient
from payables.events.tests.receivers import running_receiver, subscribe_confirmed
from payables.handoff.services import export_invoice
from payables.invoices.tests.master_data import MasterData
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company
from payables.tenancy.services import update_company

NEW_ROWS = (
    ("MOBILE SUBSCRIPTION 07/2026", "39.90", ""),
    ("device purchase phone model 99", "650", ""),
)


@pytest.fixture
def trained(company: Company, book: Callable[..., None]) -> Company:  # noqa: F811
    """Six subscriptions booked to 6010, four phones to 1210 (department IT); trained."""
    book(SUBSCRIPTION, 6)
    book(DEVICE, 4, start=10)
    train_coding_model(company)
    return company


def post_invoice(api: ApiClient, invoice_payload: Callable[..., dict], number: str) -> dict:
    response = api.post(
        "/invoices", invoice_payload(invoice_number=number, **rows_payload(*NEW_ROWS))
    )
    assert response.status_code == 201, response.json()
    return response.json()


def lines_of(api: ApiClient, ref: object) -> list[dict]:
    response = api.get(f"/invoices/{ref}/posting-lines")
    assert response.status_code == 200, response.json()
    return response.json()["posting_lines"]


# --- (a) confident suggestions applied on creation -----------------------------------------


def test_an_invoice_posted_by_api_is_coded_by_confident_suggestions(api, trained, invoice_payload):
    update_company(trained, {"suggestion_auto_apply_threshold": Decimal("0.5")})

    subscription, device = lines_of(api, post_invoice(api, invoice_payload, "AUTO-1")["id"])

    assert (subscription["account_code"], subscription["source"]) == ("6010", "suggestion")
    assert (device["account_code"], device["source"]) == ("1210", "suggestion")
    assert device["dimensions"] == {"department": "IT"}
    for coded in (subscription, device):
        assert Decimal("0.5") <= Decimal(coded["confidence"]) <= 1


def test_without_a_threshold_suggestions_are_only_offered(api, trained, invoice_payload):
    created = post_invoice(api, invoice_payload, "AUTO-2")

    lines = lines_of(api, created["id"])

    assert [(p["account_code"], p["source"], p["confidence"]) for p in lines] == [
        ("", "row", None),
        ("", "row", None),
    ]
    offered = api.get(f"/invoices/{created['id']}/suggestions").json()["lines"]
    assert [s["account"][0]["value"] for s in offered] == ["6010", "1210"]


def test_a_matching_rule_codes_the_line_before_suggestions(
    api, actor: Actor, trained, invoice_payload
):
    master_data = MasterData(api)
    for code in ("4000", "6010", "1210"):
        master_data.account(code)
    rule = create_rule(
        {
            "name": "Subscriptions to telecom",
            "conditions": {"text_contains": "subscription"},
            "actions": {"account_code": "4000"},
        },
        actor=actor,
    )
    update_company(trained, {"suggestion_auto_apply_threshold": Decimal("0.5")})

    subscription, device = lines_of(api, post_invoice(api, invoice_payload, "AUTO-3")["id"])

    assert (subscription["account_code"], subscription["source"]) == ("4000", f"rule:{rule.id}")
    assert subscription["confidence"] is None
    assert (device["account_code"], device["source"]) == ("1210", "suggestion")


# --- (b) training reads what accounting received --------------------------------------------


def test_the_model_learns_the_posting_lines_not_the_rows(api, company, make_approved, actor: Actor):
    """Rows say 6010; an accountant booked them to 4000 by hand: 4000 is what is learned."""
    for n in range(1, 5):
        invoice = make_approved(**rows_payload((f"Office cleaning {n:02d}/2026", "40.00", "6010")))
        replaced = api.put(
            f"/invoices/{invoice.id}/posting-lines",
            {"lines": [line("4000", "40.00", "9.60", vat_code="VAT24")]},
        )
        assert replaced.status_code == 200, replaced.json()
        export_invoice(invoice, actor=actor)
    train_coding_model(company)

    uncoded = make_approved(**rows_payload(("Office cleaning 09/2026", "40.00", "")))
    (suggested,) = api.get(f"/invoices/{uncoded.id}/suggestions").json()["lines"]

    assert [s["value"] for s in suggested["account"]] == ["4000"]


# --- (c) better with every booking, through the API and the worker --------------------------


def approve_by_api(approver_api: ApiClient, invoice_id: str) -> None:
    queue = approver_api.get("/approvals/queue").json()["items"]
    (step,) = [entry for entry in queue if entry["invoice"]["id"] == invoice_id]
    approved = approver_api.post(f"/approvals/{step['step_id']}/approve", {})
    assert approved.status_code == 200, approved.json()


def book_by_api(
    api: ApiClient, approver_api: ApiClient, payload: dict[str, Any], capture: Callable
) -> None:
    """Post, approve, export and book one invoice, running what is queued after commit."""
    created = api.post("/invoices", payload)
    assert created.status_code == 201, created.json()
    invoice_id = created.json()["id"]
    approve_by_api(approver_api, invoice_id)
    with capture(execute=True):
        exported = api.post(f"/invoices/{invoice_id}/export", {})
    assert exported.status_code == 200, exported.json()
    booked = api.post(
        f"/invoices/{invoice_id}/booked",
        {"document_id": f"V-{invoice_id[:8]}", "booking_date": "2026-11-20"},
    )
    assert booked.status_code == 200, booked.json()


def test_suggestions_improve_as_accounting_books_invoices(
    api,
    company,
    routed,
    as_user,
    invoice_payload,
    django_capture_on_commit_callbacks,
):
    """Every second export retrains the model in the (immediate) worker."""
    update_company(company, {"coding_retrain_after": 2})
    approver_api = as_user(routed, scopes=["approvals:read", "approvals:write", "invoices:read"])
    for n in range(1, 3):
        payload = rows_payload((SUBSCRIPTION[0].format(n=n), "40.00", SUBSCRIPTION[1]))
        book_by_api(
            api,
            approver_api,
            invoice_payload(invoice_number=f"S-{n}", **payload),
            django_capture_on_commit_callbacks,
        )
    new = post_invoice(api, invoice_payload, "NEW-1")
    before = api.get(f"/invoices/{new['id']}/suggestions").json()
    assert before["model"]["sample_count"] == 2
    assert before["lines"][1]["account"][0]["value"] == "6010"  # it has seen only subscriptions

    for n in range(1, 3):
        payload = rows_payload((DEVICE[0].format(n=n), "500.00", DEVICE[1]))
        book_by_api(
            api,
            approver_api,
            invoice_payload(invoice_number=f"D-{n}", **payload),
            django_capture_on_commit_callbacks,
        )
    after = api.get(f"/invoices/{new['id']}/suggestions").json()

    assert after["model"]["sample_count"] == 4
    assert after["lines"][1]["account"][0]["value"] == "1210"
    assert after["lines"][0]["account"][0]["value"] == "6010"


# --- (d) accounting receives proportional VAT ------------------------------------------------

HALF_DEDUCTIBLE = {
    "net_amount": "100.00",
    "vat_amount": "24.00",
    "gross_amount": "124.00",
    "rows": [
        {
            "description": "Company car fuel",
            "net_amount": "100.00",
            "vat_rate": "24",
            "vat_amount": "24.00",
            "account_code": "4000",
            "vat_code": "VAT24HALF",
        }
    ],
    "vat_breakdown": [{"vat_rate": "24", "base_amount": "100.00", "vat_amount": "24.00"}],
}
PROPORTIONAL = {
    "account_code": "4000",
    "vat_code": "VAT24HALF",
    "net_amount": "100.00",
    "vat_amount": "24.00",
    "deductible_vat_amount": "12.00",
    "non_deductible_vat_amount": "12.00",
    "expense_amount": "112.00",
}


def only(found: dict, keys: dict) -> dict:
    return {key: found[key] for key in keys}


@pytest.mark.usefixtures("master_data")
def test_the_exported_feed_carries_proportional_vat(api, make_exported):
    make_exported(**HALF_DEDUCTIBLE)

    (document,) = api.get("/feeds/exported").json()["items"]

    assert [only(p, PROPORTIONAL) for p in document["posting_lines"]] == [PROPORTIONAL]


@pytest.mark.django_db(transaction=True)
def test_the_export_webhook_carries_proportional_vat(api, make_exported):
    MasterData(api).account("4000")
    MasterData(api).vat_code("VAT24HALF", "24", non_deductible_share="50")
    with running_receiver() as receiver:
        subscribe_confirmed(api, receiver, event_types=["invoice.exported"])
        make_exported(**HALF_DEDUCTIBLE)  # the immediate task backend delivers at commit
        (message,) = receiver.messages("invoice.exported")

    lines = message["data"]["payload"]["posting_lines"]
    assert [only(p, PROPORTIONAL) for p in lines] == [PROPORTIONAL]
