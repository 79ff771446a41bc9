"""PDFs with an embedded e-invoice are imported as e-invoices: exact data, no reading."""

from __future__ import annotations

import pytest

from payables.documents.tests.conftest import CORPUS, multipart

FACTURX = (
    CORPUS / "facturx-pdf" / "zugferd-corpus" / "zugferdv2-correct-zugferd_2p0_EN16931_Einfach.pdf"
)
needs_corpus = pytest.mark.skipif(not FACTURX.exists(), reason=f"corpus file missing: {FACTURX}")


@needs_corpus
def test_a_factur_x_pdf_becomes_its_invoice_without_digitizing(api, tasks_on_commit):
    with tasks_on_commit():
        answer = multipart(api, [("rechnung.pdf", FACTURX.read_bytes())], userdata="fx")
    [sent] = answer.json()["documents"]

    document = api.get(f"/documents/{sent['id']}").json()
    assert (document["kind"], document["method"], document["state"]) == (
        "pdf",
        "e-invoice",
        "invoice_created",
    )
    invoice = api.get(f"/invoices/{document['invoice_id']}").json()
    assert invoice["origin"] == "e-invoice"
    assert document["fields"]["gross_amount"]["value"] == invoice["gross_amount"]
    assert all(f["confidence"] == 1.0 and f["box"] is None for f in document["fields"].values())
    [original] = api.get(f"/invoices/{invoice['id']}/attachments").json()
    assert original["is_original"] and original["content_type"] == "application/pdf"
