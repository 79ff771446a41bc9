"""Every file an e-invoice carries becomes an attachment of its invoice, byte-exact, under
its own name and type: UBL and CII supporting documents (BG-24), the other files of a
hybrid PDF, a Finvoice's attachment message and an Estonian AttachmentFile.

What each document carries is read here with lxml XPath and pypdf, not with the parsers;
the stored attachments are read back from storage.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from payables import einvoice
from payables.einvoice.tests.corpus import ABSENT, CORPUS_DIR, SAMPLES_DIR
from payables.invoices.models import Invoice
from payables.invoices.services.attachments import read_attachment
from payables.invoices.services.einvoice_import import import_einvoice
from payables.tenancy.actors import Actor
from payables.tenancy.services import create_company

# Corpus documents that embed files (the XRechnung 02.x/03.x cases carry a 150 KB PDF).
XML_CASES = [
    "ubl/xrechnung-testsuite/02.01a-INVOICE_ubl.xml",
    "ubl/xrechnung-testsuite/03.07a-INVOICE_ubl.xml",  # two PDFs, each also with a URI
    "ubl/en16931/ubl-tc434-example5.xml",
    "ubl/en16931-se-testfiles/CreditNote-Max_content.xml",  # a .abc file and a link
    "ubl/peppol-bis3/national-NO-Norwegian-example-1.xml",  # a .csv the document calls a PDF
    "cii/xrechnung-testsuite/02.01a-INVOICE_uncefact.xml",
    "cii/xrechnung-testsuite/03.07a-INVOICE_uncefact.xml",
    "cii/en16931/CII_business_example_01.xml",
    "cii/en16931/huf_example_cii.xml",  # a 72 KB PDF, amounts in HUF
]
PDF_CASES = [
    "facturx-pdf/zugferd-corpus/zugferdv2-correct-zugferd_2p0_EN16931_Betriebskostenabrechnung.pdf",
    "facturx-pdf/zugferd-corpus/zugferdv1-correct-additional-data-sample-1.pdf",
]
EMBEDDED = (  # UBL cbc:EmbeddedDocumentBinaryObject, CII ram:AttachmentBinaryObject
    "//*[local-name()='EmbeddedDocumentBinaryObject' or local-name()='AttachmentBinaryObject']"
)
FINVOICE_30 = CORPUS_DIR / "finvoice/visma-maventa/anon_finvoice_30_invoice_with_SOAP.xml"
FINVOICE_XSD = CORPUS_DIR / "xsd/finvoice-3.0/Finvoice3.0.xsd"


def corpus(relative: str) -> Path:
    path = CORPUS_DIR / relative
    if not path.exists():
        pytest.skip(ABSENT)
    return path


def import_alone(data: bytes, filename: str) -> Invoice:
    """Import into a fresh company keeping the document's currency (corpus files share numbers)."""
    currency = einvoice.parse(data).invoices[0].currency.upper()
    company = create_company(name="Attachments", country="EE", home_currency=currency)
    [result] = import_einvoice(data, actor=Actor.system(company, "test"), filename=filename).results
    assert result.outcome == "imported", (result.detail, result.errors)
    return Invoice.objects.get(pk=result.invoice_id)


def stored_files(invoice: Invoice) -> list[tuple[str, str, bytes]]:
    """The invoice's files besides the original: (name, content type, bytes read back)."""
    return sorted(
        (a.filename, a.content_type, read_attachment(a))
        for a in invoice.attachments.filter(is_original=False, kind="file")
    )


def files_in_xml(data: bytes) -> list[tuple[str, str, bytes]]:
    """The base64 files of a UBL or CII document, with their filename and mimeCode."""
    root = etree.fromstring(data)
    return sorted(
        (e.get("filename"), e.get("mimeCode"), base64.b64decode("".join(e.text.split())))
        for e in root.xpath(EMBEDDED)
    )


@pytest.mark.parametrize("relative", XML_CASES)
def test_every_embedded_file_of_a_ubl_or_cii_document_is_kept_byte_exact(db, relative):
    path = corpus(relative)
    data = path.read_bytes()
    invoice = import_alone(data, path.name)
    expected = files_in_xml(data)
    assert expected, "the case embeds no file"
    assert stored_files(invoice) == expected
    original = invoice.attachments.get(is_original=True)
    assert read_attachment(original) == data


def test_a_supporting_link_is_kept_as_a_link(db):
    path = corpus("ubl/en16931-se-testfiles/CreditNote-Max_content.xml")
    invoice = import_alone(path.read_bytes(), path.name)
    links = invoice.attachments.filter(kind="url")
    assert list(links.values_list("url", flat=True)) == ["http://www.example.com/index.html"]


@pytest.mark.parametrize("relative", PDF_CASES)
def test_every_other_file_of_a_hybrid_pdf_is_kept_byte_exact(db, relative):
    path = corpus(relative)
    data = path.read_bytes()
    invoice = import_alone(data, path.name)
    xml_name = einvoice.parse(data).xml_filename
    reader = PdfReader(path, strict=False)
    expected = {name: files[0] for name, files in reader.attachments.items() if name != xml_name}
    assert expected, "the case embeds no other file"
    assert {name: content for name, _, content in stored_files(invoice)} == expected
    original = invoice.attachments.get(is_original=True)
    assert (original.content_type, read_attachment(original)) == ("application/pdf", data)


def test_a_supporting_pdf_of_a_hybrid_pdf_keeps_its_type(db):
    path = corpus(PDF_CASES[0])
    invoice = import_alone(path.read_bytes(), path.name)
    assert [(name, kind) for name, kind, _ in stored_files(invoice)] == [
        ("AWV_13_Betriebskosten.pdf", "application/pdf")
    ]


def test_an_estonian_attachment_file_is_kept_byte_exact(db):
    path = SAMPLES_DIR / "ee-1.2-with-attachment-and-journal-entries.xml"
    data = path.read_bytes()
    invoice = import_alone(data, path.name)
    [element] = etree.fromstring(data).xpath("//Invoice/AttachmentFile")
    content = base64.b64decode("".join(element.findtext("FileBase64").split()))
    assert stored_files(invoice) == [(element.findtext("FileName"), "application/pdf", content)]


# --- Finvoice: the attachment message sent with the invoice ----------------------------------

ATTACHMENT_MESSAGE_ID = "FI1234567812345678::attachments"


def finvoice_with_attachments(files: list[tuple[str, str, bytes]]) -> bytes:
    """The corpus Finvoice 3.0 (SOAP frame + invoice) naming its attachment message, then
    a frame and that FinvoiceAttachments message, as an operator transmits them."""
    data = FINVOICE_30.read_bytes()
    reference = (
        b"<AttachmentMessageDetails><AttachmentMessageIdentifier>"
        + ATTACHMENT_MESSAGE_ID.encode()
        + b"</AttachmentMessageIdentifier></AttachmentMessageDetails>\n</Finvoice>"
    )
    invoice = data.replace(b"</Finvoice>", reference)
    frame = data[: data.index(b"</SOAP-ENV:Envelope>") + len(b"</SOAP-ENV:Envelope>")]
    details = b"".join(
        b"<AttachmentDetails>"
        b"<AttachmentIdentifier>%s::%d</AttachmentIdentifier>"
        b"<AttachmentContent>%s</AttachmentContent>"
        b"<AttachmentName>%s</AttachmentName>"
        b"<AttachmentMimeType>%s</AttachmentMimeType>"
        b"<AttachmentSecureHash>%s</AttachmentSecureHash>"
        b"</AttachmentDetails>"
        % (
            ATTACHMENT_MESSAGE_ID.encode(),
            index,
            base64.encodebytes(content),
            name.encode("iso-8859-15"),
            mime.encode(),
            hashlib.sha1(content, usedforsecurity=False).hexdigest().encode(),
        )
        for index, (name, mime, content) in enumerate(files, start=1)
    )
    message = (
        b'<?xml version="1.0" encoding="ISO-8859-15"?>\n<FinvoiceAttachments Version="1.0">'
        b"<MessageTransmissionDetails><MessageDetails><MessageIdentifier>"
        + ATTACHMENT_MESSAGE_ID.encode()
        + b"</MessageIdentifier></MessageDetails></MessageTransmissionDetails>"
        + details
        + b"</FinvoiceAttachments>\n"
    )
    return invoice + b"\n" + frame + b"\n" + message


def test_the_finvoice_fixture_is_schema_valid():
    if not FINVOICE_XSD.exists():
        pytest.skip(ABSENT)
    data = finvoice_with_attachments([("a.pdf", "application/pdf", b"%PDF-1.4")])
    start = data.index(b"<?xml", 1)
    document = etree.fromstring(data[start : data.index(b"</Finvoice>") + len(b"</Finvoice>")])
    schema = etree.XMLSchema(etree.parse(str(FINVOICE_XSD)))
    assert schema.validate(document), schema.error_log


def test_the_files_of_a_finvoice_attachment_message_are_kept_byte_exact(db):
    if not FINVOICE_30.exists():
        pytest.skip(ABSENT)
    pdf = (SAMPLES_DIR / "ee-1.2-with-attachment-and-journal-entries.xml").read_bytes()[:300]
    files = [
        ("erittely.pdf", "application/pdf", b"%PDF-1.4\n" + bytes(range(256))),
        ("tuntilista äö.csv", "text/csv", "päivä;tunnit\n1;8\n".encode()),
        ("huomio.xml", "application/xml", pdf),
    ]
    invoice = import_alone(finvoice_with_attachments(files), "finvoice.xml")
    assert stored_files(invoice) == sorted(files)
    assert not invoice.needs_review  # the attachment message does not disturb validation
