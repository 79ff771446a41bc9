"""Shared helpers of the CII tests: the samples, parsing them, and reading expected values
from corpus files with plain lxml XPath, independently of the parser under test.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

from lxml import etree

from payables.einvoice import cii
from payables.einvoice.model import (
    ParsedDocument,
    ParseLimits,
)
from payables.einvoice.tests.corpus import SAMPLES_DIR

LIMITS = ParseLimits()
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
SETTLEMENT = (
    "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
)

EVERY_TERM = "cii-en16931-every-model-term.xml"
MINIMUM = "cii-factur-x-minimum-header-only.xml"
BASIC_WL = "cii-factur-x-basic-wl-document-allowance.xml"
EXTENDED_SUBLINES = "cii-factur-x-extended-group-detail-and-information-lines.xml"
CREDIT_NOTE = "cii-en16931-credit-note-381.xml"
ZUGFERD1 = "cii-zugferd-1.0-extended-credit-note-freight-and-text-line.xml"


@cache
def parsed(path: Path) -> ParsedDocument:
    return cii.parse(path.read_bytes(), limits=LIMITS)


def sample(name: str) -> bytes:
    return (SAMPLES_DIR / name).read_bytes()


def parse_sample(name: str, *replacements: tuple[bytes, bytes], limits=LIMITS) -> ParsedDocument:
    """Parse a sample, after replacing byte strings that must each occur in it."""
    data = sample(name)
    for old, new in replacements:
        assert old in data, old
        data = data.replace(old, new)
    return cii.parse(data, limits=limits)


def rule_ids(document: ParsedDocument) -> list[str]:
    return [finding.rule_id for finding in document.findings]


def document_settlement(path: Path) -> etree._Element:
    return etree.parse(str(path)).xpath(SETTLEMENT, namespaces=NS)[0]


def exact(values: list[str]) -> str | None:
    """The first value as the document writes it (stripped), or None."""
    return values[0].strip() if values else None


def as_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
