"""Documents the engine cannot read fail cleanly, each with a reason code."""

from __future__ import annotations

import io

import pytest

from payables.digitize import EngineMissing, UnreadableDocument, digitize, sniff_kind
from payables.digitize.tests.documents import estonian_invoice, text_pdf


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\x89PNG\r\n\x1a\n....", "png"),
        (b"\xff\xd8\xff\xe0....", "jpeg"),
        (b"II*\x00....", "tiff"),
        (b"MM\x00*....", "tiff"),
        (b"\xef\xbb\xbf  <?xml version='1.0'?><Invoice/>", "xml"),
        (b"<Invoice xmlns='urn:x'/>", "xml"),
        (b"PK\x03\x04 a zip named invoice.pdf", ""),
        (b"", ""),
    ],
)
def test_the_kind_is_told_by_content(data, kind):
    assert sniff_kind(data) == kind


def _encrypted(pdf: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_password_protected_pdf_is_refused_as_encrypted():
    with pytest.raises(UnreadableDocument) as refused:
        digitize(_encrypted(text_pdf(estonian_invoice())))
    assert refused.value.reason == "encrypted_pdf"
    assert "password" in refused.value.message


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\n1 0 obj garbage", b"%PDF-1.4\n" + b"\x00" * 500, b"%PDF-"],
    ids=["garbage", "zeros", "header-only"],
)
def test_a_broken_pdf_is_refused_as_broken(data):
    with pytest.raises(UnreadableDocument) as refused:
        digitize(data)
    assert refused.value.reason == "broken_pdf"


@pytest.mark.parametrize(
    "data", [b"<?xml version='1.0'?><Invoice/>", b"just some text", b"\x89PNG\r\n\x1a\nbroken"]
)
def test_what_is_not_a_readable_pdf_or_image_is_unsupported(data):
    with pytest.raises(UnreadableDocument) as refused:
        digitize(data, tessdata="/nowhere")
    assert refused.value.reason == "unsupported_format"


def test_an_image_without_the_ocr_engine_fails_with_ocr_engine_missing(tmp_path):
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (800, 1100), 255).save(out, "PNG")
    with pytest.raises(EngineMissing) as missing:
        digitize(out.getvalue(), tessdata=str(tmp_path))  # a folder without language data
    assert missing.value.reason == "ocr_engine_missing"


def test_the_language_data_location_comes_from_the_environment_too(monkeypatch, tmp_path):
    from PIL import Image

    monkeypatch.setenv("PAYABLES_TESSDATA", str(tmp_path / "absent"))
    out = io.BytesIO()
    Image.new("L", (800, 1100), 255).save(out, "JPEG")
    with pytest.raises(EngineMissing):
        digitize(out.getvalue())


def test_a_text_pdf_is_read_without_the_ocr_engine(monkeypatch, tmp_path):
    monkeypatch.setenv("PAYABLES_TESSDATA", str(tmp_path))
    result = digitize(text_pdf(estonian_invoice()))

    assert result.method == "text" and result.fields["iban"].validated


def test_a_pdf_of_too_many_pages_is_refused(monkeypatch):
    from payables.digitize import engine

    monkeypatch.setattr(engine, "MAX_PAGES", 0)
    with pytest.raises(UnreadableDocument) as refused:
        digitize(text_pdf(estonian_invoice()))
    assert refused.value.reason == "too_many_pages"
