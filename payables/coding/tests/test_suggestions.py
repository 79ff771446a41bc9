"""Learned suggestions: trained on booked invoices, served per line, better with more bookings."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from payables.coding.models import CodingModel
from payables.coding.services.training import train_coding_model
from payables.conftest import ApiClient
from payables.handoff.tests.handoff_support import (  # noqa: F401 (fixtures)
    approver,
    make_approved,
    make_exported,
)
from payables.invoices.models import Invoice
from payables.tenancy.models import Company

SUBSCRIPTION = ("Mobile subscription {n:02d}/2026", "6010")
CENT = Decimal("0.01")
DEVICE = ("Device purchase phone model {n}", "1210")


def rows_payload(*rows: tuple[str, str, str]) -> dict[str, Any]:
    """Invoice fields for rows of (description, net, account), at 24 % VAT, reconciled."""
    built, net_total = [], Decimal(0)
    for description, net, account in rows:
        amount = Decimal(net)
        built.append(
            {
                "description": description,
                "net_amount": str(amount),
                "vat_rate": "24",
                "vat_amount": str((amount * Decimal("0.24")).quantize(CENT)),
                "account_code": account,
                "vat_code": "VAT24",
                "dimensions": {"department": "IT"} if account == "1210" else {},
            }
        )
        net_total += amount
    vat = sum(Decimal(r["vat_amount"]) for r in built)
    return {
        "net_amount": str(net_total),
        "vat_amount": str(vat),
        "gross_amount": str(net_total + vat),
        "rows": built,
        "vat_breakdown": [
            {"vat_rate": "24", "base_amount": str(net_total), "vat_amount": str(vat)}
        ],
    }


@pytest.fixture
def book(make_exported: Callable[..., Invoice]) -> Callable[..., None]:  # noqa: F811
    """Book (export) ``count`` invoices of one line of the given kind, numbered from ``start``."""

    def make(kind: tuple[str, str], count: int, start: int = 1) -> None:
        text, account = kind
        for n in range(start, start + count):
            make_exported(**rows_payload((text.format(n=n), "40.00", account)))

    return make


@pytest.fixture
def new_invoice(api: ApiClient, invoice_payload: Callable[..., dict]) -> dict:
    """An uncoded invoice as an integrator sends it: a subscription and a phone."""
    payload = invoice_payload(
        invoice_number="NEW-1",
        **rows_payload(
            ("MOBILE SUBSCRIPTION 07/2026", "39.90", ""),
            ("device purchase phone model 99", "650", ""),
        ),
    )
    response = api.post("/invoices", payload)
    assert response.status_code == 201, response.json()
    return response.json()


def suggested(api: ApiClient, ref: object) -> dict[int, dict]:
    """The suggestions by the row each line comes from."""
    response = api.get(f"/invoices/{ref}/suggestions")
    assert response.status_code == 200, response.json()
    return {line["row_position"]: line for line in response.json()["lines"]}


def test_without_a_model_every_list_is_empty_and_a_note_says_why(api, new_invoice):
    response = api.get(f"/invoices/{new_invoice['internal_id']}/suggestions")
    assert response.status_code == 200
    body = response.json()
    assert body["model"] is None
    assert "no coding model" in body["note"]
    assert [line["account"] for line in body["lines"]] == [[], []]


def test_suggests_what_the_supplier_was_booked_to_by_the_line_text(api, company, book, new_invoice):
    book(SUBSCRIPTION, 6)
    book(DEVICE, 4, start=10)
    train_coding_model(company)
    response = api.get(f"/invoices/{new_invoice['id']}/suggestions")
    body = response.json()
    assert body["model"]["sample_count"] == 10
    assert body["note"] == ""
    lines = {line["row_position"]: line for line in body["lines"]}
    subscription, device = lines[1], lines[2]
    assert subscription["account"][0]["value"] == "6010"
    assert device["account"][0]["value"] == "1210"
    assert device["vat_code"][0] == {"value": "VAT24", "probability": "1.0000"}
    assert device["dimensions"]["department"][0]["value"] == "IT"
    assert subscription["dimensions"]["department"] == []  # likelier none: nothing suggested
    for found in subscription["account"]:
        assert re.fullmatch(r"[01]\.\d{4}", found["probability"])


def test_suggestions_improve_as_more_invoices_are_booked(api, company, book, new_invoice):
    book(SUBSCRIPTION, 4)
    train_coding_model(company)
    before = suggested(api, new_invoice["id"])[2]["account"]
    assert [s["value"] for s in before] == ["6010"]  # it has only seen subscriptions

    book(DEVICE, 4, start=10)
    train_coding_model(company)
    after = suggested(api, new_invoice["id"])[2]["account"]
    assert after[0]["value"] == "1210"
    assert Decimal(after[0]["probability"]) > Decimal("0.5")
    assert CodingModel.objects.get(company=company).booked_count == 8


def test_retraining_is_queued_once_enough_invoices_were_booked(
    company, book, django_capture_on_commit_callbacks
):
    company.coding_retrain_after = 3
    company.save()
    with django_capture_on_commit_callbacks(execute=True):
        book(SUBSCRIPTION, 2)
    assert not CodingModel.objects.filter(company=company).exists()

    with django_capture_on_commit_callbacks(execute=True):
        book(SUBSCRIPTION, 1, start=3)  # the third export queues it; the (immediate) worker trains
    model = CodingModel.objects.get(company=company)
    assert (model.booked_count, model.sample_count) == (3, 3)


def test_the_nightly_command_trains_companies_with_new_bookings(company, other_company, book):
    book(SUBSCRIPTION, 2)
    out = StringIO()
    call_command("train-coding", stdout=out)
    assert "Acme Ostud OÜ: trained on 2 lines of 2 booked invoices." in out.getvalue()
    assert "Other Oy: no new bookings (0 booked), skipped." in out.getvalue()
    out = StringIO()
    call_command("train-coding", "--company", company.registry_code, stdout=out)
    assert "no new bookings (2 booked)" in out.getvalue()


def test_another_companys_invoice_is_not_found(other_api, new_invoice):
    response = other_api.get(f"/invoices/{new_invoice['id']}/suggestions")
    assert response.status_code == 404


@pytest.mark.parametrize("ref", ["not-an-id", "999999", "0a7e0c36-4c9b-4c83-9a6e-0b7d7c3f1a2e"])
def test_an_unknown_invoice_is_not_found(api, ref):
    assert api.get(f"/invoices/{ref}/suggestions").status_code == 404


def test_reading_suggestions_needs_the_coding_read_scope(company, make_key, new_invoice):
    client = ApiClient(make_key(company, scopes=["invoices:read"], integrator="Reader"))
    response = client.get(f"/invoices/{new_invoice['id']}/suggestions")
    assert response.status_code == 403


def test_a_company_without_a_model_has_no_model_rows(company: Company):
    assert not CodingModel.objects.filter(company=company).exists()
