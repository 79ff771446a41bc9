"""Line arithmetic and percentage allowances are review findings, not silent; rounding and
the readings real documents use are not; and the corpus says where the line is drawn."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from payables import einvoice
from payables.einvoice.model import AllowanceCharge, Line, Totals
from payables.einvoice.tests.corpus import CORPUS_DIR, corpus_files
from payables.einvoice.tests.test_validation_booking import an_invoice
from payables.einvoice.tests.validation_support import only
from payables.einvoice.validation import blocking, check_booking, check_document

ARITHMETIC = {"PAY-LINE-01", "PAY-AC-01"}
NO_NET_PRICE = CORPUS_DIR / "cii/zugferd-corpus/fail-noNetPriceValidation.xml"
PERCENT_OFF = (
    CORPUS_DIR
    / "cii/zugferd-corpus/not_validating_full_invoice_based_onTest_EeISI_300_CENfullmodel.cii.xml"
)
ACME_ZUGFERD1 = (
    CORPUS_DIR / "facturx-pdf/zugferd-corpus/zugferdv1-correct-acme_invoice-42_ZUGFeRD.pdf"
)
needs_corpus = pytest.mark.skipif(not NO_NET_PRICE.exists(), reason="the shared corpus is absent")


def with_line(**changes) -> Line:
    """Line 1 of the sample invoice (2 x 50.00 = 100.00) with some figures changed."""
    return dataclasses.replace(an_invoice().lines[0], **changes)


def line_findings(line: Line, **options) -> list:
    invoice = an_invoice(lines=(line, an_invoice().lines[1]))
    return [f for f in check_booking(invoice, **options) if f.rule_id == "PAY-LINE-01"]


def allowance(**changes) -> AllowanceCharge:
    """A 10.00 allowance of 10 % on a base of 100.00, with some figures changed."""
    charge = AllowanceCharge(
        is_charge=False,
        amount=Decimal("10.00"),
        base_amount=Decimal("100.00"),
        percentage=Decimal(10),
        vat_category="S",
        vat_rate=Decimal(24),
    )
    return dataclasses.replace(charge, **changes)


def ac_findings(charge: AllowanceCharge, **options) -> list:
    invoice = an_invoice(allowances_charges=(charge,))
    return [f for f in check_booking(invoice, **options) if f.rule_id == "PAY-AC-01"]


# --- line net (BT-131) -----------------------------------------------------------------


def test_a_line_net_no_reading_explains_is_a_review_finding_naming_both_amounts():
    # 3 x 50.00 is 150.00, and no other reading of the figures gives 100.00 either.
    [finding] = line_findings(with_line(quantity=Decimal(3)))

    assert finding.severity == "error"
    assert finding.location == "/invoice/lines[1]/line_net (BT-131)"
    assert "states 100.00" in finding.message and "gives 150.00" in finding.message


def test_a_line_net_rounded_from_a_finer_price_passes():
    # 2.7700 is a price rounded to the cent (2.773): 20 of them were 55.46, not 55.40.
    line = with_line(quantity=Decimal(20), net_price=Decimal("2.7700"), line_net=Decimal("55.46"))
    third = with_line(quantity=Decimal(3), net_price=Decimal("0.3333"), line_net=Decimal("1.00"))

    assert line_findings(line) == []
    assert line_findings(third) == []


def test_a_price_off_by_more_than_its_own_rounding_is_a_finding():
    # 0.1000 is taken to the cent: 400 x 0.10 = 40.00 is far from 316.00.
    line = with_line(
        quantity=Decimal("400.0000"),
        net_price=Decimal("0.1000"),
        price_base_quantity=Decimal("1.0000"),
        line_net=Decimal("316.00"),
    )

    assert [f.severity for f in line_findings(line)] == ["error"]


def test_a_cent_beyond_rounding_but_within_the_tolerance_only_warns():
    # 2 x 50.00 may be off by 0.015 from rounding (price and net to the cent), + 0.01.
    [finding] = line_findings(with_line(line_net=Decimal("100.02")))

    assert finding.severity == "warning"
    assert "within the rounding tolerance" in finding.message


def test_line_allowances_and_charges_count_in_the_line_net():
    line = with_line(
        line_net=Decimal("95.00"),
        allowances_charges=(
            AllowanceCharge(is_charge=False, amount=Decimal("10.00")),
            AllowanceCharge(is_charge=True, amount=Decimal("5.00")),
        ),
    )

    assert line_findings(line) == []
    assert [f.severity for f in line_findings(dataclasses.replace(line, line_net=Decimal(100)))]


def test_a_line_in_whole_forints_passes():
    # 64 x 36109.00 / 100 + 330.00 = 23439.76, invoiced as 23440.00 (HUF has no fillér).
    line = with_line(
        quantity=Decimal(64),
        net_price=Decimal("36109.00"),
        price_base_quantity=Decimal(100),
        line_net=Decimal("23440.00"),
        allowances_charges=(AllowanceCharge(is_charge=True, amount=Decimal("330.00")),),
    )
    invoice = an_invoice(lines=(line,), currency="HUF")

    assert [f for f in check_booking(invoice) if f.rule_id == "PAY-LINE-01"] == []
    eur = [f for f in check_booking(an_invoice(lines=(line,))) if f.rule_id == "PAY-LINE-01"]
    assert [f.severity for f in eur] == ["error"]


@pytest.mark.parametrize(
    ("changes", "reading"),
    [
        (  # the CEN examples put the price in BT-149
            {"price_base_quantity": Decimal("50.00")},
            "repeats the price",
        ),
        (  # older Odoo Factur-X puts the quantity in BT-149
            {"quantity": Decimal(15), "price_base_quantity": Decimal(15), "line_net": Decimal(750)},
            "repeats the quantity",
        ),
        ({"line_net": Decimal("-100.00")}, "the sign is turned"),
        ({"net_price": Decimal("100.00")}, "the amount of the whole line"),
        (  # 10000 kWh at 0.0520 stated as 52.00
            {"quantity": Decimal(10000), "net_price": Decimal("0.0520"), "line_net": Decimal(52)},
            "per 10 units",
        ),
        ({"net_price": Decimal("200.00")}, "for a year and the line bills a quarter"),
        (  # a surcharge line: 1 x 1.5 stated as 177.41
            {"quantity": Decimal(1), "net_price": Decimal("1.5"), "line_net": Decimal("100.00")},
            "quantity one",
        ),
    ],
)
def test_a_line_one_reading_explains_only_warns_and_names_it(changes, reading):
    line = with_line(**changes)
    invoice = an_invoice(lines=(line, an_invoice().lines[1]))
    invoice = dataclasses.replace(invoice, totals=Totals())  # the totals are not at issue

    [finding] = [f for f in check_booking(invoice) if f.rule_id == "PAY-LINE-01"]

    assert finding.severity == "warning"
    assert reading in finding.message


def test_a_stated_base_quantity_of_one_rules_out_a_price_per_batch():
    per_ten = {"quantity": Decimal(10000), "net_price": Decimal("0.0520"), "line_net": Decimal(52)}

    unstated = line_findings(with_line(**per_ten))
    stated = line_findings(with_line(**per_ten, price_base_quantity=Decimal(1)))

    assert [f.severity for f in unstated] == ["warning"]
    assert [f.severity for f in stated] == ["error"]


def test_finvoice_and_estonian_line_arithmetic_only_warns():
    line = with_line(quantity=Decimal(3))

    for document_format in ("finvoice", "ee-einvoice"):
        findings = line_findings(line, document_format=document_format)
        assert [f.severity for f in findings] == ["warning"]
    assert [f.severity for f in line_findings(line, document_format="ubl")] == ["error"]


# --- allowances and charges with a percentage (BT-92..94, BT-99..101, BG-27/28) --------


def test_an_allowance_not_its_base_times_its_percentage_is_a_review_finding():
    [finding] = ac_findings(allowance(percentage=Decimal(1)))

    assert finding.severity == "error"
    assert finding.location == "/invoice/allowances_charges[1]/amount"
    assert "states 10.00" in finding.message and "gives 1.00" in finding.message


def test_a_line_allowance_is_checked_at_its_place():
    line = with_line(
        line_net=Decimal("90.00"), allowances_charges=(allowance(percentage=Decimal(1)),)
    )

    [finding] = [f for f in check_booking(an_invoice(lines=(line,))) if f.rule_id == "PAY-AC-01"]

    assert finding.severity == "error"
    assert finding.location == "/invoice/lines[1]/allowances_charges[1]/amount"


def test_an_allowance_rounded_to_the_cent_passes():
    # 19 % of 83654.15 is 15894.2885; 15894.27 is within the rounding of the figures.
    charge = allowance(
        amount=Decimal("15894.27"),
        base_amount=Decimal("83654.15"),
        percentage=Decimal("19.0000"),
    )

    assert ac_findings(charge) == []
    assert ac_findings(allowance(amount=Decimal("10.004"))) == []


def test_an_allowance_stated_with_the_sign_of_its_correction_only_warns():
    # A correction invoice: -2 % of -5.00 stated as -0.10.
    charge = allowance(
        amount=Decimal("-0.10"), base_amount=Decimal("-5.00"), percentage=Decimal("-2.00")
    )

    [finding] = ac_findings(charge)

    assert finding.severity == "warning"
    assert "but for the sign" in finding.message


def test_a_charge_on_part_of_its_base_only_warns():
    # German insurance tax: 22 % on 60 % of the premium, stated with the whole premium.
    charge = allowance(
        is_charge=True,
        amount=Decimal("33349.38"),
        base_amount=Decimal("252646.80"),
        percentage=Decimal("22.0000"),
    )

    [finding] = ac_findings(charge)

    assert finding.severity == "warning"
    assert "part of the base" in finding.message


def test_a_percentage_allowance_in_finvoice_only_warns():
    findings = ac_findings(allowance(percentage=Decimal(1)), document_format="finvoice")

    assert [f.severity for f in findings] == ["warning"]


# --- a missing tax exclusive amount (BT-109) -------------------------------------------


def test_a_missing_tax_exclusive_amount_is_derived_with_a_warning():
    invoice = an_invoice()
    invoice = dataclasses.replace(
        invoice, totals=dataclasses.replace(invoice.totals, tax_exclusive=None)
    )

    findings = check_booking(invoice)

    finding = only(findings, "PAY-REQ-06")
    assert finding.severity == "warning"
    assert "derived as 140.00" in finding.message  # 150.00 of lines less the 10.00 allowance
    assert blocking(findings) == ()


def test_a_missing_tax_exclusive_amount_is_derived_and_then_checked():
    invoice = an_invoice()
    totals = dataclasses.replace(invoice.totals, tax_exclusive=None, tax_inclusive=Decimal(200))
    invoice = dataclasses.replace(invoice, totals=totals)

    findings = check_booking(invoice)

    assert only(findings, "PAY-TOT-06").severity == "error"


# --- the corpus --------------------------------------------------------------------------


@needs_corpus
def test_the_corpus_negatives_get_their_arithmetic_findings():
    no_net_price = check_document(einvoice.parse(NO_NET_PRICE.read_bytes()))
    percent_off = check_document(einvoice.parse(PERCENT_OFF.read_bytes()))

    [line] = blocking(no_net_price)
    assert (line.rule_id, line.location) == ("PAY-LINE-01", "/invoice/lines[1]/line_net (BT-131)")
    assert "states 316.00" in line.message and "gives 40.00" in line.message
    places = sorted(f.location for f in blocking(percent_off) if f.rule_id == "PAY-AC-01")
    assert places == [
        "/invoice/allowances_charges[1]/amount",
        "/invoice/allowances_charges[2]/amount",
        "/invoice/lines[1]/allowances_charges[1]/amount",
        "/invoice/lines[1]/allowances_charges[2]/amount",
    ]


VALID = (
    corpus_files("ubl", expected="valid")
    + corpus_files("cii", expected="valid")
    + corpus_files("facturx-pdf", expected="valid")
    + corpus_files("finvoice", expected="valid")
)


@pytest.mark.parametrize(("path", "row"), VALID)
def test_no_valid_corpus_file_has_an_arithmetic_review_finding(path, row):
    findings = check_document(einvoice.parse(path.read_bytes()))

    assert [f for f in blocking(findings) if f.rule_id in ARITHMETIC] == []


@needs_corpus
def test_a_zugferd1_basic_document_with_a_free_text_line_books_on_its_totals():
    parsed = einvoice.parse(ACME_ZUGFERD1.read_bytes())

    findings = check_document(parsed)

    assert parsed.invoices[0].lines == ()
    assert ("PAY-CII-TEXT-LINE", "info") in [(f.rule_id, f.severity) for f in parsed.findings]
    assert blocking(findings) == ()
    messages = [f.message for f in findings if f.rule_id == "PAY-REQ-06"]
    assert any("(BT-109) is missing; derived as 100" in message for message in messages)
