"""Estonian e-invoice fixtures (samples/ee-*.xml): valid against the official 1.2 XSD,
detected, read with the document's own totals, footer sums and credit notes.

No public samples exist, so the fixtures are ours: fictional companies with valid
registry and VAT number checksums.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree
from stdnum import iban
from stdnum.ee import kmkr, registrikood

import payables.einvoice as engine
from payables.einvoice import ee_einvoice
from payables.einvoice.model import ParseLimits
from payables.einvoice.tests.ee_support import (
    CONSISTENT,
    CREDIT_NOTE,
    DISCOUNTS,
    EEK,
    FIXTURE_IDS,
    FIXTURES,
    FOOTER_MISMATCH,
    THREE_INVOICES,
    XSD,
    actual_invoices,
    expected_invoices,
    parsed,
    rule_ids,
    schema,
    tree,
    variant,
)

# --- the fixtures themselves ---------------------------------------------------------------


def test_there_are_fixtures_for_every_standard_version():
    versions = {tree(path.name).xpath("string(/E_Invoice/Header/Version)") for path in FIXTURES}
    assert versions == {"1.1", "1.11", "1.2"}


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_fixture_validates_against_the_official_xsd(path):
    if not XSD.exists():
        pytest.skip(f"the Estonian e-invoice 1.2 XSD is absent: expected at {XSD}")
    document = etree.parse(str(path))
    assert schema().validate(document), schema().error_log.filter_from_errors()


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_fixture_identifiers_have_valid_checksums(path):
    root = tree(path.name).getroot()
    registry_codes = root.xpath("//RegNumber/text() | //Invoice/@regNumber")
    vat_numbers = root.xpath("//VATRegNumber/text()")
    accounts = root.xpath("//PayToAccount/text() | //AccountInfo/IBAN/text()")
    assert registry_codes and vat_numbers and accounts
    assert all(registrikood.is_valid(code) for code in registry_codes), registry_codes
    assert all(kmkr.is_valid(number) for number in vat_numbers), vat_numbers
    assert all(iban.is_valid(account) for account in accounts), accounts


# --- detection ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_the_registry_routes_the_fixture_to_this_module(path):
    assert engine.detect(path.read_bytes()) is ee_einvoice


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><Finvoice Version="3.0"/>',
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
        b"<Envelope><Body><E_Invoice/></Body></Envelope>",
        b"%PDF-1.7\n<E_Invoice>",
        b"",
    ],
    ids=["finvoice", "ubl", "e-invoice-not-at-the-root", "pdf", "empty"],
)
def test_detect_refuses_other_documents(data):
    assert not ee_einvoice.detect(data)


def test_detect_sees_past_a_bom_and_comments():
    data = b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- e-arve -->\n<E_Invoice><Header/></E_Invoice>'
    assert ee_einvoice.detect(data)


# --- every invoice, with the document's own totals -------------------------------------------


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_fixture_parses_into_one_invoice_per_invoice_element(path):
    count = len(tree(path.name).xpath("/E_Invoice/Invoice"))
    document = parsed(path.name)
    assert document.format == "ee-einvoice"
    assert len(document.invoices) == count


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_totals_and_vat_breakdown_equal_the_documents_own(path):
    assert actual_invoices(parsed(path.name)) == expected_invoices(path)


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_line_nets_add_up_to_the_line_total(path):
    for invoice in parsed(path.name).invoices:
        assert sum(line.line_net for line in invoice.lines) == invoice.totals.line_net_total


@pytest.mark.parametrize(
    ("name", "version"), [(EEK, "1.1"), (DISCOUNTS, "1.11"), (THREE_INVOICES, "1.2")]
)
def test_version_comes_from_the_header(name, version):
    assert parsed(name).version == version


def test_an_unknown_version_gives_a_warning():
    data = variant(CREDIT_NOTE, lambda root: setattr(root.find("Header/Version"), "text", "2.0"))
    document = ee_einvoice.parse(data, limits=ParseLimits())
    assert [f.severity for f in document.findings if f.rule_id == "EE-VERSION"] == ["warning"]


def test_a_file_marked_as_test_gives_a_warning():
    def mark(root):
        test = etree.Element("Test")
        test.text = "YES"
        root.find("Header").insert(0, test)

    document = ee_einvoice.parse(variant(CREDIT_NOTE, mark), limits=ParseLimits())
    assert "EE-TEST-FILE" in rule_ids(document)


# --- the footer's control sums ---------------------------------------------------------------


@pytest.mark.parametrize("path", CONSISTENT, ids=[p.name for p in CONSISTENT])
def test_a_consistent_fixture_has_no_blocking_findings(path):
    assert [f for f in parsed(path.name).findings if f.is_blocking] == []


def test_footer_invoice_count_mismatch_is_an_error_finding():
    findings = [f for f in parsed(FOOTER_MISMATCH).findings if f.rule_id == "EE-FOOTER-COUNT"]
    assert [(f.severity, f.location) for f in findings] == [
        ("error", "/E_Invoice/Footer/TotalNumberInvoices")
    ]


def test_footer_total_amount_mismatch_is_an_error_finding():
    findings = [f for f in parsed(FOOTER_MISMATCH).findings if f.rule_id == "EE-FOOTER-AMOUNT"]
    assert [(f.severity, f.location) for f in findings] == [
        ("error", "/E_Invoice/Footer/TotalAmount")
    ]


def test_footer_mismatch_still_reads_every_invoice():
    assert [i.number for i in parsed(FOOTER_MISMATCH).invoices] == ["KK-1187", "KK-1192"]


def test_footer_amount_one_cent_off_is_an_error_finding():
    def off_by_a_cent(root):
        total = root.find("Footer/TotalAmount")
        total.text = str(Decimal(total.text) + Decimal("0.01"))

    document = ee_einvoice.parse(variant(DISCOUNTS, off_by_a_cent), limits=ParseLimits())
    assert "EE-FOOTER-AMOUNT" in rule_ids(document)
    assert "EE-FOOTER-COUNT" not in rule_ids(document)


def test_a_missing_footer_gives_a_warning_not_a_crash():
    document = ee_einvoice.parse(
        variant(CREDIT_NOTE, lambda root: root.remove(root.find("Footer"))), limits=ParseLimits()
    )
    assert [f.severity for f in document.findings if f.rule_id == "EE-FOOTER-MISSING"] == [
        "warning"
    ]


# --- credit invoices -------------------------------------------------------------------------


def test_a_cre_invoice_is_a_credit_note():
    (invoice,) = parsed(CREDIT_NOTE).invoices
    assert (invoice.type_code, invoice.is_credit_note) == ("381", True)


def test_a_credit_note_keeps_its_amounts_as_stated_and_its_source_invoice():
    (invoice,) = parsed(CREDIT_NOTE).invoices
    assert invoice.preceding_invoice == "BK-2025-0912"
    assert invoice.totals.payable == Decimal("-401.39")
    assert [line.line_net for line in invoice.lines] == [Decimal("-258.00"), Decimal("-65.70")]


def test_deb_invoices_are_not_credit_notes():
    invoices = parsed(THREE_INVOICES).invoices
    assert [(i.type_code, i.is_credit_note) for i in invoices] == [("380", False)] * 3
