"""Finvoice 3.0 rendering over the shared corpus: every Finvoice, UBL and CII document the
reader parses renders as Finvoice that the official Finvoice3.0.xsd accepts, and reads back
with the same amounts, VAT per rate, number, dates, parties and rows.

The schema refuses one thing on purpose: an invoice number over Finvoice's 20 characters is
written whole (cut, it would name another invoice); the corpus has two (Greek Peppol
examples, labelled invalid).
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import pytest

from payables import einvoice
from payables.einvoice import finvoice
from payables.einvoice.errors import EInvoiceError
from payables.einvoice.model import Invoice, Party
from payables.einvoice.tests.corpus import SAMPLES_DIR, corpus_files
from payables.einvoice.tests.finvoice_render_support import (
    carried,
    round_trip,
    schema_errors,
    sign_of,
)

DOCUMENTS = [*corpus_files("finvoice"), *corpus_files("ubl"), *corpus_files("cii")]
FINVOICE_SOURCES = [
    *corpus_files("finvoice"),
    *(
        pytest.param(path, {}, id=f"samples/{path.name}")
        for path in sorted(SAMPLES_DIR.glob("finvoice-*.xml"))
    ),
]
MAX_INVOICE_NUMBER = 20


@cache
def _parsed(path: Path) -> tuple[Invoice, ...] | str:
    try:
        return einvoice.parse(path.read_bytes()).invoices
    except EInvoiceError as error:
        return str(error)


def invoices_of(path: Path) -> tuple[Invoice, ...]:
    parsed = _parsed(path)
    if isinstance(parsed, str):
        pytest.skip(f"payables' reader refuses this document: {parsed}")
    return parsed


@pytest.mark.parametrize(("path", "row"), DOCUMENTS)
def test_rendered_finvoice_is_valid_against_the_finvoice_30_schema(path: Path, row: dict) -> None:
    for invoice in invoices_of(path):
        errors = schema_errors(finvoice.render(invoice))
        if len(invoice.number) > MAX_INVOICE_NUMBER:
            assert len(errors) == 1
            assert "'InvoiceNumber': [facet 'maxLength']" in errors[0]
        else:
            assert errors == []


@pytest.mark.parametrize(("path", "row"), DOCUMENTS)
def test_rendered_finvoice_reads_back_as_the_same_invoice(path: Path, row: dict) -> None:
    for invoice in invoices_of(path):
        assert carried(round_trip(invoice)) == carried(invoice, sign=sign_of(invoice))


def without_routing(party: Party) -> Party:
    return dataclasses.replace(party, electronic_address="", electronic_address_scheme="")


@pytest.mark.parametrize(("path", "row"), FINVOICE_SOURCES)
def test_a_finvoice_rendered_again_reads_back_whole_but_for_its_routing(
    path: Path, row: dict
) -> None:
    """Written from a Finvoice, everything comes back but the transmission's data."""
    for invoice in invoices_of(path):
        expected = dataclasses.replace(
            invoice,
            seller=without_routing(invoice.seller),
            buyer=without_routing(invoice.buyer),
            customization_id="",
            due_date=invoice.due_date or invoice.issue_date,
        )
        assert round_trip(invoice) == expected


def test_the_corpus_is_rendered_in_every_source_format() -> None:
    """Guards the tests above: they cover the three formats, not an empty corpus."""
    folders = {str(p.id).split("/", 1)[0] for p in DOCUMENTS if p.id != "no-corpus"}
    if not folders:
        pytest.skip("the shared corpus is absent: expected at ../shared/corpus")
    assert folders == {"finvoice", "ubl", "cii"}
