"""Finvoice 1.x-3.0: the shared corpus, SOAP frames, encodings, credit notes and sub-rows.

Expected values are read from the documents with plain lxml XPath, not with the parser.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from payables import einvoice
from payables.einvoice import finvoice
from payables.einvoice.errors import (
    EInvoiceError,
    LimitExceeded,
    MalformedDocument,
    UnsafeDocument,
    UnsupportedFormat,
)
from payables.einvoice.model import Invoice, ParsedDocument, ParseLimits
from payables.einvoice.tests.corpus import CORPUS_DIR, SAMPLES_DIR, corpus_files, manifest

LIMITS = ParseLimits()
CREDIT_NOTE = "finvoice-3.0-credit-note-iso-8859-15.xml"
WINDOWS_1252 = "finvoice-2.01-invoice-windows-1252.xml"
SUB_ROWS = "finvoice-2.01-invoice-sub-invoice-rows.xml"
UTF8_BOM = "finvoice-3.0-invoice-utf-8-bom.xml"
MISDECLARED = (
    "finvoice-3.0-invoice-utf-8-declared-iso-8859-15.xml",
    "finvoice-3.0-invoice-iso-8859-15-declared-utf-8.xml",
)
# The ebXML transmission frame Finnish banks and operators put before each Finvoice.
FRAME = (
    b'<?xml version="1.0" encoding="ISO-8859-15"?>\n'
    b'<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
    b'xmlns:eb="http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd">\n'
    b"  <SOAP-ENV:Header><eb:MessageHeader><eb:From><eb:PartyId>003723456789</eb:PartyId>"
    b"<eb:Role>Sender</eb:Role></eb:From></eb:MessageHeader></SOAP-ENV:Header>\n"
    b'  <SOAP-ENV:Body><eb:Manifest><eb:Reference eb:id="Finvoice"/></eb:Manifest>'
    b"</SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n"
)
ISO_DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-15"?>'


def sample(name: str) -> bytes:
    return (SAMPLES_DIR / name).read_bytes()


def parse(data: bytes) -> ParsedDocument:
    return finvoice.parse(data, limits=LIMITS)


def only_invoice(data: bytes) -> Invoice:
    (invoice,) = parse(data).invoices
    return invoice


def rule_ids(document: ParsedDocument) -> set[str]:
    return {finding.rule_id for finding in document.findings}


# --- the document's own figures, read without the parser ---------------------------------


def finvoice_root(data: bytes) -> etree._Element:
    """The Finvoice document of a file: everything from its last XML declaration on."""
    start = max(data.rfind(b"<?xml "), 0)
    return etree.fromstring(data[start:], etree.XMLParser(resolve_entities=False))


def amount(root: etree._Element, xpath: str) -> Decimal | None:
    values = root.xpath(f"{xpath}/text()")
    return Decimal(values[0].strip().replace(",", ".")) if values else None


def stated_totals(root: etree._Element) -> dict[str, Decimal | None]:
    details = "/Finvoice/InvoiceDetails"
    gross = amount(root, f"{details}/InvoiceTotalVatIncludedAmount")
    instructed = amount(
        root, "/Finvoice/EpiDetails/EpiPaymentInstructionDetails/EpiInstructedAmount"
    )
    row_nets = [
        Decimal(value.strip().replace(",", "."))
        for value in root.xpath("/Finvoice/InvoiceRow/RowVatExcludedAmount/text()")
    ]
    rows_total = amount(root, f"{details}/RowsTotalVatExcludedAmount")
    return {
        "line_net_total": rows_total if rows_total is not None else sum(row_nets, Decimal(0)),
        "tax_exclusive": amount(root, f"{details}/InvoiceTotalVatExcludedAmount"),
        "tax_total": amount(root, f"{details}/InvoiceTotalVatAmount"),
        "tax_inclusive": gross,
        "payable": instructed if instructed is not None else gross,
    }


def stated_vat(root: etree._Element) -> list[tuple[Decimal | None, ...]]:
    return [
        (
            amount(spec, "VatBaseAmount"),
            amount(spec, "VatRatePercent"),
            amount(spec, "VatRateAmount"),
        )
        for spec in root.xpath("/Finvoice/InvoiceDetails/VatSpecificationDetails")
    ]


def manifest_gross(row: dict[str, str]) -> Decimal:
    (note,) = [
        n for n in row["notes"].split("; ") if n.startswith("InvoiceTotalVatIncludedAmount=")
    ]
    return Decimal(note.split("=", 1)[1].replace(",", "."))


def without_routing(invoice: Invoice) -> Invoice:
    """The invoice without electronic addresses, which only MessageTransmissionDetails carry."""
    return replace(
        invoice,
        seller=replace(invoice.seller, electronic_address="", electronic_address_scheme=""),
        buyer=replace(invoice.buyer, electronic_address="", electronic_address_scheme=""),
    )


def corpus_pair(version: str) -> tuple[bytes, bytes]:
    folder = CORPUS_DIR / "finvoice" / "visma-maventa"
    bare = folder / f"anon_finvoice_{version}_invoice_with_MessageTransmissionDetails.xml"
    framed = folder / f"anon_finvoice_{version}_invoice_with_SOAP.xml"
    if not bare.exists() or not framed.exists():
        pytest.skip("the shared corpus is absent: expected at ../shared/corpus")
    return bare.read_bytes(), framed.read_bytes()


# --- the corpus --------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "row"), corpus_files("finvoice", expected="valid"))
def test_valid_corpus_file_has_the_documents_own_totals(path: Path, row: dict[str, str]) -> None:
    data = path.read_bytes()
    totals = only_invoice(data).totals
    expected = stated_totals(finvoice_root(data))
    assert {name: getattr(totals, name) for name in expected} == expected
    assert totals.tax_inclusive == manifest_gross(row)


@pytest.mark.parametrize(("path", "row"), corpus_files("finvoice", expected="valid"))
def test_valid_corpus_file_has_the_documents_own_vat_breakdown(
    path: Path, row: dict[str, str]
) -> None:
    data = path.read_bytes()
    breakdown = only_invoice(data).vat_breakdown
    parsed = [(vat.taxable_amount, vat.rate, vat.tax_amount) for vat in breakdown]
    assert parsed == stated_vat(finvoice_root(data))


@pytest.mark.parametrize(("path", "row"), corpus_files("finvoice", expected="unknown"))
def test_older_version_corpus_file_has_the_gross_total_of_the_manifest(
    path: Path, row: dict[str, str]
) -> None:
    assert only_invoice(path.read_bytes()).totals.tax_inclusive == manifest_gross(row)


@pytest.mark.parametrize(
    ("path", "row"),
    corpus_files("finvoice", expected="invalid") + corpus_files("finvoice", expected="unknown"),
)
def test_invalid_or_unknown_corpus_file_parses_or_fails_cleanly(
    path: Path, row: dict[str, str]
) -> None:
    try:
        document = parse(path.read_bytes())
    except EInvoiceError as error:
        assert error.findings
    else:
        assert document.invoices


def test_corpus_file_that_is_not_well_formed_is_refused_with_its_line() -> None:
    rows = [r for r in manifest() if r["notes"].startswith("not well-formed")]
    if not rows:
        pytest.skip("the shared corpus is absent: expected at ../shared/corpus")
    with pytest.raises(MalformedDocument) as refused:
        parse((CORPUS_DIR / rows[0]["path"]).read_bytes())
    assert refused.value.findings[0].location.startswith("line ")


@pytest.mark.parametrize("version", ["13", "20", "201", "30"])
def test_soap_framed_and_bare_versions_give_the_same_invoice(version: str) -> None:
    bare, framed = corpus_pair(version)
    assert [without_routing(i) for i in parse(framed).invoices] == [
        without_routing(i) for i in parse(bare).invoices
    ]


@pytest.mark.parametrize(
    ("version", "expected"), [("13", "1.3"), ("20", "2.0"), ("201", "2.01"), ("30", "3.0")]
)
def test_version_comes_from_the_finvoice_version_attribute(version: str, expected: str) -> None:
    bare, framed = corpus_pair(version)
    assert (parse(bare).version, parse(framed).version) == (expected, expected)


# --- detection ---------------------------------------------------------------------------


def test_detect_claims_a_bare_finvoice() -> None:
    assert finvoice.detect(sample(CREDIT_NOTE))


def test_detect_claims_a_finvoice_behind_its_soap_frame() -> None:
    assert finvoice.detect(FRAME + sample(CREDIT_NOTE))


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:'
        b'Invoice-2"><Note>Finvoice</Note></Invoice>',
        b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:'
        b'CrossIndustryInvoice:100"/>',
        b'<?xml version="1.0"?><E_Invoice><Header/></E_Invoice>',
        FRAME,
        b"%PDF-1.7\n",
        b"",
    ],
    ids=["ubl", "cii", "ee-einvoice", "frame-alone", "pdf", "empty"],
)
def test_detect_leaves_other_documents_alone(data: bytes) -> None:
    assert not finvoice.detect(data)


@pytest.mark.parametrize(
    ("path", "row"),
    corpus_files("ubl") + corpus_files("cii") + corpus_files("facturx-pdf"),
)
def test_detect_does_not_claim_other_corpus_formats(path: Path, row: dict[str, str]) -> None:
    assert not finvoice.detect(path.read_bytes())


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in SAMPLES_DIR.glob("*.xml") if not p.name.startswith("finvoice-")),
)
def test_detect_does_not_claim_other_formats_samples(name: str) -> None:
    assert not finvoice.detect(sample(name))


def test_registry_reads_a_soap_framed_finvoice_as_finvoice() -> None:
    document = einvoice.parse(FRAME + sample(CREDIT_NOTE))
    assert (document.format, document.version) == ("finvoice", "3.0")


# --- frames and batches ------------------------------------------------------------------


def test_own_sample_in_a_soap_frame_gives_the_same_invoice() -> None:
    assert parse(FRAME + sample(CREDIT_NOTE)).invoices == parse(sample(CREDIT_NOTE)).invoices


def test_batch_of_framed_documents_gives_one_invoice_each() -> None:
    batch = FRAME + sample(CREDIT_NOTE) + b"\n" + FRAME + sample(WINDOWS_1252)
    numbers = [invoice.number for invoice in parse(batch).invoices]
    assert numbers == ["H-2024-0042", "77001"]


def test_batch_reads_each_document_in_its_own_encoding() -> None:
    batch = FRAME + sample(CREDIT_NOTE) + b"\n" + FRAME + sample(WINDOWS_1252)
    sellers = [invoice.seller.name for invoice in parse(batch).invoices]
    assert sellers == ["Šampanja & Žanri Oy", "Škoda Žilina Huolto Oy"]


def test_finvoice_without_declaration_after_its_frame_takes_the_frame_encoding() -> None:
    bare = sample(CREDIT_NOTE).removeprefix(ISO_DECLARATION).lstrip()
    document = parse(FRAME + bare)
    assert document.invoices[0].seller.name == "Šampanja & Žanri Oy"
    assert ("FINVOICE-ENCODING", "info") in {(f.rule_id, f.severity) for f in document.findings}


def test_file_with_only_a_frame_is_refused() -> None:
    with pytest.raises(UnsupportedFormat):
        parse(FRAME)


# --- encodings ---------------------------------------------------------------------------


def test_iso_8859_15_document_reads_euro_sign_and_caron_letters() -> None:
    invoice = only_invoice(sample(CREDIT_NOTE))
    assert (invoice.seller.name, invoice.notes[0][:14]) == ("Šampanja & Žanri Oy", "Hyvitys 358,20")
    assert "€" in invoice.notes[0]


def test_windows_1252_document_reads_euro_sign_and_caron_letters() -> None:
    invoice = only_invoice(sample(WINDOWS_1252))
    assert invoice.seller.name == "Škoda Žilina Huolto Oy"
    assert invoice.notes == ("Huolto \u201eŠkoda\u201c \u2013 310,00 € sis. alv\u2026",)


def test_utf8_document_with_byte_order_mark_parses_without_findings() -> None:
    document = parse(sample(UTF8_BOM))
    assert document.invoices[0].seller.name == "Žaluzie & Šermi Oy"
    assert document.findings == ()


@pytest.mark.parametrize("name", MISDECLARED)
def test_mismatching_declaration_is_read_as_what_the_bytes_are(name: str) -> None:
    assert parse(sample(name)).invoices == parse(sample(UTF8_BOM)).invoices


@pytest.mark.parametrize("name", MISDECLARED)
def test_mismatching_declaration_is_reported(name: str) -> None:
    (finding,) = parse(sample(name)).findings
    assert (finding.rule_id, finding.severity) == ("FINVOICE-ENCODING", "warning")


def test_latin1_declaration_over_windows_1252_bytes_reads_the_euro_sign() -> None:
    data = sample(WINDOWS_1252).replace(b'encoding="Windows-1252"', b'encoding="ISO-8859-1"', 1)
    document = parse(data)
    assert "€" in document.invoices[0].notes[0]
    assert "FINVOICE-ENCODING" in rule_ids(document)


def test_undeclared_latin_bytes_are_read_as_iso_8859_15_with_a_warning() -> None:
    document = parse(sample(CREDIT_NOTE).removeprefix(ISO_DECLARATION).lstrip())
    assert document.invoices[0].seller.name == "Šampanja & Žanri Oy"
    assert ("FINVOICE-ENCODING", "warning") in {(f.rule_id, f.severity) for f in document.findings}


def test_utf16_document_with_byte_order_mark_is_read() -> None:
    text = sample(CREDIT_NOTE).decode("iso-8859-15").replace("ISO-8859-15", "UTF-16", 1)
    data = b"\xfe\xff" + text.encode("utf-16-be")
    assert only_invoice(data).seller.name == "Šampanja & Žanri Oy"


def test_unknown_declared_encoding_is_refused_cleanly() -> None:
    data = sample(CREDIT_NOTE).replace(b"ISO-8859-15", b"X-NO-SUCH-CHARSET", 1)
    with pytest.raises(MalformedDocument, match="Unsupported encoding"):
        parse(data)


# --- credit notes, rows and totals -------------------------------------------------------


def test_inv02_is_a_credit_note() -> None:
    invoice = only_invoice(sample(CREDIT_NOTE))
    assert (invoice.type_code, invoice.is_credit_note) == ("381", True)


def test_inv02_without_a_un_type_code_is_a_credit_note() -> None:
    data = sample(CREDIT_NOTE).replace(b"    <InvoiceTypeCodeUN>381</InvoiceTypeCodeUN>\n", b"")
    assert only_invoice(data).type_code == "381"


def test_inv02_is_a_credit_note_whatever_its_un_type_code_says() -> None:
    data = sample(CREDIT_NOTE).replace(b">381</InvoiceTypeCodeUN>", b">380</InvoiceTypeCodeUN>")
    assert only_invoice(data).type_code == "381"


def test_other_finvoice_type_code_is_reported() -> None:
    data = sample(WINDOWS_1252).replace(b">INV01<", b">INV06<")
    document = parse(data)
    assert document.invoices[0].type_code == "325"
    assert "FINVOICE-TYPE" in rule_ids(document)


def test_inv02_keeps_its_negative_amounts_as_stated() -> None:
    invoice = only_invoice(sample(CREDIT_NOTE))
    totals = invoice.totals
    assert (totals.line_net_total, totals.tax_total, totals.tax_inclusive, totals.payable) == (
        Decimal("-290.00"),
        Decimal("-68.20"),
        Decimal("-358.20"),
        Decimal("-358.20"),
    )
    assert [(line.quantity, line.line_net) for line in invoice.lines] == [
        (Decimal("-2"), Decimal("-240.00")),
        (Decimal("-1"), Decimal("-50.00")),
    ]


def test_inv02_names_the_invoice_it_credits() -> None:
    assert only_invoice(sample(CREDIT_NOTE)).preceding_invoice == "2024-0917"


def test_sub_invoice_rows_are_not_counted_as_lines() -> None:
    invoice = only_invoice(sample(SUB_ROWS))
    assert [(line.id, line.line_net) for line in invoice.lines] == [
        ("1", Decimal("300.00")),
        ("2", Decimal("400.00")),
        ("3", Decimal("100.00")),
    ]
    assert invoice.totals.line_net_total == invoice.totals.tax_exclusive == Decimal("800.00")


def test_skipped_sub_rows_and_text_rows_are_reported_as_info() -> None:
    findings = parse(sample(SUB_ROWS)).findings
    assert {(f.rule_id, f.severity, f.message[:15]) for f in findings} == {
        ("FINVOICE-ROW-SUB", "info", "2 InvoiceRow(s)"),
        ("FINVOICE-ROW-TEXT", "info", "1 InvoiceRow(s)"),
    }


def test_row_with_amounts_but_no_net_is_left_out_with_a_warning() -> None:
    data = sample(SUB_ROWS).replace(
        b"  <InvoiceRow>\n    <RowFreeText>Kiitos",
        b"  <InvoiceRow>\n    <ArticleName>Ennakkomaksu</ArticleName>\n"
        b'    <RowAmount AmountCurrencyIdentifier="EUR">-100,00</RowAmount>\n'
        b"  </InvoiceRow>\n  <InvoiceRow>\n    <RowFreeText>Kiitos",
    )
    document = parse(data)
    assert len(document.invoices[0].lines) == 3
    assert ("FINVOICE-ROW-NO-NET", "warning") in {
        (f.rule_id, f.severity) for f in document.findings
    }


def test_row_without_net_takes_row_amount_less_row_vat() -> None:
    data = sample(SUB_ROWS).replace(
        b'    <RowVatExcludedAmount AmountCurrencyIdentifier="EUR">400,00</RowVatExcludedAmount>\n',
        b"",
    )
    document = parse(data)
    assert document.invoices[0].lines[1].line_net == Decimal("400.00")
    assert ("FINVOICE-ROW-DERIVED", "info") in {(f.rule_id, f.severity) for f in document.findings}


def test_line_fields_map_to_en16931() -> None:
    line = only_invoice(sample(UTF8_BOM)).lines[0]
    assert (
        line.id,
        line.name,
        line.seller_item_id,
        line.standard_item_id,
        line.quantity,
        line.unit_code,
        line.net_price,
        line.vat_category,
        line.vat_rate,
        line.accounting_cost,
        line.order_line_reference,
        line.account_code,
    ) == (
        "1",
        "Žalusia 120 cm (sälekaihdin)",
        "ZAL-120",
        "6412345678903",
        Decimal("4"),
        "H87",
        Decimal("45.00"),
        "S",
        Decimal("25.5"),
        "KP-410",
        "10",
        "4000",
    )


def test_finvoice_3_totals_carry_discounts_and_rounding() -> None:
    totals = only_invoice(sample(UTF8_BOM)).totals
    assert (totals.allowance_total, totals.rounding, totals.tax_inclusive, totals.payable) == (
        Decimal("20.00"),
        Decimal("-0.80"),
        Decimal("400.80"),
        Decimal("400.00"),
    )


def test_vat_breakdown_keeps_category_and_exemption_reason() -> None:
    breakdown = only_invoice(sample(UTF8_BOM)).vat_breakdown
    assert [(v.category, v.rate, v.exemption_reason_code) for v in breakdown] == [
        ("S", Decimal("25.5"), ""),
        ("AE", Decimal("0"), "VATEX-EU-AE"),
    ]


def test_vat_category_without_a_code_is_standard_for_a_positive_rate() -> None:
    (vat,) = only_invoice(sample(WINDOWS_1252)).vat_breakdown
    assert (vat.category, vat.rate) == ("S", Decimal("24"))


# --- parties, references and payment -----------------------------------------------------


def test_seller_identity_comes_from_seller_party_details() -> None:
    seller = only_invoice(sample(UTF8_BOM)).seller
    assert (seller.registry_id, seller.registry_scheme, seller.vat_id, seller.address.country) == (
        "8901234-5",
        "0212",
        "FI89012345",
        "FI",
    )


def test_message_transmission_details_give_the_electronic_addresses() -> None:
    invoice = only_invoice(sample(UTF8_BOM))
    assert (invoice.seller.electronic_address, invoice.seller.electronic_address_scheme) == (
        "003789012345",
        "0216",
    )
    assert invoice.buyer.electronic_address == "003790123456"


def test_document_references_map_to_en16931() -> None:
    invoice = only_invoice(sample(UTF8_BOM))
    assert (
        invoice.order_reference,
        invoice.contract_reference,
        invoice.buyer_reference,
        invoice.project_reference,
        invoice.customization_id,
    ) == ("TIL-5520", "Puitesopimus 2024/7", "Työmaa Hervanta", "PRJ-77", "EN16931")


def test_payment_means_come_from_epi_details_then_other_seller_accounts() -> None:
    means = only_invoice(sample(UTF8_BOM)).payment_means
    assert [(m.iban, m.bic, m.payment_reference, m.code) for m in means] == [
        ("FI5810171000000122", "NDEAFIHH", "20243300", "58"),
        ("FI7950000120253567", "OKOYFIHH", "20243300", "58"),
    ]


def test_due_date_comes_from_the_payment_terms() -> None:
    invoice = only_invoice(sample(CREDIT_NOTE))
    assert (invoice.issue_date.isoformat(), invoice.due_date.isoformat()) == (
        "2024-10-15",
        "2024-10-29",
    )


def test_due_date_falls_back_to_the_epi_payment_date() -> None:
    data = sample(CREDIT_NOTE).replace(
        b'      <InvoiceDueDate Format="CCYYMMDD">20241029</InvoiceDueDate>\n', b""
    )
    data = data.replace(b">20241029</EpiDateOptionDate>", b">20241101</EpiDateOptionDate>")
    assert only_invoice(data).due_date.isoformat() == "2024-11-01"


def test_link_to_a_supporting_document_becomes_an_attachment() -> None:
    (attachment,) = only_invoice(sample(UTF8_BOM)).attachments
    assert (attachment.id, attachment.uri) == (
        "Asennusraportti",
        "https://sermi.example/raportit/2024-3301.pdf",
    )


# --- broken and hostile documents --------------------------------------------------------


def test_amount_that_is_not_a_number_is_refused_with_its_location() -> None:
    data = sample(CREDIT_NOTE).replace(
        b">-290,00</InvoiceTotalVatExcludedAmount>", b">-29O,00</InvoiceTotalVatExcludedAmount>"
    )
    with pytest.raises(MalformedDocument) as refused:
        parse(data)
    assert refused.value.findings[0].location.endswith("/InvoiceTotalVatExcludedAmount")


def test_impossible_date_is_reported_and_read_as_absent() -> None:
    data = sample(CREDIT_NOTE).replace(b">20241015</InvoiceDate>", b">20241315</InvoiceDate>")
    document = parse(data)
    assert document.invoices[0].issue_date is None
    assert "FINVOICE-DATE" in rule_ids(document)


def test_document_without_invoice_details_is_refused() -> None:
    with pytest.raises(MalformedDocument):
        parse(b'<?xml version="1.0"?><Finvoice Version="3.0"><SellerPartyDetails/></Finvoice>')


def test_external_finvoice_dtd_reference_is_ignored() -> None:
    data = sample(CREDIT_NOTE).replace(
        ISO_DECLARATION, ISO_DECLARATION + b'\n<!DOCTYPE Finvoice SYSTEM "Finvoice.dtd">', 1
    )
    document = parse(data)
    assert document.invoices == parse(sample(CREDIT_NOTE)).invoices
    assert "FINVOICE-DOCTYPE" in rule_ids(document)


def test_doctype_with_entities_is_refused() -> None:
    data = sample(CREDIT_NOTE).replace(
        ISO_DECLARATION, ISO_DECLARATION + b'\n<!DOCTYPE Finvoice [<!ENTITY x "y">]>', 1
    )
    with pytest.raises(UnsafeDocument):
        parse(data)


def test_namespaced_finvoice_is_read_by_its_local_names() -> None:
    data = sample(CREDIT_NOTE).replace(
        b'<Finvoice Version="3.0"', b'<Finvoice xmlns="urn:x" Version="3.0"'
    )
    document = parse(data)
    assert document.invoices == parse(sample(CREDIT_NOTE)).invoices
    assert "FINVOICE-NAMESPACE" in rule_ids(document)


def test_document_over_the_byte_limit_is_refused() -> None:
    with pytest.raises(LimitExceeded):
        finvoice.parse(sample(CREDIT_NOTE), limits=ParseLimits(max_bytes=1000))


# --- the samples themselves --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        (CREDIT_NOTE, "finvoice-3.0/Finvoice3.0.xsd"),
        (UTF8_BOM, "finvoice-3.0/Finvoice3.0.xsd"),
        (WINDOWS_1252, "finvoice-2.01/Finvoice2.01.xsd"),
        (SUB_ROWS, "finvoice-2.01/Finvoice2.01.xsd"),
    ],
)
def test_own_sample_is_valid_against_the_official_schema(name: str, schema: str) -> None:
    path = CORPUS_DIR / "xsd" / schema
    if not path.exists():
        pytest.skip("the shared corpus is absent: expected at ../shared/corpus")
    xsd = etree.XMLSchema(etree.parse(str(path)))
    document = etree.fromstring(sample(name), etree.XMLParser(resolve_entities=False))
    assert xsd.validate(document), xsd.error_log
