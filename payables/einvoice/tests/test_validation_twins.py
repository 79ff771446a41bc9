"""The same invoice in UBL and in CII gets the same verdict.

The corpus holds invoices published in both syntaxes: the CEN examples
(``ubl/en16931/ubl-tc434-exampleN.xml`` and ``cii/en16931/CII_exampleN.xml``) and the
XRechnung test suite's business cases (``*_ubl.xml`` and ``*_uncefact.xml``). Each pair is
held to the CEN rules of its syntax, and the XRechnung ones to XRechnung's rules too: both
must be accepted, or both refused.
"""

from __future__ import annotations

import re

import pytest

from payables.einvoice import parse
from payables.einvoice.tests.corpus import CORPUS_DIR, manifest
from payables.einvoice.tests.validation_support import SCHEMA_DIR
from payables.einvoice.validation import blocking, validate

PAIRS = (
    (r"ubl/en16931/ubl-tc434-example(\d+)\.xml", "cii/en16931/CII_example{}.xml"),
    (
        r"ubl/xrechnung-testsuite/(.+)_ubl\.xml",
        "cii/xrechnung-testsuite/{}_uncefact.xml",
    ),
)


def twins() -> list:
    """(UBL path, CII path) of every invoice the corpus has in both syntaxes."""
    paths = {row["path"] for row in manifest()}
    found = []
    for pattern, cii in PAIRS:
        for path in sorted(paths):
            match = re.fullmatch(pattern, path)
            if match and cii.format(match.group(1)) in paths:
                twin = cii.format(match.group(1))
                found.append(pytest.param(path, twin, id=match.group(1)))
    if not found:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason="no corpus"), id="none")]
    return found


def refusing_rules(relative: str) -> set[str]:
    data = (CORPUS_DIR / relative).read_bytes()
    return {f.rule_id for f in blocking(validate(data, parse(data), schema_dir=SCHEMA_DIR))}


def test_the_corpus_has_enough_twins_to_compare():
    if not manifest():
        pytest.skip("the shared corpus is absent")
    assert len(twins()) >= 40


@pytest.mark.parametrize(("ubl", "cii"), twins())
def test_same_invoice_in_ubl_and_cii_gets_the_same_verdict(ubl, cii):
    ubl_rules, cii_rules = refusing_rules(ubl), refusing_rules(cii)

    assert bool(ubl_rules) == bool(cii_rules), f"UBL refused by {ubl_rules}, CII by {cii_rules}"
