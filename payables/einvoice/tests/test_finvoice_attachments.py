"""Finvoice attachment messages: the files a FinvoiceAttachments message brings become the
attachments of the invoice that names it, byte-exact; broken or stray ones are reported."""

from __future__ import annotations

import base64
import codecs
import hashlib

import pytest

from payables.einvoice import finvoice
from payables.einvoice.errors import LimitExceeded
from payables.einvoice.model import ParseLimits
from payables.einvoice.tests.finvoice_support import FRAME, LIMITS, UTF8_BOM, parse, sample

PDF = b"%PDF-1.4\n" + bytes(range(256))
CSV = "päivä;tunnit\n1;8\n".encode()


def invoice(reference: str = "") -> bytes:
    """A Finvoice 3.0 invoice naming an attachment message (or none), without its BOM
    (a byte-order mark belongs at the start of a file, not of the second document in it)."""
    data = sample(UTF8_BOM).removeprefix(codecs.BOM_UTF8)
    if not reference:
        return data
    details = (
        "<AttachmentMessageDetails><AttachmentMessageIdentifier>"
        f"{reference}</AttachmentMessageIdentifier></AttachmentMessageDetails></Finvoice>"
    )
    return data.replace(b"</Finvoice>", details.encode())


def message(identifier: str, *files: tuple[str, str, bytes], secure_hash: str = "") -> bytes:
    details = "".join(
        "<AttachmentDetails>"
        f"<AttachmentIdentifier>{identifier}::{index}</AttachmentIdentifier>"
        f"<AttachmentContent>{base64.b64encode(content).decode()}</AttachmentContent>"
        f"<AttachmentName>{name}</AttachmentName>"
        f"<AttachmentMimeType>{mime}</AttachmentMimeType>"
        "<AttachmentSecureHash>"
        f"{secure_hash or hashlib.sha1(content, usedforsecurity=False).hexdigest()}"
        "</AttachmentSecureHash></AttachmentDetails>"
        for index, (name, mime, content) in enumerate(files, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<FinvoiceAttachments Version="1.0">'
        "<MessageTransmissionDetails><MessageDetails>"
        f"<MessageIdentifier>{identifier}</MessageIdentifier>"
        f"</MessageDetails></MessageTransmissionDetails>{details}</FinvoiceAttachments>"
    ).encode()


def files_of(document, index: int = 0) -> list[tuple[str, str, bytes]]:
    """The invoice's files (the sample also links to documents, which are not files)."""
    attachments = document.invoices[index].attachments
    return [(a.filename, a.mime_code, a.content) for a in attachments if a.content is not None]


def test_the_files_of_the_named_message_become_the_invoices_attachments():
    data = (
        invoice("M1::attachments")
        + b"\n"
        + FRAME
        + message(
            "M1::attachments",
            ("erittely.pdf", "application/pdf", PDF),
            ("tunnit.csv", "text/csv", CSV),
        )
    )
    document = parse(data)
    assert files_of(document) == [
        ("erittely.pdf", "application/pdf", PDF),
        ("tunnit.csv", "text/csv", CSV),
    ]
    assert not [f for f in document.findings if f.severity != "info"]


def test_the_invoice_alone_is_what_validation_reads():
    document = parse(invoice("M1::attachments") + b"\n" + message("M1::attachments"))
    assert document.xml is not None and document.xml.rstrip().endswith(b"</Finvoice>")
    assert parse(invoice()).xml is None  # a plain Finvoice file is validated as it is


def test_in_a_batch_each_message_goes_to_the_invoice_that_names_it():
    data = b"\n".join(
        [
            invoice("A::attachments"),
            invoice("B::attachments"),
            message("B::attachments", ("b.pdf", "application/pdf", PDF)),
            message("A::attachments", ("a.csv", "text/csv", CSV)),
        ]
    )
    document = parse(data)
    assert files_of(document, 0) == [("a.csv", "text/csv", CSV)]
    assert files_of(document, 1) == [("b.pdf", "application/pdf", PDF)]


def test_a_message_no_invoice_names_goes_to_the_invoice_before_it():
    data = invoice() + b"\n" + message("X::attachments", ("a.csv", "text/csv", CSV))
    assert files_of(parse(data)) == [("a.csv", "text/csv", CSV)]


def test_a_message_before_any_invoice_is_reported_not_kept():
    data = message("X::attachments", ("a.csv", "text/csv", CSV)) + b"\n" + invoice()
    document = parse(data)
    assert files_of(document) == []
    assert ("FINVOICE-ATTACHMENT", "warning") in [
        (f.rule_id, f.severity) for f in document.findings
    ]


def test_a_named_message_missing_from_the_file_is_noted():
    document = parse(invoice("M9::attachments"))
    [note] = [f for f in document.findings if f.rule_id == "FINVOICE-ATTACHMENT"]
    assert note.severity == "info" and "M9::attachments" in note.message


def test_a_hash_of_the_base64_text_is_accepted_as_writers_compute_it():
    text_hash = hashlib.sha1(base64.b64encode(CSV), usedforsecurity=False).hexdigest()
    data = invoice() + message("M", ("a.csv", "text/csv", CSV), secure_hash=text_hash)
    assert "FINVOICE-ATTACHMENT-HASH" not in {f.rule_id for f in parse(data).findings}


def test_a_hash_that_fits_nothing_is_a_warning():
    data = invoice() + message("M", ("a.csv", "text/csv", CSV), secure_hash="0" * 40)
    document = parse(data)
    assert files_of(document) == [("a.csv", "text/csv", CSV)]
    assert ("FINVOICE-ATTACHMENT-HASH", "warning") in [
        (f.rule_id, f.severity) for f in document.findings
    ]


def test_content_that_is_not_base64_is_left_out_with_a_warning():
    broken = message("M", ("a.csv", "text/csv", CSV)).replace(base64.b64encode(CSV), b"not*base64")
    document = parse(invoice() + broken)
    assert files_of(document) == []
    [finding] = [f for f in document.findings if f.rule_id == "FINVOICE-ATTACHMENT"]
    assert finding.severity == "warning" and finding.location.endswith("AttachmentContent")


def test_an_attachment_over_the_limit_is_refused():
    data = invoice() + message("M", ("big.pdf", "application/pdf", PDF))
    with pytest.raises(LimitExceeded):
        finvoice.parse(data, limits=ParseLimits(max_attachment_bytes=100))
    assert files_of(finvoice.parse(data, limits=LIMITS))  # within the default limit
