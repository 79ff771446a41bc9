"""Page images of an invoice's PDF, rendered with pypdfium2 from a real corpus document."""

from __future__ import annotations

import struct
from decimal import Decimal

import pytest

from payables.einvoice.tests.corpus import ABSENT
from payables.invoices.services.attachments import add_attachment
from payables.web.tests.conftest import corpus_pdf

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def with_pdf(chain, actor):
    """The chain's invoice with a real one-page PDF attached (skipped without the corpus)."""
    content = corpus_pdf()
    if content is None:
        pytest.skip(f"{ABSENT}; or it holds no one-page PDF")
    invoice, _, _ = chain
    pdf = add_attachment(
        invoice, actor=actor, content=content, filename="invoice.pdf",
        content_type="application/pdf",
    ).attachment  # fmt: skip
    return invoice, pdf


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    return struct.unpack(">II", data[16:24])


def test_the_first_page_of_a_pdf_is_a_png(with_pdf, browser_for, ann):
    invoice, pdf = with_pdf
    client = browser_for(ann)
    page = client.get(f"/invoices/{invoice.id}/").text
    image_url = f"/invoices/{invoice.id}/attachments/{pdf.id}/pages/1.png"
    assert f'src="{image_url}"' in page
    assert "Page 1 of 1" in page
    response = client.get(image_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    width, height = _png_size(response.content)
    assert max(width, height) <= 1600
    assert 500 < width < height  # an A4 portrait page


def test_a_page_beyond_the_document_or_the_limit_is_not_found(with_pdf, browser_for, ann):
    invoice, pdf = with_pdf
    client = browser_for(ann)
    base = f"/invoices/{invoice.id}/attachments/{pdf.id}/pages"
    assert client.get(f"{base}/2.png").status_code == 404  # the document has one page
    assert client.get(f"{base}/4.png").status_code == 404  # only three are ever rendered
    assert client.get(f"{base}/0.png").status_code == 404


def test_another_companys_preview_is_not_found(with_pdf, browser_for, make_member, other_company):
    invoice, pdf = with_pdf
    stranger = browser_for(make_member("ANN", company=other_company))
    url = f"/invoices/{invoice.id}/attachments/{pdf.id}/pages/1.png"
    assert stranger.get(url).status_code == 404


def test_a_file_that_is_not_a_pdf_has_no_preview(chain, actor, browser_for, ann):
    invoice, _, _ = chain
    text = add_attachment(
        invoice, actor=actor, content=b"hello", filename="note.txt", content_type="text/plain"
    ).attachment
    client = browser_for(ann)
    assert "No PDF to show." in client.get(f"/invoices/{invoice.id}/").text
    url = f"/invoices/{invoice.id}/attachments/{text.id}/pages/1.png"
    assert client.get(url).status_code == 404


def test_a_broken_pdf_is_offered_for_download_only(chain, actor, browser_for, ann):
    invoice, _, _ = chain
    broken = add_attachment(
        invoice, actor=actor, content=b"%PDF-1.7 truncated", filename="scan.pdf",
        content_type="application/pdf",
    ).attachment  # fmt: skip
    client = browser_for(ann)
    assert "The PDF cannot be shown" in client.get(f"/invoices/{invoice.id}/").text
    url = f"/invoices/{invoice.id}/attachments/{broken.id}/pages/1.png"
    assert client.get(url).status_code == 404


def test_a_pdf_whose_stored_file_is_gone_has_no_preview(chain, actor, browser_for, ann):
    """Storage lost the file (a restore gone wrong): a 404 for the page, never a 500."""
    from payables.demo.pdf import PdfRow, invoice_pdf  # a real PDF without the corpus

    invoice, _, _ = chain
    content = invoice_pdf(
        supplier="S", supplier_address="", buyer="B", number="1",
        invoice_date=invoice.invoice_date, due_date=invoice.invoice_date, reference="",
        rows=[PdfRow("x", Decimal(1), "pcs", Decimal(1), Decimal(1), Decimal(0))],
        net=Decimal(1), vat=Decimal(0), gross=Decimal(1), currency="EUR",
    )  # fmt: skip
    pdf = add_attachment(
        invoice, actor=actor, content=content, filename="i.pdf", content_type="application/pdf"
    ).attachment
    client = browser_for(ann)
    url = f"/invoices/{invoice.id}/attachments/{pdf.id}/pages/1.png"
    assert client.get(url).status_code == 200
    pdf.file.storage.delete(pdf.file.name)
    assert client.get(url).status_code == 404
    assert client.get(f"/invoices/{invoice.id}/").status_code == 200
