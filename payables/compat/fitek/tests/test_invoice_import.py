"""Invoice Import v3: the e-invoice in Payload.Invoice.E_Invoice, the origin from the
Extensions block; the same invoice as the native import makes."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.db import transaction

from payables.compat.fitek.tests.conftest import INVOICE_SAMPLE, errors_of
from payables.conftest import ApiClient
from payables.invoices.models import Attachment, Invoice
from payables.masterdata.schemas.bulk import UserRecord
from payables.masterdata.services import create_user

DOCUMENT = INVOICE_SAMPLE.read_text(encoding="utf-8")


def payload(document: str = DOCUMENT, **extensions: str) -> dict:
    sent: dict[str, Any] = {"Invoice": {"E_Invoice": document}}
    if extensions:
        sent["Extensions"] = extensions
    return sent


def snapshot(invoice: Invoice) -> dict:
    """What an import decides about an invoice, without ids and times."""
    return {
        "supplier": (invoice.supplier.name, invoice.supplier.registry_code),
        "fields": {
            name: getattr(invoice, name)
            for name in (
                "invoice_number",
                "type",
                "status",
                "invoice_date",
                "due_date",
                "currency",
                "net_amount",
                "vat_amount",
                "gross_amount",
                "payment_reference",
                "bank_account",
                "source_system",
                "source_invoice_id",
                "needs_review",
            )
        },
        "rows": list(
            invoice.rows.order_by("position").values_list(
                "description", "quantity", "unit_price", "net_amount", "vat_rate", "vat_amount"
            )
        ),
        "original": invoice.attachments.get(is_original=True).sha256,
    }


def native_import(api: ApiClient) -> dict:
    """What the native import makes of the sample, undone again (the same company may then
    import it anew)."""
    with pytest.raises(_Undone), transaction.atomic():
        answer = api.post(
            "/invoices/import", raw=INVOICE_SAMPLE.read_bytes(), content_type="application/xml"
        )
        assert answer.status_code == 200, answer.content
        invoice_id = answer.json()["documents"][0]["invoices"][0]["invoice_id"]
        found = snapshot(Invoice.objects.get(pk=invoice_id)) | {"origin": "e-invoice"}
        raise _Undone()
    return found


class _Undone(Exception):
    pass


def test_imports_the_e_invoice_as_the_native_import_does(fitek, company, api):
    natively = native_import(api)

    answer = fitek.post("/InvoiceImport", payload())

    assert answer.status_code == 200, answer.content
    result = answer.json()["Result"]
    assert (result["Status"], result["Format"], result["Version"]) == (
        "imported",
        "ee-einvoice",
        "1.2",
    )
    [imported] = result["Invoices"]
    assert imported["Outcome"] == "imported"
    invoice = Invoice.objects.get(pk=imported["InvoiceGuid"])
    assert (imported["InternalInvoiceId"], imported["Origin"]) == (invoice.internal_id, "e-invoice")
    assert invoice.company == company
    assert snapshot(invoice) | {"origin": invoice.origin} == natively


def test_the_extensions_block_tags_a_digitized_invoice(fitek):
    answer = fitek.post("/InvoiceImport", payload(Origin="Digitized"))

    assert answer.status_code == 200, answer.content
    [imported] = answer.json()["Result"]["Invoices"]
    assert imported["Origin"] == "digitized"
    assert Invoice.objects.get(pk=imported["InvoiceGuid"]).origin == "digitized"


def test_the_document_may_come_as_its_bytes_in_base64(fitek):
    encoded = base64.b64encode(INVOICE_SAMPLE.read_bytes()).decode()

    answer = fitek.post("/InvoiceImport", {"Invoice": {"E_InvoiceBase64": encoded}})

    assert answer.status_code == 200, answer.content
    original = Attachment.objects.get(is_original=True)
    assert original.size == len(INVOICE_SAMPLE.read_bytes())


@pytest.mark.parametrize("encoding", ["ISO-8859-15", "windows-1257"])
def test_a_document_as_text_is_read_in_the_encoding_its_declaration_names(fitek, encoding):
    """The text is the document decoded; its bytes again are the text in that encoding."""
    document = DOCUMENT.replace('encoding="UTF-8"', f'encoding="{encoding}"', 1)

    answer = fitek.post("/InvoiceImport", payload(document))

    assert answer.status_code == 200, answer.content
    invoice = Invoice.objects.get()
    assert invoice.supplier.name == "Koodikoda OÜ"
    original = invoice.attachments.get(is_original=True)
    assert original.size == len(document.encode(encoding))


def test_the_same_document_again_is_recognised(fitek):
    first = fitek.post("/InvoiceImport", payload()).json()["Result"]["Invoices"][0]

    again = fitek.post("/InvoiceImport", payload())

    assert again.status_code == 200
    [skipped] = again.json()["Result"]["Invoices"]
    assert (skipped["Outcome"], skipped["Detail"]) == ("skipped", "same_original")
    assert skipped["InvoiceGuid"] == first["InvoiceGuid"]
    assert Invoice.objects.count() == 1


def test_an_unknown_origin_is_422_at_it(fitek):
    answer = fitek.post("/InvoiceImport", payload(Origin="Scanned"))

    assert answer.status_code == 422
    assert errors_of(answer) == [("Payload.Extensions.Origin", "literal_error")]


@pytest.mark.parametrize(
    ("sent", "where", "code"),
    [
        ({}, "Payload.Invoice", "missing"),
        ({"Invoice": {}}, "Payload.Invoice", "missing"),
        (
            {"Invoice": {"E_Invoice": "<x/>", "E_InvoiceBase64": "eA=="}},
            "Payload.Invoice",
            "ambiguous",
        ),
        (
            {"Invoice": {"E_InvoiceBase64": "%%%"}},
            "Payload.Invoice.E_InvoiceBase64",
            "invalid_base64",
        ),
        ({"Invoice": {"EInvoice": DOCUMENT}}, "Payload.Invoice.EInvoice", "extra_forbidden"),
        ({"Invoice": {"e_invoice": DOCUMENT}}, "Payload.Invoice.e_invoice", "extra_forbidden"),
        ("not an object", "Payload", "model_attributes_type"),
    ],
)
def test_a_payload_without_one_document_is_422_where_it_is_wrong(fitek, sent, where, code):
    answer = fitek.post("/InvoiceImport", sent)

    assert answer.status_code == 422
    assert errors_of(answer) == [(where, code)]
    assert not Invoice.objects.exists()


def test_an_unreadable_document_is_422_at_it_with_the_readers_finding(fitek):
    answer = fitek.post("/InvoiceImport", payload(DOCUMENT.replace("</E_Invoice>", "")))

    assert answer.status_code == 422
    [error] = answer.json()["Errors"]
    assert error["Location"] == "Payload.Invoice.E_Invoice"
    assert error["Code"].startswith("PAY-")
    assert "XmlLocation" in error
    assert not Invoice.objects.exists()


def test_a_changed_document_of_an_invoice_past_new_is_409_with_the_outcome(fitek, actor):
    first = fitek.post("/InvoiceImport", payload()).json()["Result"]["Invoices"][0]
    approver = UserRecord(code="E-7", name="Mari", roles=["approver"], can_be_last_approver=True)
    create_user(approver.model_dump(), actor=actor)
    users = {"InvoiceGuid": first["InvoiceGuid"], "Users": [{"User": "E-7"}]}
    assert fitek.post("/ConfirmationFlowAction", users).json()["Result"]["Status"] == "assigned"
    changed = DOCUMENT.replace("<DueDate>2026-11-16", "<DueDate>2026-11-30")

    answer = fitek.post("/InvoiceImport", payload(changed))

    assert answer.status_code == 409, answer.content
    body = answer.json()
    assert body["Result"]["Invoices"][0]["Outcome"] == "conflict"
    [error] = body["Errors"]
    assert (error["Location"], error["Code"]) == ("Payload.Invoice.E_Invoice", "conflict")
    assert error["ExistingId"] == body["Result"]["Invoices"][0]["InvoiceGuid"], error
