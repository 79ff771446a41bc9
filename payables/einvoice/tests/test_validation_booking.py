"""Validation layer 3: booking checks on canonical invoices built here, so each booking
rule is shown to pass, warn and refuse.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from payables.einvoice.model import (
    AllowanceCharge,
    Invoice,
    Line,
    ParsedDocument,
    Party,
    Totals,
    VatBreakdown,
)
from payables.einvoice.tests.validation_support import (
    only,
    rule_ids,
)
from payables.einvoice.validation import (
    blocking,
    check_booking,
    check_document,
)

# --- Layer 3: booking checks on the canonical model -----------------------------------


def an_invoice(**changes) -> Invoice:
    """Two lines at 24 % and 10 %, a 10.00 allowance at 24 %: every total reconciles."""
    invoice = Invoice(
        number="LV-2024-0117",
        issue_date=date(2024, 3, 5),
        due_date=date(2024, 4, 4),
        currency="EUR",
        seller=Party(name="Lumivalo Oy", vat_id="FI12345671"),
        lines=(
            Line(
                id="1",
                line_net=Decimal("100.00"),
                quantity=Decimal(2),
                net_price=Decimal("50.00"),
                vat_category="S",
                vat_rate=Decimal(24),
            ),
            Line(
                id="2",
                line_net=Decimal("50.00"),
                quantity=Decimal(1),
                net_price=Decimal("50.00"),
                vat_category="S",
                vat_rate=Decimal(10),
            ),
        ),
        allowances_charges=(
            AllowanceCharge(
                is_charge=False, amount=Decimal("10.00"), vat_category="S", vat_rate=Decimal(24)
            ),
        ),
        vat_breakdown=(
            VatBreakdown("S", Decimal("90.00"), Decimal("21.60"), rate=Decimal(24)),
            VatBreakdown("S", Decimal("50.00"), Decimal("5.00"), rate=Decimal(10)),
        ),
        totals=Totals(
            line_net_total=Decimal("150.00"),
            allowance_total=Decimal("10.00"),
            tax_exclusive=Decimal("140.00"),
            tax_total=Decimal("26.60"),
            tax_inclusive=Decimal("166.60"),
            payable=Decimal("166.60"),
        ),
    )
    return dataclasses.replace(invoice, **changes)


def with_totals(**changes) -> Invoice:
    base = an_invoice()
    return dataclasses.replace(base, totals=dataclasses.replace(base.totals, **changes))


def test_consistent_invoice_has_no_booking_findings():
    assert check_booking(an_invoice()) == ()


def test_gross_total_one_cent_off_is_a_rounding_warning():
    findings = check_booking(
        with_totals(tax_inclusive=Decimal("166.61"), payable=Decimal("166.61"))
    )

    finding = only(findings, "PAY-TOT-06")
    assert finding.severity == "warning"
    assert finding.location == "/invoice/totals/tax_inclusive (BT-112)"
    assert blocking(findings) == ()


def test_gross_total_one_euro_off_is_an_error():
    findings = check_booking(
        with_totals(tax_inclusive=Decimal("167.60"), payable=Decimal("167.60"))
    )

    finding = only(findings, "PAY-TOT-06")
    assert finding.severity == "error"
    assert "167.60" in finding.message and "166.60" in finding.message


def test_line_sum_tolerance_grows_with_the_number_of_lines():
    two_cents = check_booking(with_totals(line_net_total=Decimal("150.02")))
    three_cents = check_booking(with_totals(line_net_total=Decimal("150.03")))

    assert only(two_cents, "PAY-TOT-01").severity == "warning"
    assert only(three_cents, "PAY-TOT-01").severity == "error"


def test_rounding_tolerance_is_a_setting():
    invoice = with_totals(tax_inclusive=Decimal("166.65"), payable=Decimal("166.65"))

    strict = check_booking(invoice)
    lenient = check_booking(invoice, rounding_tolerance=Decimal("0.05"))

    assert only(strict, "PAY-TOT-06").severity == "error"
    assert only(lenient, "PAY-TOT-06").severity == "warning"


def test_document_allowances_must_add_up_to_the_allowance_total():
    findings = check_booking(with_totals(allowance_total=Decimal("12.00")))

    assert only(findings, "PAY-TOT-02").severity == "error"


def test_vat_breakdown_must_add_up_to_the_vat_total():
    findings = check_booking(
        with_totals(tax_total=Decimal("27.60"), tax_inclusive=Decimal("167.60"))
    )

    assert only(findings, "PAY-TOT-05").severity == "error"


def test_vat_breakdown_stands_in_for_a_missing_vat_total():
    assert check_booking(with_totals(tax_total=None)) == ()


def test_prepaid_and_rounding_enter_the_amount_due():
    invoice = with_totals(
        prepaid=Decimal("66.60"), rounding=Decimal("0.40"), payable=Decimal("100.40")
    )

    assert check_booking(invoice) == ()


def test_amount_due_that_ignores_the_prepaid_amount_is_an_error():
    findings = check_booking(with_totals(prepaid=Decimal("66.60")))

    assert only(findings, "PAY-TOT-07").severity == "error"


def test_vat_that_is_not_base_times_rate_by_a_unit_or_more_is_an_error():
    invoice = an_invoice(
        vat_breakdown=(
            VatBreakdown("S", Decimal("90.00"), Decimal("22.60"), rate=Decimal(24)),
            VatBreakdown("S", Decimal("50.00"), Decimal("5.00"), rate=Decimal(10)),
        )
    )

    finding = only(check_booking(invoice), "PAY-VAT-01")

    assert finding.severity == "error"
    assert finding.location == "/invoice/vat_breakdown[1]/tax_amount (BT-117)"


def test_vat_off_by_less_than_a_unit_only_warns_as_the_official_rules_allow():
    invoice = an_invoice(
        vat_breakdown=(
            VatBreakdown("S", Decimal("90.00"), Decimal("21.90"), rate=Decimal(24)),
            VatBreakdown("S", Decimal("50.00"), Decimal("4.70"), rate=Decimal(10)),
        )
    )

    findings = check_booking(invoice)

    assert [f.severity for f in findings if f.rule_id == "PAY-VAT-01"] == ["warning", "warning"]
    assert blocking(findings) == ()


def test_vat_base_of_a_rate_must_be_its_lines_less_allowances():
    invoice = an_invoice(
        vat_breakdown=(
            VatBreakdown("S", Decimal("100.00"), Decimal("24.00"), rate=Decimal(24)),
            VatBreakdown("S", Decimal("40.00"), Decimal("4.00"), rate=Decimal(10)),
        ),
        totals=dataclasses.replace(an_invoice().totals, tax_total=Decimal("28.00")),
    )
    invoice = dataclasses.replace(
        invoice,
        totals=dataclasses.replace(
            invoice.totals, tax_inclusive=Decimal("168.00"), payable=Decimal("168.00")
        ),
    )

    findings = check_booking(invoice)

    assert [f.severity for f in findings if f.rule_id == "PAY-VAT-03"] == ["error", "error"]


def test_header_only_document_skips_the_line_checks():
    invoice = with_totals(line_net_total=Decimal("999.00"), tax_exclusive=Decimal("140.00"))
    invoice = dataclasses.replace(invoice, lines=())

    findings = check_booking(invoice, is_header_only=True)

    assert "PAY-TOT-01" not in rule_ids(findings)


def test_header_only_amount_due_below_the_gross_total_only_warns():
    invoice = dataclasses.replace(with_totals(payable=Decimal("100.00")), lines=())

    header_only = check_booking(invoice, is_header_only=True)
    with_lines = check_booking(with_totals(payable=Decimal("100.00")))

    assert only(header_only, "PAY-TOT-07").severity == "warning"
    assert only(with_lines, "PAY-TOT-07").severity == "error"


def test_seller_without_any_identity_is_an_error():
    findings = check_booking(an_invoice(seller=Party(name="Lumivalo Oy")))

    assert only(findings, "PAY-REQ-02").severity == "error"


def test_seller_registry_id_alone_is_identity_enough():
    findings = check_booking(an_invoice(seller=Party(name="Lumivalo Oy", registry_id="1234567-1")))

    assert findings == ()


@pytest.mark.parametrize(
    ("changes", "rule_id"),
    [
        ({"seller": Party(vat_id="FI12345671")}, "PAY-REQ-01"),
        ({"number": ""}, "PAY-REQ-03"),
        ({"issue_date": None}, "PAY-REQ-04"),
        ({"currency": ""}, "PAY-REQ-05"),
    ],
    ids=["seller-name", "number", "issue-date", "currency"],
)
def test_missing_booking_field_is_an_error(changes, rule_id):
    assert only(check_booking(an_invoice(**changes)), rule_id).severity == "error"


def test_missing_gross_total_is_an_error():
    findings = check_booking(with_totals(tax_inclusive=None))

    assert only(findings, "PAY-REQ-06").severity == "error"


def test_missing_amount_due_beside_a_gross_total_only_warns():
    findings = check_booking(with_totals(payable=None))

    assert only(findings, "PAY-REQ-06").severity == "warning"


def test_lowercase_currency_code_warns():
    assert only(check_booking(an_invoice(currency="eur")), "PAY-CUR-01").severity == "warning"


def test_currency_that_is_no_iso_code_is_an_error():
    assert only(check_booking(an_invoice(currency="EURO")), "PAY-CUR-01").severity == "error"


def test_due_date_before_issue_date_warns():
    findings = check_booking(an_invoice(due_date=date(2024, 3, 1)))

    assert only(findings, "PAY-DAT-01").severity == "warning"


def negated(invoice: Invoice) -> Invoice:
    totals = invoice.totals
    return dataclasses.replace(
        invoice,
        totals=dataclasses.replace(
            totals, tax_inclusive=-totals.tax_inclusive, payable=-totals.payable
        ),
    )


def test_ubl_credit_note_with_a_negative_amount_due_warns_about_its_sign():
    credit_note = negated(an_invoice(type_code="381"))

    findings = check_booking(credit_note, document_format="ubl")

    assert only(findings, "PAY-SGN-01").severity == "warning"


def test_finvoice_credit_note_with_a_negative_amount_due_is_normal():
    credit_note = negated(an_invoice(type_code="381"))

    findings = check_booking(credit_note, document_format="finvoice")

    assert "PAY-SGN-01" not in rule_ids(findings)


def test_finvoice_credit_note_with_a_positive_amount_due_warns_about_its_sign():
    findings = check_booking(an_invoice(type_code="381"), document_format="finvoice")

    assert only(findings, "PAY-SGN-01").severity == "warning"


def test_negative_invoice_correcting_another_is_noted_as_booking_as_a_credit():
    correction = negated(an_invoice(preceding_invoice="LV-2024-0101"))

    findings = check_booking(correction, document_format="ubl")

    assert only(findings, "PAY-SGN-02").severity == "info"


def test_negative_invoice_that_corrects_nothing_is_a_credit_note_in_disguise():
    findings = check_booking(negated(an_invoice()), document_format="ubl")

    finding = only(findings, "PAY-SGN-02")
    assert finding.severity == "error"
    assert "names no invoice it corrects (BT-25)" in finding.message


def test_negative_corrective_invoice_type_is_not_a_disguised_credit_note():
    findings = check_booking(negated(an_invoice(type_code="384")), document_format="cii")

    assert only(findings, "PAY-SGN-02").severity == "info"


def test_findings_of_a_file_with_several_invoices_name_the_invoice():
    parsed = ParsedDocument(
        format="ee-einvoice",
        invoices=(an_invoice(), an_invoice(number="")),
    )

    (finding,) = check_document(parsed)

    assert finding.location == "/invoice[2]/number (BT-1)"
