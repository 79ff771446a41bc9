"""Applying confident suggestions to uncoded lines: off by default, above the threshold."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from payables.coding.drafts import LineDraft
from payables.coding.services.training import train_coding_model
from payables.coding.suggestions import apply_confident_suggestions
from payables.coding.tests.test_suggestions import DEVICE, SUBSCRIPTION, rows_payload
from payables.handoff.tests.handoff_support import (  # noqa: F401 (fixtures)
    approver,
    make_approved,
    make_exported,
)
from payables.invoices.models import Invoice
from payables.invoices.tests.master_data import MasterData


@pytest.fixture
def trained(company, make_exported: Callable[..., Invoice]) -> None:  # noqa: F811
    for n in range(1, 7):
        make_exported(**rows_payload((SUBSCRIPTION[0].format(n=n), "40.00", "6010")))
    for n in range(1, 5):
        make_exported(**rows_payload((DEVICE[0].format(n=n), "500.00", "1210")))
    train_coding_model(company)


def drafts() -> list[LineDraft]:
    return [
        LineDraft(1, Decimal("39.90"), row_position=1, description="Mobile subscription 08/2026"),
        LineDraft(2, Decimal("650"), row_position=2, description="Device purchase phone model 9"),
        LineDraft(
            3, Decimal("10"), row_position=3, description="Mobile subscription", account_code="7000"
        ),
    ]


def set_threshold(company, value: str | None) -> None:
    company.suggestion_auto_apply_threshold = None if value is None else Decimal(value)
    company.save()


def test_nothing_is_applied_while_the_threshold_is_off(company, trained, make_invoice):
    coded = apply_confident_suggestions(make_invoice(), drafts())
    assert [(d.account_code, d.source) for d in coded] == [
        ("", "row"),
        ("", "row"),
        ("7000", "row"),
    ]


def test_confident_suggestions_code_the_uncoded_lines(company, trained, make_invoice):
    set_threshold(company, "0.5")
    subscription, device, coded = apply_confident_suggestions(make_invoice(), drafts())
    assert (subscription.account_code, subscription.source) == ("6010", "suggestion")
    assert subscription.vat_code == "VAT24"
    assert Decimal("0.5") <= subscription.confidence <= 1
    assert subscription.confidence == subscription.confidence.quantize(Decimal("0.0001"))
    assert (device.account_code, device.dimensions) == ("1210", {"department": "IT"})
    assert (coded.account_code, coded.source, coded.confidence) == ("7000", "row", None)


def test_suggestions_below_the_threshold_are_not_applied(company, trained, make_invoice):
    set_threshold(company, "1")
    subscription, device, _ = apply_confident_suggestions(make_invoice(), drafts())
    assert subscription.account_code == device.account_code == ""


def test_without_a_model_nothing_is_applied(company, make_invoice):
    set_threshold(company, "0.1")
    assert [d.account_code for d in apply_confident_suggestions(make_invoice(), drafts())] == [
        "",
        "",
        "7000",
    ]


def test_codes_inactive_in_master_data_are_not_applied(company, api, trained, make_invoice):
    master_data = MasterData(api)
    master_data.account("6010", is_active=False)
    master_data.account("1210")
    set_threshold(company, "0.5")
    subscription, device, _ = apply_confident_suggestions(make_invoice(), drafts())
    assert subscription.account_code == ""
    assert device.account_code == "1210"
    assert device.vat_code == "VAT24"  # the company keeps no VAT codes: not checked
