"""CII profiles (Factur-X MINIMUM to EXTENDED, XRechnung) and ZUGFeRD 1.0 map to the model."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from payables.einvoice import cii
from payables.einvoice.model import (
    AllowanceCharge,
    PaymentMeans,
    Totals,
)
from payables.einvoice.tests.cii_support import (
    BASIC_WL,
    CREDIT_NOTE,
    EVERY_TERM,
    EXTENDED_SUBLINES,
    MINIMUM,
    ZUGFERD1,
    parse_sample,
    rule_ids,
    sample,
)

# -- profiles ------------------------------------------------------------------------------


def test_minimum_profile_is_header_only_and_says_so():
    document = parse_sample(MINIMUM)
    invoice = document.invoices[0]
    assert (document.profile, document.is_header_only, invoice.lines) == ("MINIMUM", True, ())
    assert [(f.rule_id, f.severity) for f in document.findings] == [("PAY-CII-HEADER-ONLY", "info")]
    assert (invoice.totals.tax_exclusive, invoice.totals.payable) == (
        Decimal("100.00"),
        Decimal("125.50"),
    )
    assert (invoice.buyer_reference, invoice.order_reference) == ("DEPT-42", "PO-88")


def test_basic_wl_profile_is_header_only_with_vat_and_allowance():
    document = parse_sample(BASIC_WL)
    invoice = document.invoices[0]
    assert (document.profile, document.is_header_only, invoice.lines) == ("BASIC WL", True, ())
    assert rule_ids(document) == ["PAY-CII-HEADER-ONLY"]
    assert [(v.rate, v.taxable_amount, v.tax_amount) for v in invoice.vat_breakdown] == [
        (Decimal("14"), Decimal("87.00"), Decimal("12.35")),
        (Decimal("24"), Decimal("20.00"), Decimal("4.80")),
    ]
    assert invoice.allowances_charges == (
        AllowanceCharge(
            is_charge=False,
            amount=Decimal("3.00"),
            vat_category="S",
            vat_rate=Decimal("14"),
            reason="Returned crates",
        ),
    )
    assert invoice.payment_means == (
        PaymentMeans(code="58", iban="FI4950009420028730", payment_reference="1232"),
    )


def test_lines_in_a_header_only_profile_are_ignored_with_a_warning():
    line = (
        sample(CREDIT_NOTE)
        .split(b"<rsm:SupplyChainTradeTransaction>")[1]
        .split(b"<ram:ApplicableHeaderTradeAgreement>")[0]
    )
    document = parse_sample(
        MINIMUM,
        (b"<rsm:SupplyChainTradeTransaction>", b"<rsm:SupplyChainTradeTransaction>" + line),
    )
    assert document.invoices[0].lines == ()
    assert ("PAY-CII-HEADER-ONLY", "warning") in [
        (f.rule_id, f.severity) for f in document.findings
    ]


@pytest.mark.parametrize(
    ("guideline", "profile"),
    [
        ("urn:factur-x.eu:1p0:minimum", "MINIMUM"),
        ("urn:zugferd.de:2p0:minimum", "MINIMUM"),
        ("urn:factur-x.eu:1p0:basicwl", "BASIC WL"),
        ("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", "BASIC"),
        ("urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:basic", "BASIC"),
        ("urn:cen.eu:en16931:2017", "EN16931"),
        ("urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended", "EXTENDED"),
        ("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0", "xrechnung"),
        ("urn:ferd:CrossIndustryDocument:invoice:1p0:comfort", "COMFORT"),
        ("urn:ferd:CrossIndustryDocument:order:1p0:extended", ""),
        ("urn:example:unknown", ""),
    ],
)
def test_profile_is_named_from_the_guideline_id(guideline, profile):
    assert cii.profile_of(guideline) == profile


def test_unknown_profile_is_read_with_a_warning():
    document = parse_sample(
        EVERY_TERM, (b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>", b"<ram:ID>urn:x:y</ram:ID>")
    )
    assert (document.profile, document.invoices[0].customization_id) == ("", "urn:x:y")
    assert [(f.rule_id, f.severity) for f in document.findings] == [("PAY-CII-PROFILE", "warning")]


def test_extended_group_and_information_lines_are_not_counted():
    document = parse_sample(EXTENDED_SUBLINES)
    lines = document.invoices[0].lines
    assert [(line.id, line.line_net) for line in lines] == [
        ("1.1", Decimal("600.00")),
        ("1.2", Decimal("450.00")),
        ("2", Decimal("100.00")),
    ]
    assert sum(line.line_net for line in lines) == document.invoices[0].totals.line_net_total
    assert rule_ids(document) == ["PAY-CII-SUBLINE", "PAY-CII-SUBLINE"]


def test_type_code_381_is_a_credit_note_with_positive_amounts():
    invoice = parse_sample(CREDIT_NOTE).invoices[0]
    assert (invoice.type_code, invoice.is_credit_note) == ("381", True)
    assert (invoice.totals.payable, invoice.preceding_invoice) == (
        Decimal("188.25"),
        "INV-2024-0031",
    )


# -- ZUGFeRD 1.0 ---------------------------------------------------------------------------


def test_zugferd1_reports_its_own_format_version_and_profile():
    document = parse_sample(ZUGFERD1)
    assert (document.format, document.version, document.profile) == (
        "zugferd1",
        "1.0",
        "EXTENDED",
    )


def test_zugferd1_maps_to_the_same_model():
    invoice = parse_sample(ZUGFERD1).invoices[0]
    assert (invoice.number, invoice.type_code, invoice.is_credit_note) == ("GS-2014-7", "381", True)
    assert (invoice.issue_date, invoice.delivery_date) == (date(2014, 5, 12), date(2014, 5, 5))
    assert (invoice.order_reference, invoice.contract_reference, invoice.buyer_reference) == (
        "B-2014-33",
        "RV-12",
        "Einkauf 3",
    )
    assert (invoice.seller.vat_id, invoice.seller.tax_registration_id) == (
        "DE123456789",
        "201/113/40209",
    )
    assert invoice.payment_means == (
        PaymentMeans(
            code="31",
            iban="DE08700901001234567890",
            bic="GENODEF1M04",
            payment_reference="GS-2014-7",
        ),
    )
    assert [(v.rate, v.taxable_amount, v.tax_amount) for v in invoice.vat_breakdown] == [
        (Decimal("19.00"), Decimal("105.00"), Decimal("19.95")),
        (Decimal("7.00"), Decimal("40.00"), Decimal("2.80")),
    ]
    assert invoice.totals == Totals(
        line_net_total=Decimal("140.00"),
        allowance_total=Decimal("0.00"),
        charge_total=Decimal("5.00"),
        tax_exclusive=Decimal("145.00"),
        tax_total=Decimal("22.75"),
        tax_inclusive=Decimal("167.75"),
        prepaid=Decimal("0.00"),
        payable=Decimal("167.75"),
    )


def test_zugferd1_logistics_service_charge_is_a_document_charge():
    invoice = parse_sample(ZUGFERD1).invoices[0]
    assert invoice.allowances_charges == (
        AllowanceCharge(
            is_charge=True,
            amount=Decimal("5.00"),
            vat_category="S",
            vat_rate=Decimal("19.00"),
            reason="Rücktransport",
        ),
    )


def test_zugferd1_lines_without_line_id_are_numbered_by_position():
    document = parse_sample(ZUGFERD1)
    lines = document.invoices[0].lines
    assert [(line.id, line.name, line.quantity, line.vat_rate) for line in lines] == [
        ("2", "Trennblätter A4", Decimal("2.0000"), Decimal("19.00")),
        ("3", "Joghurt Banane", Decimal("4.0000"), Decimal("7.00")),
    ]
    assert "PAY-CII-LINE-ID" in rule_ids(document)


def test_zugferd1_note_only_line_is_skipped_with_its_note():
    document = parse_sample(ZUGFERD1)
    [finding] = [f for f in document.findings if f.rule_id == "PAY-CII-TEXT-LINE"]
    assert finding.severity == "info"
    assert "Rücksendung laut Retourenschein R-77" in finding.message
