"""Digitizing PDFs and scans with the extraction engine (``payables.digitize``)."""

from __future__ import annotations

import io
import sys

import pypdfium2
import pytest
from pypdf import PdfReader, PdfWriter

import payables.digitize as engine
from payables.digitize.ocr import available_languages
from payables.documents import fields
from payables.documents.models import SupplierMemory
from payables.documents.tests.conftest import multipart
from payables.documents.tests.test_cli_import import text_pdf
from payables.invoices.models import Invoice
from payables.tenancy.services import update_company


def _read(api, tasks_on_commit, name: str, data: bytes, **fields_: str) -> dict:
    with tasks_on_commit():
        answer = multipart(api, [(name, data)], **fields_)
    assert answer.status_code == 202, answer.content
    [sent] = answer.json()["documents"]
    return api.get(f"/documents/{sent['id']}").json()


def rendered_png(pdf: bytes, dpi: int = 150) -> bytes:
    """The PDF's first page as a PNG, as a scanner would deliver it."""
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=dpi / 72).to_pil()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def encrypted(pdf: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_the_app_knows_the_engines_field_names_and_threshold():
    assert fields.FIELD_NAMES == engine.FIELD_NAMES
    assert fields.KEY_FIELDS == engine.KEY_FIELDS
    assert fields.ACCEPT_CONFIDENCE == engine.ACCEPT_CONFIDENCE


def test_a_text_pdf_becomes_a_digitized_invoice_flagged_for_review(api, tasks_on_commit):
    document = _read(api, tasks_on_commit, "letter.pdf", text_pdf("S-77"), userdata="u1")

    assert (document["kind"], document["method"]) == ("pdf", "text")
    number = document["fields"]["invoice_number"]
    assert number["value"] == "S-77" and number["page"] == 1 and len(number["box"]) == 4
    assert document["state"] == "invoice_created", document["findings"]
    invoice = Invoice.objects.get(pk=document["invoice_id"])
    assert invoice.origin == "digitized"
    assert invoice.needs_review  # no VAT id or IBAN on the page: key fields missing
    assert {f["location"] for f in invoice.review_findings} >= {"seller_vat_id", "iban"}
    assert invoice.attachments.get(is_original=True).sha256 == document["sha256"]


def test_a_company_that_reviews_first_gets_no_invoice(api, company, tasks_on_commit):
    update_company(company, {"digitized_invoice_policy": "review"})

    document = _read(api, tasks_on_commit, "letter.pdf", text_pdf("S-78"))

    assert (document["state"], document["invoice_id"]) == ("digitized", None)
    assert document["findings"][0]["code"] == "policy"
    assert document["fields"]["invoice_number"]["value"] == "S-78"


def test_an_image_without_the_ocr_engine_fails_with_its_reason(api, tasks_on_commit, monkeypatch):
    monkeypatch.setitem(sys.modules, "tesserocr", None)  # as on a machine without Tesseract

    document = _read(api, tasks_on_commit, "scan.png", rendered_png(text_pdf("S-79")))

    assert (document["state"], document["failure_reason"]) == ("failed", "ocr_engine_missing")
    assert document["failure_message"]


def test_a_text_pdf_still_works_without_the_ocr_engine(api, tasks_on_commit, monkeypatch):
    monkeypatch.setitem(sys.modules, "tesserocr", None)

    document = _read(api, tasks_on_commit, "letter.pdf", text_pdf("S-80"))

    assert document["state"] in {"digitized", "invoice_created"}


def test_an_encrypted_pdf_fails_cleanly(api, tasks_on_commit):
    document = _read(api, tasks_on_commit, "locked.pdf", encrypted(text_pdf("S-81")))

    assert (document["state"], document["failure_reason"]) == ("failed", "encrypted_pdf")


def test_a_broken_pdf_fails_cleanly(api, tasks_on_commit):
    document = _read(api, tasks_on_commit, "broken.pdf", text_pdf("S-82")[:300])

    assert (document["state"], document["failure_reason"]) == ("failed", "broken_pdf")


def test_an_image_is_read_by_ocr(api, tasks_on_commit):
    if "eng" not in available_languages():
        pytest.skip("Tesseract language data is not installed (.ci/run installs it)")
    document = _read(api, tasks_on_commit, "scan.png", rendered_png(text_pdf("S-83"), dpi=300))

    assert document["method"] == "ocr" and document["languages"]
    assert document["fields"]["gross_amount"]["value"] == "122.00"
    assert document["fields"]["issue_date"]["value"] == "2026-11-02"


def test_a_correction_is_remembered_and_the_next_document_is_read_better(
    api, company, supplier, tasks_on_commit
):
    """The supplier (by its VAT id on the page) is remembered where the accountant found
    the date: its next invoice's date is read there, surely enough to be taken."""
    update_company(company, {"digitized_invoice_policy": "review"})
    address = "Pikk 1, Tallinn, KMKR EE100931558"
    first = _read(api, tasks_on_commit, "s-1.pdf", text_pdf("S-1", address=address))
    date = first["fields"]["issue_date"]
    assert date["confidence"] < fields.ACCEPT_CONFIDENCE  # unsure the first time

    confirmed = {"issue_date": {"value": date["value"]}, "invoice_number": {"value": "S-1"}}
    answer = api.post(f"/documents/{first['id']}/review", {"fields": confirmed})
    assert answer.status_code == 200, answer.content
    assert SupplierMemory.objects.filter(key="vat:EE100931558").exists()

    second = _read(api, tasks_on_commit, "s-2.pdf", text_pdf("S-2", address=address))
    assert second["fields"]["issue_date"]["value"] == date["value"]
    assert second["fields"]["issue_date"]["confidence"] >= fields.ACCEPT_CONFIDENCE
