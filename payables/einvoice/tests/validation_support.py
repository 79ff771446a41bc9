"""Shared samples and helpers of the validation tests."""

from __future__ import annotations

import pytest
from lxml import etree

from payables.einvoice.model import Finding
from payables.einvoice.tests.corpus import CORPUS_DIR, SAMPLES_DIR
from payables.einvoice.validation import check_well_formed

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


def only(findings: tuple[Finding, ...], rule_id: str) -> Finding:
    (finding,) = [f for f in findings if f.rule_id == rule_id]
    return finding
