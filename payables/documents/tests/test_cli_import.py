"""``payables import`` takes PDFs and scans too: they become documents to digitize."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from PIL import Image

from payables.demo.pdf import PdfRow, invoice_pdf
from payables.documents.models import Document
from payables.invoices.models import Invoice


def scan_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (200, 100), color=255).save(buffer, format="PNG")
    return buffer.getvalue()


def text_pdf(number: str = "S-1", *, address: str = "Pikk 1, Tallinn") -> bytes:
    """A plain invoice PDF with a text layer (no embedded e-invoice)."""
    return invoice_pdf(
        supplier="Tarnija OÜ",
        supplier_address=address,
        buyer="Acme Ostud OÜ",
        number=number,
        invoice_date=date(2026, 11, 2),
        due_date=date(2026, 11, 16),
        reference="13",
        rows=[PdfRow("Paper", Decimal(10), "pcs", Decimal(10), Decimal(100), Decimal(22))],
        net=Decimal(100),
        vat=Decimal(22),
        gross=Decimal(122),
        currency="EUR",
    )


def test_scans_and_plain_pdfs_are_queued_and_e_invoices_imported(company, tmp_path, ubl, capsys):
    (tmp_path / "scan.png").write_bytes(scan_png())
    (tmp_path / "letter.pdf").write_bytes(text_pdf())
    (tmp_path / "invoice.xml").write_bytes(ubl)

    call_command("import", str(tmp_path), "--company", company.name)

    out = capsys.readouterr().out
    assert "imported          1" in out
    assert "queued for digitizing: 2 documents" in out
    documents = Document.objects.order_by("filename")
    assert [(d.filename, d.kind, d.channel, d.state) for d in documents] == [
        ("letter.pdf", "pdf", "cli", "uploaded"),
        ("scan.png", "png", "cli", "uploaded"),
    ]
    assert Invoice.objects.get().origin == "e-invoice"


def test_the_same_scans_again_are_skipped(company, tmp_path, capsys):
    (tmp_path / "scan.png").write_bytes(scan_png())
    call_command("import", str(tmp_path), "--company", company.name)

    call_command("import", str(tmp_path), "--company", company.name)

    assert "skipped           1" in capsys.readouterr().out
    assert Document.objects.exclude(state="failed").count() == 1


def test_a_file_that_is_nothing_payables_reads_fails(company, tmp_path, capsys):
    (tmp_path / "scan.tif").write_bytes(b"not a tiff at all")

    with pytest.raises(SystemExit):
        call_command("import", str(tmp_path / "scan.tif"), "--company", company.name)

    assert "FAILED" in capsys.readouterr().out
