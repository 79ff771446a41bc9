"""The e-invoice behind an invoice on its page: an XML-only e-invoice shows its own content
(parties, lines, VAT, totals, payment) where a PDF would be; one with a PDF (embedded in
the XML, or a hybrid PDF) shows the PDF, with the content as a second view. Real corpus
documents, imported through the service, read through the web client.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from payables.einvoice.tests.corpus import ABSENT, CORPUS_DIR
from payables.invoices.models import Invoice
from payables.invoices.services.einvoice_import import import_einvoice
from payables.tenancy.actors import Actor

SAMPLES = Path(__file__).resolve().parents[2] / "einvoice/tests/samples"
UBL = CORPUS_DIR / "ubl/en16931/guide-example1.xml"
CII = CORPUS_DIR / "cii/en16931/CII_example1.xml"
FINVOICE = CORPUS_DIR / "finvoice/visma-maventa/anon_finvoice_30_invoice_with_SOAP.xml"
UBL_WITH_PDF = CORPUS_DIR / "ubl/xrechnung-testsuite/02.01a-INVOICE_ubl.xml"
HYBRID_PDF = (
    CORPUS_DIR / "facturx-pdf/zugferd-corpus/zugferdv2-correct-zugferd_2p0_EN16931_Einfach.pdf"
)
EE_WITH_PDF = SAMPLES / "ee-1.2-with-attachment-and-journal-entries.xml"
CONTENT_VIEW = "?view=content"


def corpus(path: Path) -> bytes:
    if not path.exists():
        pytest.skip(ABSENT)
    return path.read_bytes()


@pytest.fixture
def reader(make_member, browser_for):
    """An accountant's browser: every invoice of the company is theirs to read."""
    return browser_for(make_member("ACC", roles=("accountant",)))


@pytest.fixture
def imported(actor: Actor):
    """Import a document through the service; its (first) invoice."""

    def run(data: bytes, filename: str = "") -> Invoice:
        result = import_einvoice(data, actor=actor, filename=filename).results[0]
        assert result.outcome == "imported", (result.detail, result.errors)
        return Invoice.objects.get(pk=result.invoice_id)

    return run


def page_of(client, invoice: Invoice, query: str = "") -> str:
    response = client.get(f"/invoices/{invoice.id}/{query}")
    assert response.status_code == 200
    return response.text


def content_of(page: str) -> str:
    """The e-invoice content article of the page, tags stripped, spaces collapsed."""
    match = re.search(r'<article class="einvoice".*?</article>', page, re.S)
    assert match, "the page shows no e-invoice content"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


def test_an_xml_only_ubl_invoice_shows_its_own_content(imported, reader):
    invoice = imported(corpus(UBL), "guide-example1.xml")
    page = page_of(reader, invoice)
    assert "No PDF to show." not in page
    assert 'class="tabs"' not in page  # nothing else to switch to
    text = content_of(page)
    for expected in [
        "Commercial invoice",
        "12115118",
        "UBL · 2.1",
        "Seller De Koksmaat",
        "Buyer ODIN 59",
        "PATAT FRITES 10MM 10KG",  # the first of the document's 40 lines
        "POT KETCHUP 3 LT",
        "S Standard rate",
        "Total without VAT",
        "Total with VAT",
        "Amount due 250.33 EUR",
        "NL57 RABO 0107307510",  # both accounts of the document
        "NL03 INGB 0004489902",
    ]:
        assert expected in text, expected
    assert text.count(" EUR") > 3  # amounts carry their currency


def test_a_cii_invoice_shows_its_parties_lines_and_totals(imported, reader):
    invoice = imported(corpus(CII), "CII_example1.xml")
    text = content_of(page_of(reader, invoice))
    for expected in [
        "UN/CEFACT CII · D16B · EN16931",
        "De Koksmaat",
        "ODIN 59",
        "KAAS 50PL. JONG BEL. 1KG",
        "Amount due 250.33 EUR",
    ]:
        assert expected in text, expected


def test_a_finvoice_shows_its_content(imported, reader):
    invoice = imported(corpus(FINVOICE))
    text = content_of(page_of(reader, invoice))
    for expected in [
        "Finvoice · 3.0",
        "9190100001",
        "SellerOrganisationName",
        "BuyerOrganisationName",
        "ArticleName",
        "Amount due 1106.00 EUR",
        "VAT number",
    ]:
        assert expected in text, expected


def test_a_ubl_with_an_embedded_pdf_shows_the_pdf_and_offers_the_content(imported, reader):
    invoice = imported(corpus(UBL_WITH_PDF), "02.01a.xml")
    pdf = invoice.attachments.get(filename="01_15_Anhang_01.pdf")
    page = page_of(reader, invoice)
    assert f"/invoices/{invoice.id}/attachments/{pdf.id}/pages/1.png" in page
    assert 'class="einvoice"' not in page
    assert f'href="/invoices/{invoice.id}/?view=content"' in page
    assert "E-invoice content" in page

    page = page_of(reader, invoice, CONTENT_VIEW)
    assert "/pages/1.png" not in page
    text = content_of(page)
    assert "1234567" in text and "Beratung" in text and "Amount due 12829.69 EUR" in text
    # The document's attachment is listed, linked to the stored file.
    assert f'href="/invoices/{invoice.id}/attachments/{pdf.id}/"' in page
    assert "01_15_Anhang_01.pdf" in text


def test_a_hybrid_pdf_shows_its_pages_and_the_xml_inside_as_content(imported, reader):
    invoice = imported(corpus(HYBRID_PDF), "einfach.pdf")
    original = invoice.attachments.get(is_original=True)
    page = page_of(reader, invoice)
    assert f"/attachments/{original.id}/pages/1.png" in page
    text = content_of(page_of(reader, invoice, CONTENT_VIEW))
    assert "Factur-X / ZUGFeRD PDF" in text
    assert "Lieferant GmbH" in text and "Amount due 529.87 EUR" in text


def test_an_estonian_einvoice_with_a_pdf_attachment_shows_that_pdf(imported, reader):
    invoice = imported(EE_WITH_PDF.read_bytes(), EE_WITH_PDF.name)
    [pdf] = invoice.attachments.filter(is_original=False)
    page = page_of(reader, invoice)
    assert f"/attachments/{pdf.id}/pages/1.png" in page
    assert "Estonian e-invoice" in content_of(page_of(reader, invoice, CONTENT_VIEW))


def test_a_file_the_document_calls_a_pdf_that_is_none_leaves_the_content_shown(imported, reader):
    """ubl-tc434-example5 embeds 23 bytes of text as "EHF.pdf": nothing to draw."""
    invoice = imported(corpus(CORPUS_DIR / "ubl/en16931/ubl-tc434-example5.xml"))
    page = page_of(reader, invoice)
    assert "EHF.pdf cannot be shown as a PDF" in page
    assert "/pages/1.png" not in page
    assert "Amount due" in content_of(page)


def test_script_in_the_document_is_shown_as_text(imported, reader):
    hostile = "<script>alert('seller')</script>"
    data = corpus(UBL).replace(b"De Koksmaat", hostile.replace("<", "&lt;").encode())
    data = data.replace(b"PATAT FRITES 10MM 10KG", b"&lt;img src=x onerror=alert(1)&gt;")
    invoice = imported(data)
    page = page_of(reader, invoice)
    assert "<script>alert(" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#x27;seller&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_an_original_that_no_longer_parses_gives_a_note_not_an_error(imported, reader):
    invoice = imported(corpus(UBL))
    original = invoice.attachments.get(is_original=True)
    storage, name = original.file.storage, original.file.name
    storage.delete(name)
    storage.save(name, ContentFile(b"<Invoice>broken"))
    page = page_of(reader, invoice)
    assert "The e-invoice's content cannot be shown." in page
    assert "The original cannot be read" in page
    assert 'class="einvoice"' not in page


def test_a_missing_original_gives_a_note(imported, reader):
    invoice = imported(corpus(UBL))
    original = invoice.attachments.get(is_original=True)
    original.file.storage.delete(original.file.name)
    page = page_of(reader, invoice)
    assert "The original file is missing from storage." in page


def test_an_invoice_from_the_api_has_no_einvoice_content(make_invoice, reader):
    page = page_of(reader, make_invoice(), CONTENT_VIEW)
    assert 'class="einvoice' not in page
    assert "No PDF to show." in page


def test_each_invoice_of_a_batch_shows_its_own_part_of_the_document(actor, reader):
    data = (SAMPLES / "ee-1.2-three-invoices-22-24-9-0-percent.xml").read_bytes()
    results = import_einvoice(data, actor=actor).results
    invoices = [Invoice.objects.get(pk=r.invoice_id) for r in results]
    assert len(invoices) == 3
    for invoice in invoices:
        text = content_of(page_of(reader, invoice))
        assert invoice.invoice_number in text
        assert invoice.supplier.name in text
        others = [i.supplier.name for i in invoices if i.supplier_id != invoice.supplier_id]
        assert not [name for name in others if name in text]
