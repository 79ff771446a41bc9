"""Finvoice 1.x-3.0 corpus and detection: every file reads with its own totals and VAT,
and the hand-made samples are valid against the official schema.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from payables import einvoice
from payables.einvoice import finvoice
from payables.einvoice.errors import (
    EInvoiceError,
    MalformedDocument,
)
from payables.einvoice.tests.corpus import CORPUS_DIR, SAMPLES_DIR, corpus_files, manifest
from payables.einvoice.tests.finvoice_support import (
    CREDIT_NOTE,
    FRAME,
    SUB_ROWS,
    UTF8_BOM,
    WINDOWS_1252,
    corpus_pair,
    finvoice_root,
    manifest_gross,
    only_invoice,
    parse,
    sample,
    stated_totals,
    stated_vat,
    without_routing,
)

# --- the corpus --------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "row"), corpus_files("finvoice", expected="valid"))
def test_valid_corpus_file_has_the_documents_own_totals(path: Path, row: dict[str, str]) -> None:
    data = path.read_bytes()
    totals = only_invoice(data).totals
    expected = stated_totals(finvoice_root(data))
    assert {name: getattr(totals, name) for name in expected} == expected
    assert totals.tax_inclusive == manifest_gross(row)


@pytest.mark.parametrize(("path", "row"), corpus_files("finvoice", expected="valid"))
def test_valid_corpus_file_has_the_documents_own_vat_breakdown(
    path: Path, row: dict[str, str]
) -> None:
    data = path.read_bytes()
    breakdown = only_invoice(data).vat_breakdown
    parsed = [(vat.taxable_amount, vat.rate, vat.tax_amount) for vat in breakdown]
    assert parsed == stated_vat(finvoice_root(data))


@pytest.mark.parametrize(("path", "row"), corpus_files("finvoice", expected="unknown"))
def test_older_version_corpus_file_has_the_gross_total_of_the_manifest(
    path: Path, row: dict[str, str]
) -> None:
    assert only_invoice(path.read_bytes()).totals.tax_inclusive == manifest_gross(row)


@pytest.mark.parametrize(
    ("path", "row"),
    corpus_files("finvoice", expected="invalid") + corpus_files("finvoice", expected="unknown"),
)
def test_invalid_or_unknown_corpus_file_parses_or_fails_cleanly(
    path: Path, row: dict[str, str]
) -> None:
    try:
        document = parse(path.read_bytes())
    except EInvoiceError as error:
        assert error.findings
    else:
        assert document.invoices


def test_corpus_file_that_is_not_well_formed_is_refused_with_its_line() -> None:
    rows = [r for r in manifest() if r["notes"].startswith("not well-formed")]
    if not rows:
        pytest.skip("the shared corpus is absent: expected at ../shared/corpus")
    with pytest.raises(MalformedDocument) as refused:
        parse((CORPUS_DIR / rows[0]["path"]).read_bytes())
    assert refused.value.findings[0].location.startswith("line ")


@pytest.mark.parametrize("version", ["13", "20", "201", "30"])
def test_soap_framed_and_bare_versions_give_the_same_invoice(version: str) -> None:
    bare, framed = corpus_pair(version)
    assert [without_routing(i) for i in parse(framed).invoices] == [
        without_routing(i) for i in parse(bare).invoices
    ]


@pytest.mark.parametrize(
    ("version", "expected"), [("13", "1.3"), ("20", "2.0"), ("201", "2.01"), ("30", "3.0")]
)
def test_version_comes_from_the_finvoice_version_attribute(version: str, expected: str) -> None:
    bare, framed = corpus_pair(version)
    assert (parse(bare).version, parse(framed).version) == (expected, expected)


# --- detection ---------------------------------------------------------------------------


def test_detect_claims_a_bare_finvoice() -> None:
    assert finvoice.detect(sample(CREDIT_NOTE))


def test_detect_claims_a_finvoice_behind_its_soap_frame() -> None:
    assert finvoice.detect(FRAME + sample(CREDIT_NOTE))


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:'
        b'Invoice-2"><Note>Finvoice</Note></Invoice>',
        b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:'
        b'CrossIndustryInvoice:100"/>',
        b'<?xml version="1.0"?><E_Invoice><Header/></E_Invoice>',
        FRAME,
        b"%PDF-1.7\n",
        b"",
    ],
    ids=["ubl", "cii", "ee-einvoice", "frame-alone", "pdf", "empty"],
)
def test_detect_leaves_other_documents_alone(data: bytes) -> None:
    assert not finvoice.detect(data)


@pytest.mark.parametrize(
    ("path", "row"),
    corpus_files("ubl") + corpus_files("cii") + corpus_files("facturx-pdf"),
)
def test_detect_does_not_claim_other_corpus_formats(path: Path, row: dict[str, str]) -> None:
    assert not finvoice.detect(path.read_bytes())


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in SAMPLES_DIR.glob("*.xml") if not p.name.startswith("finvoice-")),
)
def test_detect_does_not_claim_other_formats_samples(name: str) -> None:
    assert not finvoice.detect(sample(name))


def test_registry_reads_a_soap_framed_finvoice_as_finvoice() -> None:
    document = einvoice.parse(FRAME + sample(CREDIT_NOTE))
    assert (document.format, document.version) == ("finvoice", "3.0")


# --- the samples themselves --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        (CREDIT_NOTE, "finvoice-3.0/Finvoice3.0.xsd"),
        (UTF8_BOM, "finvoice-3.0/Finvoice3.0.xsd"),
        (WINDOWS_1252, "finvoice-2.01/Finvoice2.01.xsd"),
        (SUB_ROWS, "finvoice-2.01/Finvoice2.01.xsd"),
    ],
)
def test_own_sample_is_valid_against_the_official_schema(name: str, schema: str) -> None:
    path = CORPUS_DIR / "xsd" / schema
    if not path.exists():
        pytest.skip("the shared corpus is absent: expected at ../shared/corpus")
    xsd = etree.XMLSchema(etree.parse(str(path)))
    document = etree.fromstring(sample(name), etree.XMLParser(resolve_entities=False))
    assert xsd.validate(document), xsd.error_log
