"""E-invoices come in with the document's own amount due, identity and answers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from payables.einvoice.tests.corpus import CORPUS_DIR
from payables.invoices.models import Invoice
from payables.invoices.services.einvoice_import import import_einvoice

SAMPLES = Path(__file__).resolve().parents[2] / "einvoice/tests/samples"
UBL_SAMPLE = SAMPLES / "validation-ubl-invoice-two-vat-rates.xml"
PAYABLE = '<cbc:PayableAmount currencyID="EUR">166.60</cbc:PayableAmount>'
XRECHNUNG_PREPAID = CORPUS_DIR / "cii/xrechnung-testsuite/02.03a-INVOICE_uncefact.xml"


def ubl_with_totals(*, prepaid: str | None = None, payable: str = "166.60") -> bytes:
    """The two-rate UBL sample (total 166.60) with a prepaid amount and amount due."""
    text = UBL_SAMPLE.read_text(encoding="utf-8")
    assert PAYABLE in text
    totals = f'<cbc:PayableAmount currencyID="EUR">{payable}</cbc:PayableAmount>'
    if prepaid is not None:
        totals = f'<cbc:PrepaidAmount currencyID="EUR">{prepaid}</cbc:PrepaidAmount>' + totals
    return text.replace(PAYABLE, totals).encode()


def imported(document) -> Invoice:
    [result] = document.results
    assert result.outcome == "imported", (result.detail, result.errors)
    return Invoice.objects.get(pk=result.invoice_id)


def test_negative_prepaid_raises_the_amount_due(api, actor):
    invoice = imported(
        import_einvoice(ubl_with_totals(prepaid="-273.40", payable="440.00"), actor=actor)
    )
    assert invoice.prepaid_amount == Decimal("-273.40")
    assert invoice.amount_due == Decimal("440.00")
    assert invoice.payments.count() == 0
    assert not invoice.needs_review
    body = api.get(f"/invoices/{invoice.id}").json()
    assert (body["prepaid_amount"], body["amount_due"]) == ("-273.40", "440.00")


def test_positive_prepaid_lowers_the_amount_due_without_a_payment(actor):
    invoice = imported(
        import_einvoice(ubl_with_totals(prepaid="66.60", payable="100.00"), actor=actor)
    )
    assert (invoice.prepaid_amount, invoice.amount_due) == (Decimal("66.60"), Decimal("100.00"))
    assert invoice.payments.count() == 0


def test_amount_due_other_than_the_documents_is_flagged_and_said(company, actor):
    company.einvoice_invalid_policy = "needs_review"
    company.save()
    document = import_einvoice(ubl_with_totals(payable="100.00"), actor=actor)
    invoice = imported(document)
    assert invoice.amount_due == Decimal("166.60")
    assert invoice.needs_review and document.needs_review
    assert any(f["rule_id"] == "PAY-DUE" for f in invoice.metadata["findings"])
    assert any("states 100.00 EUR due" in w for w in document.warnings)


@pytest.mark.skipif(not XRECHNUNG_PREPAID.exists(), reason="the shared corpus is absent")
def test_fully_prepaid_xrechnung_is_stored_with_nothing_due(actor, settings):
    settings.PAYABLES_EINVOICE_SCHEMA_DIR = CORPUS_DIR / "xsd"
    settings.PAYABLES_EINVOICE_RULES_DIR = CORPUS_DIR / "xslt" / "en16931"
    invoice = imported(import_einvoice(XRECHNUNG_PREPAID.read_bytes(), actor=actor))
    assert invoice.gross_amount == Decimal("12829.69")
    assert invoice.amount_due == Decimal("0")
