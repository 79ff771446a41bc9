"""What a document declares (standard, version, profile, CIUS) and the rules it gets."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from lxml import etree

from payables.einvoice import parse
from payables.einvoice.tests.corpus import CORPUS_DIR
from payables.einvoice.tests.validation_support import (
    CII_SAMPLE,
    SCHEMA_DIR,
    UBL_SAMPLE,
    only,
    root_of,
    rule_ids,
)
from payables.einvoice.validation import blocking, describe, identify, validate
from payables.einvoice.validation.artefacts import PACKAGED_DIR, ZUGFERD2, Folders
from payables.einvoice.validation.schematron import check_rules, stylesheets
from payables.einvoice.validation.versions import declared_cii, declared_ubl
from payables.einvoice.validation.xsd import schema_path

EN16931 = "urn:cen.eu:en16931:2017"
XRECHNUNG = f"{EN16931}#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL = f"{EN16931}#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"


def installed(artefact: str) -> pytest.MarkDecorator:
    """Skip unless the official artefact set is installed (they are not committed)."""
    return pytest.mark.skipif(
        not Folders().has(artefact),
        reason=f"{artefact} is not installed in {PACKAGED_DIR} (see its README)",
    )


needs_corpus = pytest.mark.skipif(not SCHEMA_DIR.is_dir(), reason="the shared corpus is absent")


@pytest.mark.parametrize(
    ("guideline", "filename", "label"),
    [
        ("urn:factur-x.eu:1p0:minimum", "factur-x.xml", "Factur-X 1.0 MINIMUM"),
        ("urn:zugferd.de:2p0:basicwl", "zugferd-invoice.xml", "ZUGFeRD 2.0 BASIC WL"),
        (f"{EN16931}#compliant#urn:zugferd.de:2p0:basic", "", "ZUGFeRD 2.0 BASIC"),
        (f"{EN16931}#conformant#urn:factur-x.eu:1p0:extended", "", "Factur-X 1.0 EXTENDED"),
        (EN16931, "zugferd-invoice.xml", "ZUGFeRD 2.0 EN16931"),
        (EN16931, "factur-x.xml", "Factur-X 1.0 EN16931"),
        (XRECHNUNG, "xrechnung.xml", "XRechnung 3.0"),
        (f"{EN16931}#compliant#urn:xoev-de:kosit:standard:xrechnung_2.3", "", "XRechnung 2.3"),
        (PEPPOL, "", "Peppol BIS Billing 3.0"),
    ],
)
def test_hybrid_cii_declares_its_standard_version_and_profile(guideline, filename, label):
    assert declared_cii(guideline, xml_filename=filename, is_hybrid=True).label == label


def test_bare_cii_with_the_en16931_id_is_plain_en16931_not_factur_x():
    declared = declared_cii(EN16931)

    assert (declared.label, declared.is_facturx) == ("EN 16931", False)


def test_a_draft_factur_x_id_is_factur_x_but_marked_unknown():
    declared = declared_cii(f"{EN16931}:compliant:factur-x.eu:1p0:basic")

    assert (declared.label, declared.known_id) == ("Factur-X 1.0 BASIC", False)


def test_ubl_declares_its_cius():
    assert declared_ubl(XRECHNUNG).cius == "xrechnung"
    assert declared_ubl(EN16931).label == "EN 16931"


def test_identify_exposes_syntax_and_label():
    ubl = identify(root_of(UBL_SAMPLE.read_bytes()))
    cii = identify(root_of(CII_SAMPLE.read_bytes()), is_hybrid=True, xml_filename="factur-x.xml")

    assert (ubl.syntax, ubl.standard, ubl.cius) == ("UBL", "EN 16931", "peppol-bis3")
    assert (cii.syntax, cii.label, cii.is_facturx) == ("CII", "Factur-X 1.0 EN16931 (CII)", True)


def test_non_factur_x_cii_gets_the_cen_rules_and_a_factur_x_one_its_profile_rules():
    plain = identify(root_of(CII_SAMPLE.read_bytes()))
    hybrid = identify(root_of(CII_SAMPLE.read_bytes()), is_hybrid=True)

    assert {s.kind for s in stylesheets(plain)} <= {"cen", "stand-in"}
    assert [s.name for s in stylesheets(hybrid)] == ["Factur-X"]


# -- the versions of the corpus ----------------------------------------------------------


def corpus_file(relative: str) -> tuple[bytes, object]:
    path = CORPUS_DIR / relative
    if not path.exists():
        pytest.skip("the shared corpus is absent")
    data = path.read_bytes()
    return data, parse(data)


ZF = "facturx-pdf/zugferd-corpus/"


@pytest.mark.parametrize(
    ("relative", "label", "version"),
    [
        (
            f"{ZF}zugferdv1-correct-ZUGFeRD_1p0_COMFORT_Einfach.pdf",
            "ZUGFeRD 1.0 COMFORT",
            "ZUGFeRD 1.0",
        ),
        (
            f"{ZF}zugferdv2-correct-zugferd_2p0_EN16931_Einfach.pdf",
            "ZUGFeRD 2.0 EN16931",
            "ZUGFeRD 2.0",
        ),
        (f"{ZF}zugferdv2-correct-zugferd_2p0_MINIMUM.pdf", "ZUGFeRD 2.0 MINIMUM", "ZUGFeRD 2.0"),
        (f"{ZF}zugferdv2-correct-Facture_FR_BASICWL.pdf", "Factur-X 1.0 BASIC WL", "Factur-X 1.0"),
        ("cii/xrechnung-testsuite/01.01a-INVOICE_uncefact.xml", "XRechnung 3.0", "D16B"),
        ("ubl/peppol-bis3/base-example.xml", "Peppol BIS Billing 3.0", "2.1"),
    ],
)
def test_corpus_documents_declare_their_version(relative, label, version):
    data, parsed = corpus_file(relative)

    assert describe(data, parsed).label.startswith(label)
    assert parsed.version == version  # what the import records


@installed(ZUGFERD2)
@pytest.mark.parametrize(
    "name",
    [
        "zugferd_2p0_EN16931_Rabatte.pdf",  # ram:ActualAmount, refused by Factur-X 1.0.x XSDs
        "zugferd_2p0_EN16931_ElektronischeAdresse.pdf",  # an EAS code of 2019
        "zugferd_2p0_BASIC_Einfach.pdf",
        "zugferd_2p0_EXTENDED_Warenrechnung.pdf",  # unit codes of ZUGFeRD 2.0
    ],
)
def test_zugferd_2_0_pdfs_pass_the_zugferd_2_0_1_schema_and_rules(name):
    data, parsed = corpus_file(f"{ZF}zugferdv2-correct-{name}")

    findings = validate(data, parsed, schema_dir=SCHEMA_DIR)

    assert blocking(findings) == ()
    assert "zugferd2p0_" in schema_path(describe(data, parsed)).name


@installed(ZUGFERD2)
def test_zugferd_2_0_too_large_for_its_rules_gets_the_current_ones_and_says_so():
    _data, parsed = corpus_file(f"{ZF}zugferdv2-correct-zugferd_2p0_EN16931_Einfach.pdf")
    root = etree.fromstring(parsed.xml)
    transaction = root.find("{*}SupplyChainTradeTransaction")
    line = transaction.find("{*}IncludedSupplyChainTradeLineItem")
    for _ in range(40):
        line.addprevious(copy.deepcopy(line))

    document = identify(root, is_hybrid=True, xml_filename="zugferd-invoice.xml")
    findings = check_rules(root, document)

    assert "more than the ZUGFeRD 2.0.1 rules" in only(findings, "PAY-RULES-STAND-IN").message


@needs_corpus
def test_zugferd_1_with_an_order_guideline_is_refused():
    data, parsed = corpus_file(f"{ZF}zugferdv1-fail-fail3.pdf")

    assert "PAY-GUIDELINE" in rule_ids(blocking(validate(data, parsed, schema_dir=SCHEMA_DIR)))


@installed("peppol-bis3/2026.5")
def test_peppol_document_breaking_a_peppol_rule_is_refused():
    data, _parsed = corpus_file("ubl/peppol-bis3/base-example.xml")
    broken = data.replace(b"<cbc:ProfileID>", b"<cbc:Note>", 1).replace(
        b"</cbc:ProfileID>", b"</cbc:Note>", 1
    )

    findings = validate(broken, parse(broken), schema_dir=SCHEMA_DIR)

    assert "PEPPOL-EN16931-R001" in rule_ids(blocking(findings))


@installed("xrechnung/3.0.2")
@pytest.mark.parametrize(
    "relative",
    [
        "cii/xrechnung-testsuite/01.01a-INVOICE_uncefact.xml",
        "ubl/xrechnung-testsuite/01.01a-INVOICE_ubl.xml",
    ],
)
def test_xrechnung_without_a_buyer_reference_breaks_br_de_15(relative):
    data, _parsed = corpus_file(relative)
    root = etree.fromstring(data)
    (reference,) = root.xpath("//*[local-name()='BuyerReference']")
    reference.getparent().remove(reference)
    broken = etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    findings = validate(broken, parse(broken), schema_dir=SCHEMA_DIR)

    assert "BR-DE-15" in rule_ids(blocking(findings))


def test_without_artefacts_the_factur_x_bundle_still_checks_and_says_what_is_missing(
    tmp_path: Path,
):
    data = CII_SAMPLE.read_bytes().replace(
        b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>", b"<ram:ID>%s</ram:ID>" % XRECHNUNG.encode()
    )

    findings = validate(data, parse(data), artefacts_dir=tmp_path)

    assert "XRechnung" in only(findings, "PAY-RULES-SKIPPED").message
    assert blocking(findings) == ()
