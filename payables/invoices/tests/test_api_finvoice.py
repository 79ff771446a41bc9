"""`GET /invoices/{ref}/finvoice`: the stored invoice rendered as Finvoice 3.0."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from payables.einvoice import finvoice
from payables.einvoice.model import ParseLimits
from payables.einvoice.tests.corpus import CORPUS_DIR
from payables.einvoice.tests.finvoice_render_support import schema_errors

UBL_INVOICE = CORPUS_DIR / "ubl/en16931/guide-example1.xml"


def read(response):
    (invoice,) = finvoice.parse(response.content, limits=ParseLimits()).invoices
    return invoice


def test_an_invoice_renders_as_finvoice(api, make_invoice):
    invoice = make_invoice(invoice_number="INV/7")
    response = api.get(f"/invoices/{invoice.id}/finvoice")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="finvoice-INV7.xml"'
    out = read(response)
    assert (out.number, out.issue_date, out.due_date) == (
        "INV/7",
        invoice.invoice_date,
        invoice.due_date,
    )
    assert (out.totals.tax_exclusive, out.totals.tax_total, out.totals.payable) == (
        Decimal("150.00"),
        Decimal("26.50"),
        Decimal("176.50"),
    )
    assert sorted((v.rate, v.taxable_amount, v.tax_amount) for v in out.vat_breakdown) == [
        (Decimal(9), Decimal("50.00"), Decimal("4.50")),
        (Decimal(22), Decimal("100.00"), Decimal("22.00")),
    ]
    assert [(li.line_net, li.vat_amount) for li in out.lines] == [
        (Decimal("100.00"), Decimal("22.00")),
        (Decimal("50.00"), Decimal("4.50")),
    ]
    assert (out.seller.name, out.seller.vat_id) == ("Tallinna Kontoritarbed AS", "EE100931558")
    assert out.buyer.name == "Acme Ostud OÜ"
    means = out.payment_means[0]
    assert (means.iban, means.bic, means.payment_reference) == (
        "EE382200221020145685",
        "HABAEE2X",
        "13",
    )


def test_the_rendered_finvoice_is_valid_against_the_finvoice_30_schema(api, make_invoice):
    response = api.get(f"/invoices/{make_invoice().id}/finvoice")
    assert schema_errors(response.content) == []


def test_a_credit_note_is_inv02_with_the_stored_negative_amounts(api, make_invoice):
    invoice = make_invoice(
        type="credit_note",
        net_amount="-100.00",
        vat_amount="-22.00",
        gross_amount="-122.00",
        rows=[{"description": "Returned paper", "net_amount": "-100.00", "vat_rate": "22"}],
        vat_breakdown=[{"vat_rate": "22", "base_amount": "-100.00", "vat_amount": "-22.00"}],
    )
    response = api.get(f"/invoices/{invoice.id}/finvoice")
    assert schema_errors(response.content) == []
    assert b"<InvoiceTypeCode>INV02</InvoiceTypeCode>" in response.content
    out = read(response)
    assert out.is_credit_note
    assert (out.totals.tax_inclusive, out.totals.payable) == (Decimal("-122.00"), -Decimal(122))
    [row] = out.lines
    assert (row.line_net, row.quantity) == (Decimal("-100.00"), Decimal(-1))


@pytest.mark.skipif(not UBL_INVOICE.exists(), reason="the shared corpus is absent")
def test_an_imported_ubl_invoice_renders_as_finvoice(api):
    imported = api.post(
        "/invoices/import", raw=UBL_INVOICE.read_bytes(), content_type="application/xml"
    )
    invoice_id = imported.json()["documents"][0]["invoices"][0]["invoice_id"]
    response = api.get(f"/invoices/{invoice_id}/finvoice")
    assert schema_errors(response.content) == []
    assert read(response).number == "12115118"


def test_another_companys_invoice_is_404(other_api, make_invoice):
    response = other_api.get(f"/invoices/{make_invoice().id}/finvoice")
    assert response.status_code == 404
    assert response.json()["code"] == "invoice_not_found"


def test_an_unknown_invoice_is_404(api):
    response = api.get("/invoices/00000000-0000-0000-0000-000000000000/finvoice")
    assert response.status_code == 404


def test_it_needs_a_key_that_may_read_invoices(company, make_key, make_invoice):
    path = f"/api/v1/invoices/{make_invoice().id}/finvoice"
    assert Client().get(path).status_code == 401
    key = make_key(company, scopes=["masterdata:read"])
    assert Client().get(path, HTTP_X_API_KEY=key).status_code == 403
