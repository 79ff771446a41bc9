"""Factur-X / ZUGFeRD / XRechnung PDFs: the embedded XML is found and read like CII; the
same FeRD case gives the same invoice from the CII corpus and from the PDF (PDFs that
cannot give an invoice: test_facturx_pdf_refusals).

Small PDFs are written here with pypdf (and one with the factur-x package, a real
Factur-X writer); expected values from corpus files are read independently with pypdf and
lxml XPath.
"""

from __future__ import annotations

import dataclasses
import io
import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, NameObject

from payables import einvoice
from payables.einvoice import cii, facturx_pdf
from payables.einvoice.errors import (
    EInvoiceError,
    MalformedDocument,
)
from payables.einvoice.model import Invoice, ParsedDocument, ParseLimits
from payables.einvoice.tests.corpus import CORPUS_DIR, SAMPLES_DIR, corpus_files, manifest

LIMITS = ParseLimits()

EN16931 = "cii-en16931-every-model-term.xml"
MINIMUM = "cii-factur-x-minimum-header-only.xml"
ZUGFERD1 = "cii-zugferd-1.0-extended-credit-note-freight-and-text-line.xml"


@cache
def parsed(path: Path) -> ParsedDocument:
    return facturx_pdf.parse(path.read_bytes(), limits=LIMITS)


def sample(name: str) -> bytes:
    return (SAMPLES_DIR / name).read_bytes()


def hybrid_pdf(
    *files: tuple[str, bytes],
    xmp: bytes | None = None,
    pages: int = 1,
    associated_files_only: bool = False,
) -> bytes:
    """A PDF with these embedded files (name tree, or only the catalog's /AF array)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    for name, content in files:
        writer.add_attachment(name, content)
    if associated_files_only:
        tree = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
        writer.root_object[NameObject("/AF")] = ArrayObject(tree[1::2])
        del writer.root_object["/Names"]
    if xmp is not None:
        writer.xmp_metadata = xmp
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def factur_x_xmp(filename: str, level: str) -> bytes:
    return f"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
    <rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
      <fx:DocumentType>INVOICE</fx:DocumentType>
      <fx:DocumentFileName>{filename}</fx:DocumentFileName>
      <fx:Version>1.0</fx:Version>
      <fx:ConformanceLevel>{level}</fx:ConformanceLevel>
    </rdf:Description>
  </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def rule_ids(document: ParsedDocument) -> list[str]:
    return [finding.rule_id for finding in document.findings]


# -- the corpus -----------------------------------------------------------------------------


def note(row: dict[str, str], key: str) -> str:
    match = re.search(rf"(?:^|; ){key}=([^;]*)", row["notes"])
    return match.group(1).strip() if match else ""


def embedded_xml(path: Path, name: str) -> bytes:
    """The embedded file, as pypdf itself reads it."""
    return PdfReader(path, strict=False).attachments[name][0]


def local(name: str) -> str:
    return f"*[local-name()='{name}']"


@pytest.mark.parametrize(("path", "row"), corpus_files("facturx-pdf", expected="valid"))
def test_valid_pdf_gives_the_embedded_xml_and_its_name(path, row):
    document = parsed(path)
    name = note(row, "embedded")
    assert (document.format, document.xml_filename) == ("facturx-pdf", name)
    assert document.xml == embedded_xml(path, name)


@pytest.mark.parametrize(("path", "row"), corpus_files("facturx-pdf", expected="valid"))
def test_valid_pdf_totals_equal_the_embedded_documents_own(path, row):
    tree = etree.fromstring(embedded_xml(path, note(row, "embedded")))
    [summation] = tree.xpath(
        f"/*/{local('SupplyChainTradeTransaction')}/{local('ApplicableHeaderTradeSettlement')}"
        f"/{local('SpecifiedTradeSettlementHeaderMonetarySummation')}"
        f" | /*/{local('SpecifiedSupplyChainTradeTransaction')}"
        f"/{local('ApplicableSupplyChainTradeSettlement')}"
        f"/{local('SpecifiedTradeSettlementMonetarySummation')}"
    )

    def amount(name: str) -> str | None:
        values = summation.xpath(f"{local(name)}/text()")
        return values[0].strip() if values else None

    expected = {
        "tax_exclusive": amount("TaxBasisTotalAmount"),
        "tax_inclusive": amount("GrandTotalAmount"),
        "payable": amount("DuePayableAmount"),
        "line_net_total": amount("LineTotalAmount"),
    }
    totals = parsed(path).invoices[0].totals
    assert {
        name: None if getattr(totals, name) is None else str(getattr(totals, name))
        for name in expected
    } == expected


@pytest.mark.parametrize(("path", "row"), corpus_files("facturx-pdf", expected="valid"))
def test_valid_pdf_gives_the_same_invoice_as_its_xml(path, row):
    """The XML's invoice, with the PDF's other embedded files added as its attachments."""
    name = note(row, "embedded")
    from_xml = cii.parse(embedded_xml(path, name), limits=LIMITS).invoices
    supporting = {
        key: contents[0]
        for key, contents in PdfReader(path, strict=False).attachments.items()
        if key != name
    }
    for from_pdf, expected in zip(parsed(path).invoices, from_xml, strict=True):
        own = len(expected.attachments)
        assert dataclasses.replace(from_pdf, attachments=from_pdf.attachments[:own]) == expected
        assert {a.filename: a.content for a in from_pdf.attachments[own:]} == supporting


@pytest.mark.parametrize(("path", "row"), corpus_files("facturx-pdf", expected="valid"))
def test_valid_pdf_is_header_only_exactly_for_minimum_and_basic_wl(path, row):
    header_only = note(row, "profile").rsplit(":", 1)[-1] in ("minimum", "basicwl")
    document = parsed(path)
    assert document.is_header_only is header_only
    if header_only:
        assert document.invoices[0].lines == ()
        assert ("PAY-CII-HEADER-ONLY", "info") in [
            (f.rule_id, f.severity) for f in document.findings
        ]
    else:
        # ZUGFeRD 1.0 BASIC line items may be free text without an amount: not counted.
        free_text = [f for f in document.findings if f.rule_id == "PAY-CII-TEXT-LINE"]
        assert document.invoices[0].lines or free_text


@pytest.mark.parametrize(("path", "row"), corpus_files("facturx-pdf", expected="invalid"))
def test_invalid_pdf_parses_or_is_refused_cleanly(path, row):
    try:
        document = facturx_pdf.parse(path.read_bytes(), limits=LIMITS)
    except EInvoiceError as error:
        assert error.findings and all(f.is_blocking for f in error.findings)
    else:
        assert len(document.invoices) == 1


def corpus_pdf(name: str) -> Path:
    path = CORPUS_DIR / "facturx-pdf" / "zugferd-corpus" / name
    if not path.exists():
        pytest.skip("the shared corpus is absent")
    return path


def test_corpus_pdf_with_zugferd_1_and_2_reads_the_2x_xml_with_a_warning():
    document = parsed(corpus_pdf("zugferdv2-fail-MustangRE-20171118_506_ZUGFeRD1and2.pdf"))
    assert (document.xml_filename, document.version) == ("factur-x.xml", "Factur-X 1.0")
    assert ("PAY-PDF-TWO-VERSIONS", "warning") in [
        (f.rule_id, f.severity) for f in document.findings
    ]


def test_corpus_pdf_with_xml_that_is_not_well_formed_is_malformed():
    path = corpus_pdf("zugferdv2-fail-factur-x-invalid-xml-encoding-attribute.pdf")
    with pytest.raises(MalformedDocument, match=r"factur-x\.xml"):
        facturx_pdf.parse(path.read_bytes(), limits=LIMITS)


def test_corpus_zugferd1_pdf_reads_as_zugferd_1():
    document = parsed(corpus_pdf("zugferdv1-correct-ZUGFeRD_1p0_COMFORT_Einfach.pdf"))
    assert (document.version, document.profile, document.xml_filename) == (
        "ZUGFeRD 1.0",
        "COMFORT",
        "ZUGFeRD-invoice.xml",
    )
    assert document.invoices[0].totals.payable == Decimal("529.87")


def test_corpus_credit_note_pdf_comes_out_as_credit_note():
    invoice = parsed(corpus_pdf("zugferdv2-correct-Avoir_FR_type381_BASIC.pdf")).invoices[0]
    assert (invoice.type_code, invoice.is_credit_note) == ("381", True)


def test_corpus_pdf_with_a_supporting_pdf_keeps_it_as_an_attachment():
    path = corpus_pdf("zugferdv2-correct-zugferd_2p0_EN16931_Betriebskostenabrechnung.pdf")
    document = parsed(path)
    [finding] = [f for f in document.findings if f.rule_id == "PAY-PDF-OTHER-FILES"]
    assert "AWV_13_Betriebskosten.pdf" in finding.message
    [invoice] = document.invoices
    supporting = invoice.attachments[-1]
    assert (supporting.filename, supporting.mime_code) == (
        "AWV_13_Betriebskosten.pdf",
        "application/pdf",
    )
    assert supporting.content == embedded_xml(path, "AWV_13_Betriebskosten.pdf")


def test_a_supporting_file_over_the_attachment_limit_is_left_out_with_a_warning():
    data = hybrid_pdf(("factur-x.xml", sample(EN16931)), ("big.bin", b"x" * 5000))
    document = facturx_pdf.parse(data, limits=ParseLimits(max_attachment_bytes=4000))
    assert "big.bin" not in [a.filename for a in document.invoices[0].attachments]
    findings = [(f.rule_id, f.severity) for f in document.findings]
    assert ("PAY-PDF-OTHER-FILES", "warning") in findings


def test_supporting_files_of_a_written_pdf_keep_their_names_and_bytes():
    data = hybrid_pdf(("factur-x.xml", sample(EN16931)), ("hours.csv", b"day;hours\n1;8\n"))
    [invoice] = facturx_pdf.parse(data, limits=LIMITS).invoices
    supporting = invoice.attachments[-1]
    assert (supporting.filename, supporting.mime_code, supporting.content) == (
        "hours.csv",
        "text/csv",
        b"day;hours\n1;8\n",
    )


# -- the same FeRD case from CII and from the PDF -----------------------------------------


def ferd_cases() -> list:
    """Pairs cii/zugferd-corpus/EN16931_<case>.cii.xml and the PDF of the same case."""
    pdfs = {
        row["path"].rsplit("_EN16931_", 1)[1].removesuffix(".pdf"): row["path"]
        for row in manifest()
        if row["path"].startswith("facturx-pdf/") and "_2p0_EN16931_" in row["path"]
    }
    params = []
    for row in manifest():
        match = re.fullmatch(r"cii/zugferd-corpus/EN16931_(.+)\.cii\.xml", row["path"])
        if match and match.group(1) in pdfs:
            case = match.group(1)
            params.append(pytest.param(CORPUS_DIR / row["path"], CORPUS_DIR / pdfs[case], id=case))
    if not params:
        reason = "the shared corpus is absent" if not manifest() else "no FeRD case pairs"
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=reason), id="no-pairs")]
    return params


def without_ferd_revisions(invoice: Invoice) -> Invoice:
    """The invoice without what FeRD revised between the 2.0 PDF and 2.2 CII examples.

    The cii/ files come from the ZUGFeRD 2.2 package, the PDFs from 2.0; FeRD changed
    unit codes (C62 to H87, DAY), party identifiers (seller ID added, buyer GlobalID
    dropped) and the credit note's payment terms text. Every amount, date, reference, VAT
    figure and line stayed the same, and that is what must agree.
    """
    return dataclasses.replace(
        invoice,
        seller=dataclasses.replace(invoice.seller, identifiers=()),
        buyer=dataclasses.replace(invoice.buyer, identifiers=()),
        payment_terms="",
        lines=tuple(dataclasses.replace(line, unit_code="") for line in invoice.lines),
    )


@pytest.mark.parametrize(("cii_path", "pdf_path"), ferd_cases())
def test_same_ferd_case_gives_the_same_invoice_from_cii_and_from_pdf(cii_path, pdf_path):
    from_cii = cii.parse(cii_path.read_bytes(), limits=LIMITS).invoices
    from_pdf = parsed(pdf_path).invoices
    assert [without_ferd_revisions(i) for i in from_pdf] == [
        without_ferd_revisions(i) for i in from_cii
    ]


# -- finding the XML -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename", ["factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "FACTUR-X.XML"]
)
def test_invoice_xml_is_found_under_its_standard_names(filename):
    document = facturx_pdf.parse(hybrid_pdf((filename, sample(EN16931))), limits=LIMITS)
    assert (document.xml_filename, document.xml) == (filename, sample(EN16931))
    assert document.invoices == cii.parse(sample(EN16931), limits=LIMITS).invoices


def test_pdf_reports_the_profile_and_version_of_its_xml():
    document = facturx_pdf.parse(hybrid_pdf(("factur-x.xml", sample(EN16931))), limits=LIMITS)
    assert (document.format, document.version, document.profile) == (
        "facturx-pdf",
        "Factur-X 1.0",
        "EN16931",
    )


def test_invoice_xml_listed_only_as_associated_file_is_found():
    data = hybrid_pdf(("factur-x.xml", sample(EN16931)), associated_files_only=True)
    document = facturx_pdf.parse(data, limits=LIMITS)
    assert document.xml_filename == "factur-x.xml"


def test_invoice_xml_under_another_name_is_read_with_a_warning():
    data = hybrid_pdf(("readme.txt", b"hello"), ("invoice-4711.xml", sample(EN16931)))
    document = facturx_pdf.parse(data, limits=LIMITS)
    assert document.xml_filename == "invoice-4711.xml"
    assert "PAY-PDF-FILENAME" in rule_ids(document)


def test_ubl_embedded_as_xrechnung_xml_is_read_as_ubl():
    invoice = cii.parse(sample(EN16931), limits=LIMITS).invoices[0]
    ubl = einvoice.render_ubl(invoice)
    document = facturx_pdf.parse(hybrid_pdf(("xrechnung.xml", ubl)), limits=LIMITS)
    assert (document.xml, document.invoices) == (ubl, (invoice,))


def test_pdf_with_zugferd_1_and_2_prefers_2x_with_a_warning():
    data = hybrid_pdf(("ZUGFeRD-invoice.xml", sample(ZUGFERD1)), ("factur-x.xml", sample(EN16931)))
    document = facturx_pdf.parse(data, limits=LIMITS)
    assert (document.xml_filename, document.invoices[0].number) == ("factur-x.xml", "INV-2024-0042")
    assert "PAY-PDF-TWO-VERSIONS" in rule_ids(document)


def test_pdf_whose_2x_xml_is_broken_falls_back_to_zugferd_1_with_warnings():
    data = hybrid_pdf(
        ("ZUGFeRD-invoice.xml", sample(ZUGFERD1)), ("factur-x.xml", sample(EN16931)[:-50])
    )
    document = facturx_pdf.parse(data, limits=LIMITS)
    assert (document.version, document.invoices[0].number) == ("ZUGFeRD 1.0", "GS-2014-7")
    [broken] = [f for f in document.findings if f.rule_id == "PAY-XML"]
    assert (broken.severity, broken.message.startswith("factur-x.xml: ")) == ("warning", True)


def test_header_only_pdf_says_so():
    document = facturx_pdf.parse(hybrid_pdf(("factur-x.xml", sample(MINIMUM))), limits=LIMITS)
    assert (document.profile, document.is_header_only, document.invoices[0].lines) == (
        "MINIMUM",
        True,
        (),
    )
    assert "PAY-CII-HEADER-ONLY" in rule_ids(document)


def test_registry_sends_pdf_to_this_module():
    assert einvoice.detect(hybrid_pdf(("factur-x.xml", sample(MINIMUM)))) is facturx_pdf


@pytest.mark.parametrize(
    ("data", "is_pdf"),
    [(b"%PDF-1.7\n", True), (b" \r\n%PDF-1.4", True), (b"<?xml?><x/>", False), (b"PDF-", False)],
)
def test_detect_is_true_for_pdf_bytes_only(data, is_pdf):
    assert facturx_pdf.detect(data) is is_pdf


# -- XMP -------------------------------------------------------------------------------------


def test_real_factur_x_writer_output_reads_without_pdf_findings():
    blank = hybrid_pdf()
    data = facturx.generate_from_binary(blank, sample(MINIMUM), check_xsd=True)
    document = facturx_pdf.parse(data, limits=LIMITS)
    assert (document.xml_filename, document.profile) == ("factur-x.xml", "MINIMUM")
    assert rule_ids(document) == ["PAY-CII-HEADER-ONLY"]


def test_matching_xmp_gives_no_finding():
    data = hybrid_pdf(
        ("factur-x.xml", sample(EN16931)), xmp=factur_x_xmp("factur-x.xml", "EN 16931")
    )
    assert facturx_pdf.parse(data, limits=LIMITS).findings == ()


def test_broken_xmp_is_a_warning_and_the_invoice_is_read():
    data = hybrid_pdf(("factur-x.xml", sample(EN16931)), xmp=b"<x:xmpmeta><rdf:RDF>")
    document = facturx_pdf.parse(data, limits=LIMITS)
    assert document.invoices[0].number == "INV-2024-0042"
    assert [(f.rule_id, f.severity) for f in document.findings] == [("PAY-PDF-XMP", "warning")]


def test_xmp_declaring_another_profile_is_a_warning():
    data = hybrid_pdf(("factur-x.xml", sample(EN16931)), xmp=factur_x_xmp("factur-x.xml", "BASIC"))
    [finding] = facturx_pdf.parse(data, limits=LIMITS).findings
    assert (finding.rule_id, finding.severity) == ("PAY-PDF-XMP", "warning")
    assert "'BASIC'" in finding.message


def test_xmp_naming_another_file_is_a_warning():
    data = hybrid_pdf(
        ("factur-x.xml", sample(EN16931)), xmp=factur_x_xmp("zugferd-invoice.xml", "EN 16931")
    )
    [finding] = facturx_pdf.parse(data, limits=LIMITS).findings
    assert "zugferd-invoice.xml" in finding.message


def test_xmp_properties_written_as_attributes_are_checked_too():
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" '
        b'fx:DocumentFileName="factur-x.xml" fx:ConformanceLevel="MINIMUM"/></rdf:RDF></x:xmpmeta>'
    )
    data = hybrid_pdf(("factur-x.xml", sample(EN16931)), xmp=xmp)
    [finding] = facturx_pdf.parse(data, limits=LIMITS).findings
    assert "'MINIMUM'" in finding.message


def test_pdf_without_xmp_says_so():
    document = facturx_pdf.parse(hybrid_pdf(("factur-x.xml", sample(EN16931))), limits=LIMITS)
    assert [(f.rule_id, f.severity) for f in document.findings] == [("PAY-PDF-XMP", "info")]


# -- refusals --------------------------------------------------------------------------------
