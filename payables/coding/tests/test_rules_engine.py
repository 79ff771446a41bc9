"""Coding rules applied to an invoice's lines: conditions, order, splits, dates, one read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payables.coding.autocoding import autocode
from payables.coding.rules import code_by_rules, row_drafts
from payables.coding.services.rules import create_rule, reorder_rules, update_rule
from payables.coding.tests import rules_support
from payables.tenancy.actors import Actor

master_data = rules_support.master_data
make_rule = rules_support.make_rule


def coding(drafts):
    return [(d.account_code, d.vat_code, d.dimensions, d.source) for d in drafts]


def test_a_matching_rule_codes_uncoded_lines_and_says_which_rule(make_rule, make_invoice):
    rule = make_rule("Paper", {"account_code": "6000", "vat_code": "VAT22"}, text_contains="PAP")
    invoice = make_invoice()
    drafts = code_by_rules(invoice, row_drafts(invoice))
    assert coding(drafts) == [
        ("6000", "VAT22", {}, f"rule:{rule.id}"),
        ("", "", {}, "row"),
    ]
    assert [d.net_amount for d in drafts] == [Decimal("100.0000"), Decimal("50.0000")]


def test_lines_the_row_codes_stay_untouched(make_rule, make_invoice, invoice_payload):
    make_rule("All", {"account_code": "6000"})
    payload = invoice_payload()
    payload["rows"][0]["account_code"] = "4010"
    invoice = make_invoice(rows=payload["rows"])
    drafts = code_by_rules(invoice, row_drafts(invoice))
    assert [(d.account_code, d.source) for d in drafts] == [
        ("4010", "row"),
        ("6000", drafts[1].source),
    ]
    assert drafts[1].source.startswith("rule:")


def test_what_the_row_names_stays_and_the_rule_fills_the_rest(
    make_rule, make_invoice, invoice_payload
):
    make_rule(
        "IT",
        {"account_code": "6000", "vat_code": "VAT22", "dimensions": {"department": "IT"}},
    )
    payload = invoice_payload()
    payload["rows"][1] |= {"vat_code": "VAT9", "dimensions": {"department": "HR"}}
    invoice = make_invoice(rows=payload["rows"])
    drafts = code_by_rules(invoice, row_drafts(invoice))
    assert [(d.account_code, d.vat_code, d.dimensions) for d in drafts] == [
        ("6000", "VAT22", {"department": "IT"}),
        ("6000", "VAT9", {"department": "HR"}),
    ]


def test_the_first_rule_in_order_wins_and_reordering_changes_it(make_rule, make_invoice, actor):
    first = make_rule("Books to 4010", {"account_code": "4010"}, text_contains="book")
    second = make_rule("Everything to 6000", {"account_code": "6000"})
    invoice = make_invoice()
    assert coding(code_by_rules(invoice, row_drafts(invoice))) == [
        ("6000", "", {}, f"rule:{second.id}"),
        ("4010", "", {}, f"rule:{first.id}"),
    ]
    reorder_rules([second.id, first.id], actor=actor)
    assert coding(code_by_rules(invoice, row_drafts(invoice))) == [
        ("6000", "", {}, f"rule:{second.id}"),
        ("6000", "", {}, f"rule:{second.id}"),
    ]


def test_inactive_rules_and_other_companies_rules_are_not_used(
    make_rule, make_invoice, other_company
):
    rule = make_rule("Off", {"account_code": "6000"})
    update_rule(rule, {"is_active": False}, actor=Actor.system(rule.company, "test"))
    create_rule(
        {"name": "Theirs", "actions": {"account_code": "1"}},
        actor=Actor.system(other_company, "test"),
    )
    invoice = make_invoice()
    assert [d.account_code for d in code_by_rules(invoice, row_drafts(invoice))] == ["", ""]


CONDITIONS = {
    # name: (holds for the "Paper" row only, holds for neither row)
    "supplier_by_vat_number": ({"supplier": "EE100931558", "text_contains": "paper"}, None),
    "text_contains": ({"text_contains": "APE"}, {"text_contains": "pens"}),
    "text_regex": ({"text_regex": r"^pa.er$"}, {"text_regex": r"^aper"}),
    "item_code_of_seller": ({"item_code": "P-1"}, {"item_code": "p-1"}),
    "amount_min_inclusive": ({"amount_min": "100.00"}, {"amount_min": "100.01"}),
    "amount_max_inclusive": ({"amount_min": "51", "amount_max": "100"}, {"amount_max": "49.99"}),
    "currency": ({"currency": "EUR", "text_contains": "paper"}, {"currency": "SEK"}),
    "buyer_reference": ({"buyer_reference": "it-42", "item_code": "P-1"}, {"buyer_reference": "x"}),
    "custom_field": (
        {"custom_field": {"code": "contract", "value": "7.0"}, "text_contains": "paper"},
        {"custom_field": {"code": "contract", "value": "8"}},
    ),
}


@pytest.mark.parametrize(("holds", "fails"), CONDITIONS.values(), ids=list(CONDITIONS))
def test_each_condition_decides_which_lines_match(
    make_rule, make_invoice, invoice_payload, master_data, holds, fails
):
    master_data.custom_field("contract", type="number")
    payload = invoice_payload()
    payload["rows"][0]["item_code"] = "P-1"
    invoice = make_invoice(
        rows=payload["rows"], buyer_reference="IT-42", custom_fields={"contract": "7"}
    )
    make_rule("Holds", {"account_code": "6000"}, **holds)
    assert [d.account_code for d in code_by_rules(invoice, row_drafts(invoice))] == ["6000", ""]
    if fails:
        earlier = make_rule("Fails", {"account_code": "4010"}, **fails)
        update_rule(earlier, {"position": 0}, actor=Actor.system(invoice.company, "test"))
        accounts = [d.account_code for d in code_by_rules(invoice, row_drafts(invoice))]
        assert accounts == ["6000", ""]


def test_an_item_code_condition_matches_the_companys_product_code(
    make_rule, make_invoice, invoice_payload, master_data
):
    master_data.item("PAPER-A4")
    payload = invoice_payload()
    payload["rows"][1]["product_code"] = "PAPER-A4"
    invoice = make_invoice(rows=payload["rows"])
    make_rule("Item", {"account_code": "6000"}, item_code="PAPER-A4")
    assert [d.account_code for d in code_by_rules(invoice, row_drafts(invoice))] == ["", "6000"]


def test_a_split_shares_net_and_vat_to_the_cent_and_the_last_absorbs_the_rounding(
    make_rule, make_invoice
):
    rule = make_rule(
        "Thirds",
        {
            "split": [
                {"percent": "33.3333", "account_code": "4000", "dimensions": {"department": "IT"}},
                {"percent": "33.3333", "account_code": "4010", "description": "HR share"},
                {"percent": "33.3334", "account_code": "6000", "vat_code": "VAT22"},
            ]
        },
        text_contains="paper",
    )
    invoice = make_invoice()
    drafts = code_by_rules(invoice, row_drafts(invoice))
    assert [(d.position, d.row_position, d.account_code) for d in drafts] == [
        (1, 1, "4000"),
        (2, 1, "4010"),
        (3, 1, "6000"),
        (4, 2, ""),
    ]
    assert [(d.net_amount, d.vat_amount) for d in drafts[:3]] == [
        (Decimal("33.33"), Decimal("7.33")),
        (Decimal("33.33"), Decimal("7.33")),
        (Decimal("33.34"), Decimal("7.34")),
    ]
    assert sum(d.net_amount for d in drafts[:3]) == Decimal(100)
    assert [d.description for d in drafts[:3]] == ["Paper", "HR share", "Paper"]
    assert [d.dimensions for d in drafts[:3]] == [{"department": "IT"}, {}, {}]
    assert {d.source for d in drafts[:3]} == {f"rule:{rule.id}"}


def test_a_rule_whose_code_is_not_valid_on_the_invoice_date_is_passed_over(
    make_rule, make_invoice, master_data
):
    master_data.vat_code("OLD", rate="20", valid_to="2026-06-30")
    master_data.dimension("department", "GONE", valid_from="2027-01-01")
    make_rule("Old VAT", {"account_code": "4000", "vat_code": "OLD"})
    make_rule("Future department", {"account_code": "4010", "dimensions": {"department": "GONE"}})
    fallback = make_rule("Fallback", {"account_code": "6000"})
    invoice = make_invoice()  # dated 2026-11-02
    drafts = code_by_rules(invoice, row_drafts(invoice))
    assert {(d.account_code, d.source) for d in drafts} == {("6000", f"rule:{fallback.id}")}


def test_a_rule_whose_account_was_deactivated_since_is_passed_over(
    make_rule, make_invoice, master_data
):
    make_rule("To 4010", {"account_code": "4010"})
    master_data.account("4010", is_active=False)
    invoice = make_invoice()
    assert [d.account_code for d in code_by_rules(invoice, row_drafts(invoice))] == ["", ""]


def test_rules_are_read_once_per_invoice_however_many_lines(
    make_rule, make_invoice, invoice_payload
):
    for n in range(3):
        make_rule(f"Rule {n}", {"account_code": "6000"}, text_contains=f"nothing {n}")
    make_rule("Last", {"account_code": "4000"})
    row = invoice_payload()["rows"][1]
    invoice = make_invoice(
        rows=[row] * 10,
        net_amount="500.00",
        vat_amount="45.00",
        gross_amount="545.00",
        vat_breakdown=[{"vat_rate": "9", "base_amount": "500.00", "vat_amount": "45.00"}],
    )
    drafts = row_drafts(invoice)
    with CaptureQueriesContext(connection) as queries:
        coded = code_by_rules(invoice, drafts)
    assert [d.account_code for d in coded] == ["4000"] * 10
    rule_reads = [q for q in queries.captured_queries if "coding_codingrule" in q["sql"]]
    assert len(rule_reads) == 1
    assert len(queries.captured_queries) <= 5


def test_autocode_applies_the_rules_to_the_lines_left_uncoded(make_rule, make_invoice):
    """What derivation calls on creation and import (the posting lines carry the source)."""
    rule = make_rule("Paper", {"account_code": "6000"}, text_contains="paper")
    invoice = make_invoice()
    drafts = autocode(invoice, row_drafts(invoice))
    assert [(d.account_code, d.source) for d in drafts] == [
        ("6000", f"rule:{rule.id}"),
        ("", "row"),
    ]
