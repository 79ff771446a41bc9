"""Estonian e-invoice amounts: discounts, charges, rounding, VAT, rows and accounting."""

from __future__ import annotations

from decimal import Decimal

from payables.einvoice import ee_einvoice
from payables.einvoice.model import ParseLimits
from payables.einvoice.tests.ee_support import (
    ATTACHMENT,
    DISCOUNTS,
    EEK,
    GROUPS,
    THREE_INVOICES,
    parsed,
    rule_ids,
    variant,
)

# --- discounts, charges and rounding ---------------------------------------------------------


def test_row_discounts_become_line_allowances_whatever_sign_the_producer_wrote():
    first = parsed(DISCOUNTS).invoices[0]
    allowances = [
        [(a.is_charge, a.amount, a.percentage, a.base_amount) for a in line.allowances_charges]
        for line in first.lines
    ]
    # Row 1 writes AddSum -34.34 and AddRate -10.00, row 2 writes 5.52 and 5.00.
    assert allowances == [
        [(False, Decimal("34.34"), Decimal("10.00"), Decimal("343.43"))],
        [(False, Decimal("5.52"), Decimal("5.00"), Decimal("110.40"))],
        [],
    ]


def test_a_row_without_a_vat_base_nets_its_discount_from_the_item_sum():
    second_row = parsed(DISCOUNTS).invoices[0].lines[1]
    assert second_row.line_net == Decimal("110.40") - Decimal("5.52")


def test_invoice_level_discount_and_charge_become_document_allowances_and_charges():
    invoice = parsed(DISCOUNTS).invoices[0]
    assert [
        (a.is_charge, a.amount, a.percentage, a.reason, a.vat_category, a.vat_rate)
        for a in invoice.allowances_charges
    ] == [
        (False, Decimal("15.29"), Decimal("3.00"), "Püsikliendi allahindlus", "S", Decimal("22")),
        (True, Decimal("35.00"), None, "Transporditasu Võru-Tallinn", "S", Decimal("22")),
    ]
    assert (invoice.totals.allowance_total, invoice.totals.charge_total) == (
        Decimal("15.29"),
        Decimal("35.00"),
    )


def test_rounding_is_the_difference_between_total_and_amount_to_pay():
    totals = parsed(DISCOUNTS).invoices[0].totals
    assert (totals.tax_inclusive, totals.rounding, totals.payable) == (
        Decimal("645.97"),
        Decimal("-0.02"),
        Decimal("645.95"),
    )


# --- VAT ------------------------------------------------------------------------------------


def test_vat_id_gives_the_vat_category():
    invoices = parsed(THREE_INVOICES).invoices
    categories = [[(v.category, v.rate) for v in i.vat_breakdown] for i in invoices]
    assert categories == [
        [("S", Decimal("9")), ("S", Decimal("22"))],
        [("S", Decimal("24")), ("Z", Decimal("0"))],
        [("S", Decimal("24")), ("E", Decimal("0")), ("O", None)],
    ]


def test_exempt_and_out_of_scope_vat_carry_their_legal_reference():
    leasing = parsed(THREE_INVOICES).invoices[2]
    reasons = {v.category: v.exemption_reason for v in leasing.vat_breakdown}
    assert reasons["E"] == "Maksuvaba käive, KMS § 16 (kindlustusteenus)"
    assert reasons["O"] == "Ei ole käibemaksuga maksustatav (viivis)"


def test_rows_carry_their_vat_category_and_rate():
    leasing = parsed(THREE_INVOICES).invoices[2]
    assert [(line.vat_category, line.vat_rate) for line in leasing.lines] == [
        ("S", Decimal("24")),
        ("E", Decimal("0")),
        ("O", None),
    ]


def test_missing_vat_entries_are_derived_from_the_rows():
    def drop_document_vat(root):
        for vat in root.findall("Invoice/InvoiceSumGroup/VAT"):
            vat.getparent().remove(vat)

    document = ee_einvoice.parse(variant(THREE_INVOICES, drop_document_vat), limits=ParseLimits())
    first = document.invoices[0]
    assert [(v.category, v.rate, v.taxable_amount, v.tax_amount) for v in first.vat_breakdown] == [
        ("S", Decimal("9"), Decimal("283.60"), Decimal("25.52")),
        ("S", Decimal("22"), Decimal("6.50"), Decimal("1.43")),
    ]
    assert "EE-VAT-DERIVED" in rule_ids(document)


def test_a_second_sum_group_gives_the_vat_in_the_other_currency():
    (invoice,) = parsed(EEK).invoices
    assert (invoice.currency, invoice.tax_currency) == ("EEK", "EUR")
    assert (invoice.totals.tax_total, invoice.totals.tax_total_accounting) == (
        Decimal("1130.00"),
        Decimal("72.22"),
    )


# --- rows and group subtotals ----------------------------------------------------------------


def test_group_subtotals_are_not_counted_as_rows():
    (invoice,) = parsed(GROUPS).invoices
    names = [line.name for line in invoice.lines]
    assert names == [
        "Kuutasu Äri L, 5 numbrit",
        "Kõned väljaspool paketti",
        "Mobiilne internet, lisamaht 10 GB",
        "Äriinternet 500/100 Mbit/s",
        "Staatiline IP-aadress",
    ]
    assert invoice.totals.line_net_total == Decimal("107.10")
    assert "EE-SUBTOTALS" in rule_ids(parsed(GROUPS))


def test_a_text_only_row_becomes_a_note():
    (invoice,) = parsed(GROUPS).invoices
    assert "Teenuse aadress: Peterburi tee 46, Tallinn" in invoice.notes


def test_rows_carry_quantity_unit_price_and_item_ids():
    line = parsed(THREE_INVOICES).invoices[0].lines[0]
    assert (line.quantity, line.unit_code, line.net_price, line.line_net) == (
        Decimal("4"),
        "H87",
        Decimal("38.90"),
        Decimal("155.60"),
    )
    assert (line.seller_item_id, line.standard_item_id, line.standard_item_scheme) == (
        "ISBN9789949001",
        "9789949001234",
        "0160",
    )


# --- booking: Accounting / JournalEntry -------------------------------------------------------


def test_journal_entry_gives_the_account_code_and_dimensions():
    row = parsed(ATTACHMENT).invoices[0].lines[0]
    assert row.account_code == "5210"
    assert row.dimensions == (
        ("general_ledger_detail", "ERP-LIIDES"),
        ("cost_objective", "IT-OSAKOND"),
        ("partner_code", "KOODIK"),
        ("classificator_code", "IT-TEENUS"),
    )


def test_a_row_split_over_two_journal_entries_keeps_the_first_coding_and_warns():
    """A row has one coding; the split's amounts are not dimensions, and a person splits it."""
    document = parsed(ATTACHMENT)
    row = document.invoices[0].lines[1]
    assert row.account_code == "5230"
    assert [value for name, value in row.dimensions if name == "cost_objective"] == ["TOOTMINE"]
    assert not {"sum", "vat_sum", "vat_rate"} & {name for name, _ in row.dimensions}
    [split] = [f for f in document.findings if f.rule_id == "EE-JOURNAL-SPLIT"]
    assert split.severity == "warning"


def test_a_row_without_accounting_has_no_account_code():
    row = parsed(ATTACHMENT).invoices[0].lines[2]
    assert (row.account_code, row.dimensions) == ("", ())


def test_the_invoice_level_journal_entry_is_the_accounting_cost():
    assert parsed(ATTACHMENT).invoices[0].accounting_cost == "2110"
