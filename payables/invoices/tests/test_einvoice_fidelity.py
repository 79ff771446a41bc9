"""E-invoices come in with the document's own amount due, identity and answers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from payables.conftest import invoice_data
from payables.einvoice.tests.corpus import CORPUS_DIR
from payables.invoices.inputs import InvoiceIn
from payables.invoices.models import Invoice
from payables.invoices.services.einvoice_import import import_einvoice
from payables.invoices.services.invoices import cancel_invoice, create_invoice
from payables.masterdata.services import create_supplier
from payables.masterdata.services.dimensions import create_dimension_type

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


def as_credit_note(data: bytes) -> bytes:
    """The same document, number and seller as a UBL credit note."""
    text = data.decode()
    for old, new in (
        (
            "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>",
            "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>",
        ),
        ("<cbc:DueDate>2024-04-04</cbc:DueDate>", ""),
        ("xsd:Invoice-2", "xsd:CreditNote-2"),
        ("<Invoice ", "<CreditNote "),
        ("</Invoice>", "</CreditNote>"),
        ("InvoiceLine>", "CreditNoteLine>"),
        ("InvoicedQuantity", "CreditedQuantity"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    return text.encode()


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


def test_an_invoice_and_a_credit_note_with_one_number_are_two_documents(actor):
    invoice = imported(import_einvoice(ubl_with_totals(), actor=actor))
    credit_note = imported(import_einvoice(as_credit_note(ubl_with_totals()), actor=actor))
    assert invoice.invoice_number == credit_note.invoice_number == "LV-2024-0117"
    assert invoice.supplier_id == credit_note.supplier_id
    assert (invoice.type, credit_note.type) == ("invoice", "credit_note")
    assert credit_note.gross_amount == -invoice.gross_amount


def test_a_conflict_names_the_existing_invoice_and_the_document_failed(api, actor):
    seller = {"name": "Seller Oy", "country": "FI", "vat_number": "FI12345671"}
    supplier = create_supplier(seller, actor=actor)
    existing = create_invoice(
        InvoiceIn(**invoice_data(supplier.id, invoice_number="LV-2024-0117")), actor=actor
    )
    answer = api.post("/invoices/import", raw=ubl_with_totals(), content_type="application/xml")
    [document] = answer.json()["documents"]
    [result] = document["invoices"]
    assert document["status"] == "failed", document
    assert (result["outcome"], result["invoice_id"]) == ("conflict", str(existing.id))
    assert str(existing.id) in result["detail"]
    assert "LV-2024-0117" in result["detail"] and "status new" in result["detail"]


def test_a_resend_identical_to_a_cancelled_invoice_says_so(actor):
    data = ubl_with_totals()
    invoice = imported(import_einvoice(data, actor=actor))
    cancel_invoice(invoice, actor=actor, reason="sent by mistake")
    document = import_einvoice(data, actor=actor)
    [result] = document.results
    assert (result.outcome, result.invoice_id) == ("skipped", invoice.id)
    assert result.detail == "same_original_cancelled"
    assert any("cancelled" in w and str(invoice.id) in w for w in document.warnings)
    assert Invoice.objects.count() == 1


ZUGFERD1 = SAMPLES / "cii-zugferd-1.0-extended-credit-note-freight-and-text-line.xml"


def zugferd1_seller_by_name(*, number: str = "GS-1") -> bytes:
    """A ZUGFeRD 1.0 document whose seller is only a name and an address."""
    text = ZUGFERD1.read_text(encoding="utf-8")
    for old in (
        "<ram:ID>549910</ram:ID>",
        '<ram:GlobalID schemeID="0088">4000001123452</ram:GlobalID>',
        '<ram:ID schemeID="FC">201/113/40209</ram:ID>',
        '<ram:ID schemeID="VA">DE123456789</ram:ID>',
    ):
        assert old in text, old
        text = text.replace(old, "")
    text = text.replace(
        "<ram:SpecifiedTaxRegistration>\n        </ram:SpecifiedTaxRegistration>", ""
    )
    return text.replace("<ram:ID>GS-2014-7</ram:ID>", f"<ram:ID>{number}</ram:ID>", 1).encode()


def test_a_seller_without_identifiers_is_booked_for_review_not_refused(actor):
    assert actor.company.einvoice_invalid_policy != "needs_review"
    document = import_einvoice(zugferd1_seller_by_name(), actor=actor)
    invoice = imported(document)
    assert invoice.needs_review and document.needs_review
    assert "PAY-REQ-02" in {f["rule_id"] for f in invoice.metadata["findings"]}
    supplier = invoice.supplier
    assert (supplier.name, supplier.country, supplier.city) == ("Lieferant GmbH", "DE", "München")
    assert (supplier.vat_number, supplier.registry_code) == ("", "")
    assert any("has no VAT or registration id" in w for w in document.warnings)


def test_a_seller_without_identifiers_is_matched_by_name_country_and_address(actor):
    create_supplier({"name": "Lieferant GmbH", "country": "AT"}, actor=actor)
    elsewhere = create_supplier(
        {"name": "Lieferant GmbH", "country": "DE", "city": "Berlin", "postal_code": "10115"},
        actor=actor,
    )
    here = create_supplier(
        {"name": "LIEFERANT GMBH", "country": "DE", "city": "München", "postal_code": "80333"},
        actor=actor,
    )
    first = imported(import_einvoice(zugferd1_seller_by_name(), actor=actor))
    second = imported(import_einvoice(zugferd1_seller_by_name(number="GS-2"), actor=actor))
    assert first.supplier_id == second.supplier_id == here.id != elsewhere.id


EE_WITH_JOURNAL = SAMPLES / "ee-1.2-with-attachment-and-journal-entries.xml"


def test_estonian_accounting_codes_are_proposed_coding_not_dimensions(actor):
    create_dimension_type({"code": "cost_objective", "name": "Cost objective"}, actor=actor)
    create_dimension_type({"code": "partner_code", "name": "Partner"}, actor=actor)
    document = import_einvoice(EE_WITH_JOURNAL.read_bytes(), actor=actor)
    invoice = Invoice.objects.get(pk=document.results[0].invoice_id)
    kept = {name for row in invoice.rows.all() for name in row.dimensions}
    assert kept == {"cost_objective", "partner_code"}
    proposed = invoice.metadata["proposed_coding"]
    ledger_row = next(p for p in proposed if p.get("partner_code"))
    assert ledger_row["general_ledger_detail"] == "ERP-LIIDES"
    assert ledger_row["classificator_code"] == "IT-TEENUS"
    assert ledger_row["account_code"] == "5210"


def test_estonian_accounting_codes_without_dimension_types_stay_metadata(actor):
    document = import_einvoice(EE_WITH_JOURNAL.read_bytes(), actor=actor)
    invoice = Invoice.objects.get(pk=document.results[0].invoice_id)
    stored = {name for row in invoice.rows.all() for name in row.dimensions}
    assert not stored & {"general_ledger_detail", "partner_code", "classificator_code"}
    assert "cost_objective" in stored  # a cost dimension, coded as the company codes
    assert any(p.get("partner_code") == "KOODIK" for p in invoice.metadata["proposed_coding"])


def test_an_estonian_total_to_pay_with_an_earlier_balance_is_the_amount_due(actor):
    data = EE_WITH_JOURNAL.read_bytes()
    assert data.count(b"<TotalToPay>5641.63</TotalToPay>") == 1
    data = data.replace(b"<TotalToPay>5641.63</TotalToPay>", b"<TotalToPay>5741.63</TotalToPay>")
    document = import_einvoice(data, actor=actor)
    invoice = Invoice.objects.get(pk=document.results[0].invoice_id)
    assert invoice.gross_amount == Decimal("5641.63")
    assert (invoice.prepaid_amount, invoice.amount_due) == (Decimal("-100.00"), Decimal("5741.63"))
    assert not any(f["rule_id"] == "PAY-DUE" for f in invoice.metadata["findings"])
