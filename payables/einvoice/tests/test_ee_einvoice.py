"""Estonian e-invoice (E_Invoice 1.1 / 1.11 / 1.2): the hand-made fixtures in samples/ee-*.xml.

No public samples exist, so the fixtures are ours: fictional companies with valid registry
and VAT number checksums, validated against the official 1.2 XSD from the shared corpus.
Expected amounts are read from each file with XPath, independently of the parser.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from lxml import etree
from stdnum import iban
from stdnum.ee import kmkr, registrikood

import payables.einvoice as engine
from payables.einvoice import ee_einvoice
from payables.einvoice.errors import (
    EInvoiceError,
    LimitExceeded,
    MalformedDocument,
    UnsafeDocument,
    UnsupportedFormat,
)
from payables.einvoice.model import ParsedDocument, ParseLimits
from payables.einvoice.tests.corpus import CORPUS_DIR, SAMPLES_DIR

XSD = CORPUS_DIR / "xsd" / "ee-einvoice-1.2" / "e-invoice_ver1.2.xsd"
FIXTURES = sorted(SAMPLES_DIR.glob("ee-*.xml"))
FIXTURE_IDS = [path.name for path in FIXTURES]
# Schema-valid, but its Footer disagrees with its invoices on purpose.
FOOTER_MISMATCH = "ee-1.2-footer-sum-mismatch.xml"
CONSISTENT = [path for path in FIXTURES if path.name != FOOTER_MISMATCH]

THREE_INVOICES = "ee-1.2-three-invoices-22-24-9-0-percent.xml"
CREDIT_NOTE = "ee-1.2-credit-note.xml"
DISCOUNTS = "ee-1.11-discount-and-rounding.xml"
ATTACHMENT = "ee-1.2-with-attachment-and-journal-entries.xml"
GROUPS = "ee-1.2-item-groups-with-subtotals.xml"
EEK = "ee-1.1-eek-with-euro-sum-group.xml"


@cache
def parsed(name: str) -> ParsedDocument:
    return ee_einvoice.parse((SAMPLES_DIR / name).read_bytes(), limits=ParseLimits())


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def tree(name: str) -> etree._ElementTree:
    return etree.parse(str(SAMPLES_DIR / name))


def variant(name: str, edit) -> bytes:
    """The fixture with ``edit(root)`` applied: a broken or unusual version of it."""
    document = tree(name)
    edit(document.getroot())
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


def rule_ids(document: ParsedDocument) -> set[str]:
    return {finding.rule_id for finding in document.findings}


def money(element: etree._Element, path: str) -> Decimal | None:
    values = element.xpath(f"{path}/text()")
    return Decimal(values[0].strip()) if values else None


def by_rate(vat: tuple) -> tuple:
    """Sort key for (rate, taxable, tax): a missing rate (outside the scope of VAT) last."""
    rate, taxable, tax = vat
    return (rate is None, rate or 0, taxable, tax)


def expected_invoices(path: Path) -> list[dict]:
    """Each invoice's own totals and VAT entries, read with XPath from the document."""
    expected = []
    for invoice in tree(path.name).xpath("/E_Invoice/Invoice"):
        groups = invoice.xpath("InvoiceSumGroup[Currency = ../PaymentInfo/Currency]") or (
            invoice.xpath("InvoiceSumGroup")
        )
        sums = groups[0]
        vats = sorted(
            (
                (
                    # EN 16931 BR-O-05: outside the scope of VAT (NOTTAX) has no rate.
                    None if vat.get("vatId") == "NOTTAX" else money(vat, "VATRate"),
                    money(vat, "SumBeforeVAT"),
                    money(vat, "VATSum"),
                )
                for vat in sums.xpath("VAT")
            ),
            key=by_rate,
        )
        expected.append(
            {
                "number": invoice.xpath("string(InvoiceInformation/InvoiceNumber)"),
                "line_net_total": money(sums, "InvoiceSum"),
                "tax_exclusive": sum(v[1] for v in vats),
                "tax_total": money(sums, "TotalVATSum"),
                "tax_inclusive": money(sums, "TotalSum"),
                "rounding": money(sums, "Rounding"),
                "payable": money(sums, "TotalToPay"),
                "vat": vats,
            }
        )
    return expected


def actual_invoices(document: ParsedDocument) -> list[dict]:
    return [
        {
            "number": invoice.number,
            "line_net_total": invoice.totals.line_net_total,
            "tax_exclusive": invoice.totals.tax_exclusive,
            "tax_total": invoice.totals.tax_total,
            "tax_inclusive": invoice.totals.tax_inclusive,
            "rounding": invoice.totals.rounding,
            "payable": invoice.totals.payable,
            "vat": sorted(
                ((vat.rate, vat.taxable_amount, vat.tax_amount) for vat in invoice.vat_breakdown),
                key=by_rate,
            ),
        }
        for invoice in document.invoices
    ]


# --- the fixtures themselves ---------------------------------------------------------------


def test_there_are_fixtures_for_every_standard_version():
    versions = {tree(path.name).xpath("string(/E_Invoice/Header/Version)") for path in FIXTURES}
    assert versions == {"1.1", "1.11", "1.2"}


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_fixture_validates_against_the_official_xsd(path):
    if not XSD.exists():
        pytest.skip(f"the Estonian e-invoice 1.2 XSD is absent: expected at {XSD}")
    document = etree.parse(str(path))
    assert schema().validate(document), schema().error_log.filter_from_errors()


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_fixture_identifiers_have_valid_checksums(path):
    root = tree(path.name).getroot()
    registry_codes = root.xpath("//RegNumber/text() | //Invoice/@regNumber")
    vat_numbers = root.xpath("//VATRegNumber/text()")
    accounts = root.xpath("//PayToAccount/text() | //AccountInfo/IBAN/text()")
    assert registry_codes and vat_numbers and accounts
    assert all(registrikood.is_valid(code) for code in registry_codes), registry_codes
    assert all(kmkr.is_valid(number) for number in vat_numbers), vat_numbers
    assert all(iban.is_valid(account) for account in accounts), accounts


# --- detection ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_the_registry_routes_the_fixture_to_this_module(path):
    assert engine.detect(path.read_bytes()) is ee_einvoice


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><Finvoice Version="3.0"/>',
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
        b"<Envelope><Body><E_Invoice/></Body></Envelope>",
        b"%PDF-1.7\n<E_Invoice>",
        b"",
    ],
    ids=["finvoice", "ubl", "e-invoice-not-at-the-root", "pdf", "empty"],
)
def test_detect_refuses_other_documents(data):
    assert not ee_einvoice.detect(data)


def test_detect_sees_past_a_bom_and_comments():
    data = b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- e-arve -->\n<E_Invoice><Header/></E_Invoice>'
    assert ee_einvoice.detect(data)


# --- every invoice, with the document's own totals -------------------------------------------


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_fixture_parses_into_one_invoice_per_invoice_element(path):
    count = len(tree(path.name).xpath("/E_Invoice/Invoice"))
    document = parsed(path.name)
    assert document.format == "ee-einvoice"
    assert len(document.invoices) == count


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_totals_and_vat_breakdown_equal_the_documents_own(path):
    assert actual_invoices(parsed(path.name)) == expected_invoices(path)


@pytest.mark.parametrize("path", FIXTURES, ids=FIXTURE_IDS)
def test_line_nets_add_up_to_the_line_total(path):
    for invoice in parsed(path.name).invoices:
        assert sum(line.line_net for line in invoice.lines) == invoice.totals.line_net_total


@pytest.mark.parametrize(
    ("name", "version"), [(EEK, "1.1"), (DISCOUNTS, "1.11"), (THREE_INVOICES, "1.2")]
)
def test_version_comes_from_the_header(name, version):
    assert parsed(name).version == version


def test_an_unknown_version_gives_a_warning():
    data = variant(CREDIT_NOTE, lambda root: setattr(root.find("Header/Version"), "text", "2.0"))
    document = ee_einvoice.parse(data, limits=ParseLimits())
    assert [f.severity for f in document.findings if f.rule_id == "EE-VERSION"] == ["warning"]


def test_a_file_marked_as_test_gives_a_warning():
    def mark(root):
        test = etree.Element("Test")
        test.text = "YES"
        root.find("Header").insert(0, test)

    document = ee_einvoice.parse(variant(CREDIT_NOTE, mark), limits=ParseLimits())
    assert "EE-TEST-FILE" in rule_ids(document)


# --- the footer's control sums ---------------------------------------------------------------


@pytest.mark.parametrize("path", CONSISTENT, ids=[p.name for p in CONSISTENT])
def test_a_consistent_fixture_has_no_blocking_findings(path):
    assert [f for f in parsed(path.name).findings if f.is_blocking] == []


def test_footer_invoice_count_mismatch_is_an_error_finding():
    findings = [f for f in parsed(FOOTER_MISMATCH).findings if f.rule_id == "EE-FOOTER-COUNT"]
    assert [(f.severity, f.location) for f in findings] == [
        ("error", "/E_Invoice/Footer/TotalNumberInvoices")
    ]


def test_footer_total_amount_mismatch_is_an_error_finding():
    findings = [f for f in parsed(FOOTER_MISMATCH).findings if f.rule_id == "EE-FOOTER-AMOUNT"]
    assert [(f.severity, f.location) for f in findings] == [
        ("error", "/E_Invoice/Footer/TotalAmount")
    ]


def test_footer_mismatch_still_reads_every_invoice():
    assert [i.number for i in parsed(FOOTER_MISMATCH).invoices] == ["KK-1187", "KK-1192"]


def test_footer_amount_one_cent_off_is_an_error_finding():
    def off_by_a_cent(root):
        total = root.find("Footer/TotalAmount")
        total.text = str(Decimal(total.text) + Decimal("0.01"))

    document = ee_einvoice.parse(variant(DISCOUNTS, off_by_a_cent), limits=ParseLimits())
    assert "EE-FOOTER-AMOUNT" in rule_ids(document)
    assert "EE-FOOTER-COUNT" not in rule_ids(document)


def test_a_missing_footer_gives_a_warning_not_a_crash():
    document = ee_einvoice.parse(
        variant(CREDIT_NOTE, lambda root: root.remove(root.find("Footer"))), limits=ParseLimits()
    )
    assert [f.severity for f in document.findings if f.rule_id == "EE-FOOTER-MISSING"] == [
        "warning"
    ]


# --- credit invoices -------------------------------------------------------------------------


def test_a_cre_invoice_is_a_credit_note():
    (invoice,) = parsed(CREDIT_NOTE).invoices
    assert (invoice.type_code, invoice.is_credit_note) == ("381", True)


def test_a_credit_note_keeps_its_amounts_as_stated_and_its_source_invoice():
    (invoice,) = parsed(CREDIT_NOTE).invoices
    assert invoice.preceding_invoice == "BK-2025-0912"
    assert invoice.totals.payable == Decimal("-401.39")
    assert [line.line_net for line in invoice.lines] == [Decimal("-258.00"), Decimal("-65.70")]


def test_deb_invoices_are_not_credit_notes():
    invoices = parsed(THREE_INVOICES).invoices
    assert [(i.type_code, i.is_credit_note) for i in invoices] == [("380", False)] * 3


# --- discounts, charges and rounding ---------------------------------------------------------


def test_row_discounts_become_line_allowances_whatever_sign_the_producer_wrote():
    first = parsed(DISCOUNTS).invoices[0]
    allowances = [
        [(a.is_charge, a.amount, a.percentage, a.base_amount) for a in line.allowances_charges]
        for line in first.lines
    ]
    # Row 1 writes AddSum -34.34 and AddRate -10.00, row 2 writes 5.52 and 5.00.
    assert allowances == [
        [(False, Decimal("34.34"), Decimal("10.00"), Decimal("343.43"))],
        [(False, Decimal("5.52"), Decimal("5.00"), Decimal("110.40"))],
        [],
    ]


def test_a_row_without_a_vat_base_nets_its_discount_from_the_item_sum():
    second_row = parsed(DISCOUNTS).invoices[0].lines[1]
    assert second_row.line_net == Decimal("110.40") - Decimal("5.52")


def test_invoice_level_discount_and_charge_become_document_allowances_and_charges():
    invoice = parsed(DISCOUNTS).invoices[0]
    assert [
        (a.is_charge, a.amount, a.percentage, a.reason, a.vat_category, a.vat_rate)
        for a in invoice.allowances_charges
    ] == [
        (False, Decimal("15.29"), Decimal("3.00"), "Püsikliendi allahindlus", "S", Decimal("22")),
        (True, Decimal("35.00"), None, "Transporditasu Võru-Tallinn", "S", Decimal("22")),
    ]
    assert (invoice.totals.allowance_total, invoice.totals.charge_total) == (
        Decimal("15.29"),
        Decimal("35.00"),
    )


def test_rounding_is_the_difference_between_total_and_amount_to_pay():
    totals = parsed(DISCOUNTS).invoices[0].totals
    assert (totals.tax_inclusive, totals.rounding, totals.payable) == (
        Decimal("645.97"),
        Decimal("-0.02"),
        Decimal("645.95"),
    )


# --- VAT ------------------------------------------------------------------------------------


def test_vat_id_gives_the_vat_category():
    invoices = parsed(THREE_INVOICES).invoices
    categories = [[(v.category, v.rate) for v in i.vat_breakdown] for i in invoices]
    assert categories == [
        [("S", Decimal("9")), ("S", Decimal("22"))],
        [("S", Decimal("24")), ("Z", Decimal("0"))],
        [("S", Decimal("24")), ("E", Decimal("0")), ("O", None)],
    ]


def test_exempt_and_out_of_scope_vat_carry_their_legal_reference():
    leasing = parsed(THREE_INVOICES).invoices[2]
    reasons = {v.category: v.exemption_reason for v in leasing.vat_breakdown}
    assert reasons["E"] == "Maksuvaba käive, KMS § 16 (kindlustusteenus)"
    assert reasons["O"] == "Ei ole käibemaksuga maksustatav (viivis)"


def test_rows_carry_their_vat_category_and_rate():
    leasing = parsed(THREE_INVOICES).invoices[2]
    assert [(line.vat_category, line.vat_rate) for line in leasing.lines] == [
        ("S", Decimal("24")),
        ("E", Decimal("0")),
        ("O", None),
    ]


def test_missing_vat_entries_are_derived_from_the_rows():
    def drop_document_vat(root):
        for vat in root.findall("Invoice/InvoiceSumGroup/VAT"):
            vat.getparent().remove(vat)

    document = ee_einvoice.parse(variant(THREE_INVOICES, drop_document_vat), limits=ParseLimits())
    first = document.invoices[0]
    assert [(v.category, v.rate, v.taxable_amount, v.tax_amount) for v in first.vat_breakdown] == [
        ("S", Decimal("9"), Decimal("283.60"), Decimal("25.52")),
        ("S", Decimal("22"), Decimal("6.50"), Decimal("1.43")),
    ]
    assert "EE-VAT-DERIVED" in rule_ids(document)


def test_a_second_sum_group_gives_the_vat_in_the_other_currency():
    (invoice,) = parsed(EEK).invoices
    assert (invoice.currency, invoice.tax_currency) == ("EEK", "EUR")
    assert (invoice.totals.tax_total, invoice.totals.tax_total_accounting) == (
        Decimal("1130.00"),
        Decimal("72.22"),
    )


# --- rows and group subtotals ----------------------------------------------------------------


def test_group_subtotals_are_not_counted_as_rows():
    (invoice,) = parsed(GROUPS).invoices
    names = [line.name for line in invoice.lines]
    assert names == [
        "Kuutasu Äri L, 5 numbrit",
        "Kõned väljaspool paketti",
        "Mobiilne internet, lisamaht 10 GB",
        "Äriinternet 500/100 Mbit/s",
        "Staatiline IP-aadress",
    ]
    assert invoice.totals.line_net_total == Decimal("107.10")
    assert "EE-SUBTOTALS" in rule_ids(parsed(GROUPS))


def test_a_text_only_row_becomes_a_note():
    (invoice,) = parsed(GROUPS).invoices
    assert "Teenuse aadress: Peterburi tee 46, Tallinn" in invoice.notes


def test_rows_carry_quantity_unit_price_and_item_ids():
    line = parsed(THREE_INVOICES).invoices[0].lines[0]
    assert (line.quantity, line.unit_code, line.net_price, line.line_net) == (
        Decimal("4"),
        "H87",
        Decimal("38.90"),
        Decimal("155.60"),
    )
    assert (line.seller_item_id, line.standard_item_id, line.standard_item_scheme) == (
        "ISBN9789949001",
        "9789949001234",
        "0160",
    )


# --- booking: Accounting / JournalEntry -------------------------------------------------------


def test_journal_entry_gives_the_account_code_and_dimensions():
    row = parsed(ATTACHMENT).invoices[0].lines[0]
    assert row.account_code == "5210"
    assert row.dimensions == (
        ("general_ledger_detail", "ERP-LIIDES"),
        ("cost_objective", "IT-OSAKOND"),
        ("partner_code", "KOODIK"),
        ("classificator_code", "IT-TEENUS"),
    )


def test_a_row_split_over_two_journal_entries_keeps_the_first_coding_and_warns():
    """A row has one coding; the split's amounts are not dimensions, and a person splits it."""
    document = parsed(ATTACHMENT)
    row = document.invoices[0].lines[1]
    assert row.account_code == "5230"
    assert [value for name, value in row.dimensions if name == "cost_objective"] == ["TOOTMINE"]
    assert not {"sum", "vat_sum", "vat_rate"} & {name for name, _ in row.dimensions}
    [split] = [f for f in document.findings if f.rule_id == "EE-JOURNAL-SPLIT"]
    assert split.severity == "warning"


def test_a_row_without_accounting_has_no_account_code():
    row = parsed(ATTACHMENT).invoices[0].lines[2]
    assert (row.account_code, row.dimensions) == ("", ())


def test_the_invoice_level_journal_entry_is_the_accounting_cost():
    assert parsed(ATTACHMENT).invoices[0].accounting_cost == "2110"


# --- attachments ------------------------------------------------------------------------------


def test_attachment_decodes_byte_exact():
    attachment_file = tree(ATTACHMENT).find("Invoice/AttachmentFile")
    expected = base64.b64decode(attachment_file.findtext("FileBase64"))
    (attachment,) = parsed(ATTACHMENT).invoices[0].attachments
    assert attachment.content == expected
    assert len(attachment.content) == int(attachment_file.findtext("FileSize"))
    assert attachment.content.startswith(b"%PDF-")
    assert (attachment.filename, attachment.mime_code) == (
        "arve_KK-2025-0917.pdf",
        "application/pdf",
    )


def test_an_attachment_over_the_limit_is_refused():
    data = (SAMPLES_DIR / ATTACHMENT).read_bytes()
    with pytest.raises(LimitExceeded) as raised:
        ee_einvoice.parse(data, limits=ParseLimits(max_attachment_bytes=100))
    assert raised.value.findings[0].location.endswith("AttachmentFile/FileBase64")


def test_an_attachment_that_is_not_base64_is_an_error_finding():
    def corrupt(root):
        root.find("Invoice/AttachmentFile/FileBase64").text = "JVBERi0x*not*base64"

    document = ee_einvoice.parse(variant(ATTACHMENT, corrupt), limits=ParseLimits())
    assert document.invoices[0].attachments == ()
    assert [f.severity for f in document.findings if f.rule_id == "EE-ATTACHMENT"] == ["error"]


# --- parties, payment, references --------------------------------------------------------------


def test_seller_and_buyer_identity_and_address():
    invoice = parsed(THREE_INVOICES).invoices[0]
    seller, buyer = invoice.seller, invoice.buyer
    assert (seller.name, seller.registry_id, seller.registry_scheme, seller.vat_id) == (
        "Kirjastus Läänemeri OÜ",
        "10232912",
        "0191",
        "EE107748197",
    )
    assert seller.address.lines == ("Riia tn 24", "II korrus")
    assert (seller.address.city, seller.address.postal_code, seller.address.country) == (
        "Tartu",
        "51010",
        "EE",
    )
    assert (buyer.name, buyer.registry_id, buyer.vat_id, buyer.contact_name) == (
        "Põhjala Puidutööstus AS",
        "11424737",
        "EE104383063",
        "Kadri Tamm",
    )


def test_a_country_written_as_a_name_becomes_its_code():
    leasing = parsed(THREE_INVOICES).invoices[2]
    assert tree(THREE_INVOICES).xpath("string(//Invoice[3]//SellerParty//Country)") == "Eesti"
    assert leasing.seller.address.country == "EE"


def test_payment_goes_to_the_pay_to_account_with_the_reference_number():
    invoice = parsed(THREE_INVOICES).invoices[1]
    assert [
        (m.code, m.iban, m.bic, m.account_name, m.payment_reference) for m in invoice.payment_means
    ] == [("58", "EE841705506629976122", "RIKOEE22", "Rannavärava Logistika AS", "20250731057")]


def test_dates_terms_and_references():
    invoice = parsed(THREE_INVOICES).invoices[1]
    assert (str(invoice.issue_date), str(invoice.due_date), invoice.currency) == (
        "2025-07-31",
        "2025-08-21",
        "EUR",
    )
    assert (invoice.order_reference, invoice.contract_reference) == ("PO-2025-0412", "LEP-2024/118")
    assert parsed(THREE_INVOICES).invoices[0].payment_terms == (
        "14 päeva; Penalty interest 0.05 % per day"
    )


def test_invoice_content_text_is_a_note():
    assert parsed(CREDIT_NOTE).invoices[0].notes == (
        "Kreeditarve arvele BK-2025-0912: tagastatud kaup",
    )


def test_a_date_that_is_not_a_date_gives_a_warning_and_no_date():
    def garble(root):
        root.find("Invoice/InvoiceInformation/InvoiceDate").text = "2025-13-45"

    document = ee_einvoice.parse(variant(CREDIT_NOTE, garble), limits=ParseLimits())
    assert document.invoices[0].issue_date is None
    assert "EE-DATE" in rule_ids(document)


# --- hostile and broken input -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", MalformedDocument),
        (b"<E_Invoice><Header>", MalformedDocument),
        (b"<Finvoice/>", UnsupportedFormat),
        (
            b"<E_Invoice><Header><Version>1.2</Version></Header><Footer/></E_Invoice>",
            MalformedDocument,
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE E_Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<E_Invoice>&x;</E_Invoice>",
            UnsafeDocument,
        ),
        (
            b'<!DOCTYPE E_Invoice [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b"<E_Invoice>&b;</E_Invoice>",
            UnsafeDocument,
        ),
    ],
    ids=["empty", "not-well-formed", "wrong-root", "no-invoice", "xxe", "entity-expansion"],
)
def test_broken_or_hostile_input_raises_an_einvoice_error(data, error):
    with pytest.raises(error) as raised:
        ee_einvoice.parse(data, limits=ParseLimits())
    assert isinstance(raised.value, EInvoiceError)
    assert raised.value.findings


def test_an_amount_that_is_not_a_number_is_refused_with_its_location():
    def garble(root):
        root.find("Invoice/InvoiceSumGroup/TotalSum").text = "kolmsada"

    with pytest.raises(MalformedDocument) as raised:
        ee_einvoice.parse(variant(CREDIT_NOTE, garble), limits=ParseLimits())
    assert raised.value.findings[0].location == "/E_Invoice/Invoice/InvoiceSumGroup/TotalSum"


def test_a_file_over_the_size_limit_is_refused():
    data = (SAMPLES_DIR / GROUPS).read_bytes()
    with pytest.raises(LimitExceeded):
        ee_einvoice.parse(data, limits=ParseLimits(max_bytes=1000))
