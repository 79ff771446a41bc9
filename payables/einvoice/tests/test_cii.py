"""CII D16B and ZUGFeRD 1.0: every corpus file reads with the document's own totals and VAT,
every model term maps from its CII element, and bad documents are refused cleanly.

Expected values from corpus files are read here with plain lxml XPath, independently of
the parser under test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from payables import einvoice
from payables.einvoice import cii
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
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
SETTLEMENT = (
    "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
)

EVERY_TERM = "cii-en16931-every-model-term.xml"
MINIMUM = "cii-factur-x-minimum-header-only.xml"
BASIC_WL = "cii-factur-x-basic-wl-document-allowance.xml"
EXTENDED_SUBLINES = "cii-factur-x-extended-group-detail-and-information-lines.xml"
CREDIT_NOTE = "cii-en16931-credit-note-381.xml"
ZUGFERD1 = "cii-zugferd-1.0-extended-credit-note-freight-and-text-line.xml"


@cache
def parsed(path: Path) -> ParsedDocument:
    return cii.parse(path.read_bytes(), limits=LIMITS)


def sample(name: str) -> bytes:
    return (SAMPLES_DIR / name).read_bytes()


def parse_sample(name: str, *replacements: tuple[bytes, bytes], limits=LIMITS) -> ParsedDocument:
    """Parse a sample, after replacing byte strings that must each occur in it."""
    data = sample(name)
    for old, new in replacements:
        assert old in data, old
        data = data.replace(old, new)
    return cii.parse(data, limits=limits)


def rule_ids(document: ParsedDocument) -> list[str]:
    return [finding.rule_id for finding in document.findings]


# -- the corpus -----------------------------------------------------------------------------


def document_settlement(path: Path) -> etree._Element:
    return etree.parse(str(path)).xpath(SETTLEMENT, namespaces=NS)[0]


def exact(values: list[str]) -> str | None:
    """The first value as the document writes it (stripped), or None."""
    return values[0].strip() if values else None


def as_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@pytest.mark.parametrize(("path", "row"), corpus_files("cii", expected="valid"))
def test_valid_file_totals_equal_the_documents_own(path, row):
    settlement = document_settlement(path)
    summation = settlement.xpath(
        "ram:SpecifiedTradeSettlementHeaderMonetarySummation", namespaces=NS
    )[0]
    currency = settlement.xpath("string(ram:InvoiceCurrencyCode)", namespaces=NS).strip()

    def amount(expression: str) -> str | None:
        return exact(summation.xpath(f"{expression}/text()", namespaces=NS))

    expected = {
        "line_net_total": amount("ram:LineTotalAmount"),
        "allowance_total": amount("ram:AllowanceTotalAmount"),
        "charge_total": amount("ram:ChargeTotalAmount"),
        "tax_exclusive": amount("ram:TaxBasisTotalAmount"),
        "tax_total": amount(f"ram:TaxTotalAmount[@currencyID='{currency}' or not(@currencyID)]"),
        "tax_total_accounting": amount(f"ram:TaxTotalAmount[@currencyID!='{currency}']"),
        "tax_inclusive": amount("ram:GrandTotalAmount"),
        "prepaid": amount("ram:TotalPrepaidAmount"),
        "rounding": amount("ram:RoundingAmount"),
        "payable": amount("ram:DuePayableAmount"),
    }
    totals = parsed(path).invoices[0].totals
    assert {name: as_text(getattr(totals, name)) for name in expected} == expected


@pytest.mark.parametrize(("path", "row"), corpus_files("cii", expected="valid"))
def test_valid_file_vat_breakdown_equals_the_documents_own(path, row):
    expected = [
        (
            tax.xpath("string(ram:CategoryCode)", namespaces=NS).strip(),
            exact(tax.xpath("ram:BasisAmount/text()", namespaces=NS)),
            exact(tax.xpath("ram:CalculatedAmount/text()", namespaces=NS)),
            exact(tax.xpath("ram:RateApplicablePercent/text()", namespaces=NS)),
        )
        for tax in document_settlement(path).xpath("ram:ApplicableTradeTax", namespaces=NS)
    ]
    breakdown = parsed(path).invoices[0].vat_breakdown
    assert [
        (vat.category, str(vat.taxable_amount), str(vat.tax_amount), as_text(vat.rate))
        for vat in breakdown
    ] == expected


@pytest.mark.parametrize(("path", "row"), corpus_files("cii", expected="valid"))
def test_valid_file_lines_equal_the_documents_own(path, row):
    items = etree.parse(str(path)).xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    expected = [
        (
            item.xpath("string(ram:AssociatedDocumentLineDocument/ram:LineID)", namespaces=NS),
            exact(
                item.xpath(
                    "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount/text()",
                    namespaces=NS,
                )
            ),
        )
        for item in items
    ]
    lines = parsed(path).invoices[0].lines
    assert [(line.id, str(line.line_net)) for line in lines] == expected


@pytest.mark.parametrize(("path", "row"), corpus_files("cii", expected="valid"))
def test_valid_file_type_code_decides_credit_note(path, row):
    type_code = etree.parse(str(path)).xpath(
        "string(/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode)", namespaces=NS
    )
    invoice = parsed(path).invoices[0]
    assert (invoice.type_code, invoice.is_credit_note) == (type_code, type_code == "381")


def test_corpus_credit_note_381_comes_out_as_credit_note():
    path = CORPUS_DIR / "cii" / "zugferd-corpus" / "v2-testout-ZF2PushCreditNote.xml"
    if not path.exists():
        pytest.skip("the shared corpus is absent")
    invoice = parsed(path).invoices[0]
    assert (invoice.type_code, invoice.is_credit_note) == ("381", True)
    assert invoice.totals.payable > 0


@pytest.mark.parametrize(("path", "row"), corpus_files("cii", expected="invalid"))
def test_invalid_file_parses_or_is_refused_cleanly(path, row):
    try:
        document = cii.parse(path.read_bytes(), limits=LIMITS)
    except EInvoiceError as error:
        assert error.findings and all(f.is_blocking for f in error.findings)
    else:
        assert len(document.invoices) == 1


@pytest.mark.parametrize(("path", "row"), corpus_files("cii"))
def test_corpus_file_is_detected_as_cii(path, row):
    assert cii.detect(path.read_bytes())


@pytest.mark.parametrize(
    ("path", "row"),
    [*corpus_files("ubl"), *corpus_files("finvoice"), *corpus_files("facturx-pdf")],
)
def test_other_formats_are_not_claimed(path, row):
    assert not cii.detect(path.read_bytes())


# -- every model term, from a hand-made sample ---------------------------------------------


def test_every_model_term_maps_from_its_cii_element():
    expected = Invoice(
        number="INV-2024-0042",
        issue_date=date(2024, 3, 15),
        type_code="380",
        currency="EUR",
        tax_currency="SEK",
        tax_point_date=date(2024, 3, 14),
        due_date=date(2024, 4, 14),
        buyer_reference="BR-7",
        project_reference="PRJ-9",
        contract_reference="CON-3",
        order_reference="PO-1234",
        sales_order_reference="SO-55",
        preceding_invoice="INV-2023-0999",
        accounting_cost="4000:CC12",
        customization_id="urn:cen.eu:en16931:2017",
        profile_id="urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
        notes=("Thank you for your order.", "Nordic Paper Oy, Helsinki, business id 1234567-8"),
        seller=Party(
            name="Nordic Paper Oy",
            trading_name="Nordic Paper",
            registry_id="1234567-8",
            registry_scheme="0212",
            vat_id="FI12345678",
            tax_registration_id="1234567-8",
            identifiers=(("SUP-77", ""), ("4012345000009", "0088")),
            electronic_address="003712345678",
            electronic_address_scheme="0216",
            address=Address(
                lines=("Teollisuuskatu 1", "Building B", "3rd floor"),
                city="Helsinki",
                postal_code="00510",
                subdivision="Uusimaa",
                country="FI",
            ),
            contact_name="Anna Virtanen",
            contact_phone="+358 40 123 4567",
            contact_email="anna@nordicpaper.example",
        ),
        buyer=Party(
            name="Example Buyer AB",
            trading_name="Buyer",
            registry_id="5567321707",
            registry_scheme="0007",
            vat_id="SE556732170701",
            identifiers=(("7300010000001", "0088"),),
            electronic_address="invoices@buyer.example",
            electronic_address_scheme="EM",
            address=Address(
                lines=("Storgatan 5",), city="Stockholm", postal_code="111 22", country="SE"
            ),
            contact_name="Accounts payable",
            contact_phone="+46 8 123 456",
            contact_email="ap@buyer.example",
        ),
        payee_name="Factoring Oy",
        payment_means=(
            PaymentMeans(
                code="58",
                iban="FI2112345600000785",
                account_name="Factoring Oy client funds",
                bic="NDEAFIHH",
                payment_reference="RF18539007547034",
            ),
            PaymentMeans(code="58", iban="5012-3456", payment_reference="RF18539007547034"),
        ),
        payment_terms="Net 30 days",
        delivery_date=date(2024, 3, 10),
        lines=(
            Line(
                id="1",
                line_net=Decimal("90.25"),
                quantity=Decimal("10"),
                unit_code="H87",
                net_price=Decimal("9.50"),
                price_base_quantity=Decimal("1"),
                gross_price=Decimal("10.00"),
                name="Paper A4",
                description="80 g/m2, 500 sheets",
                seller_item_id="PAP-A4",
                buyer_item_id="B-100",
                standard_item_id="4012345000017",
                standard_item_scheme="0160",
                vat_category="S",
                vat_rate=Decimal("24"),
                allowances_charges=(
                    AllowanceCharge(
                        is_charge=False,
                        amount=Decimal("4.75"),
                        base_amount=Decimal("95.00"),
                        percentage=Decimal("5"),
                        reason="Volume discount",
                        reason_code="95",
                    ),
                ),
                accounting_cost="6800",
                note="Deliver to room 12",
                order_line_reference="3",
            ),
            Line(
                id="2",
                line_net=Decimal("130.00"),
                quantity=Decimal("2"),
                unit_code="HUR",
                net_price=Decimal("60.00"),
                name="Installation",
                vat_category="S",
                vat_rate=Decimal("24"),
                allowances_charges=(
                    AllowanceCharge(
                        is_charge=True,
                        amount=Decimal("10.00"),
                        reason="Weekend surcharge",
                        reason_code="SAA",
                    ),
                ),
            ),
            Line(
                id="3",
                line_net=Decimal("40.00"),
                quantity=Decimal("1"),
                unit_code="C62",
                net_price=Decimal("40.00"),
                name="Style guide (book)",
                vat_category="E",
                vat_rate=Decimal("0"),
            ),
        ),
        allowances_charges=(
            AllowanceCharge(
                is_charge=False,
                amount=Decimal("10.25"),
                vat_category="S",
                vat_rate=Decimal("24"),
                reason="Loyalty discount",
                reason_code="95",
            ),
            AllowanceCharge(
                is_charge=True,
                amount=Decimal("15.00"),
                base_amount=Decimal("250.00"),
                percentage=Decimal("6"),
                vat_category="S",
                vat_rate=Decimal("24"),
                reason="Freight",
                reason_code="FC",
            ),
        ),
        vat_breakdown=(
            VatBreakdown(
                category="S",
                taxable_amount=Decimal("225.00"),
                tax_amount=Decimal("54.00"),
                rate=Decimal("24"),
            ),
            VatBreakdown(
                category="E",
                taxable_amount=Decimal("40.00"),
                tax_amount=Decimal("0.00"),
                rate=Decimal("0"),
                exemption_reason="Exempt: cultural services",
                exemption_reason_code="VATEX-EU-132",
            ),
        ),
        totals=Totals(
            line_net_total=Decimal("260.25"),
            allowance_total=Decimal("10.25"),
            charge_total=Decimal("15.00"),
            tax_exclusive=Decimal("265.00"),
            tax_total=Decimal("54.00"),
            tax_total_accounting=Decimal("612.36"),
            tax_inclusive=Decimal("319.00"),
            prepaid=Decimal("19.00"),
            rounding=Decimal("0.00"),
            payable=Decimal("300.00"),
        ),
        attachments=(
            Attachment(
                id="TS-1",
                description="Timesheet",
                filename="timesheet.csv",
                mime_code="text/csv",
                content=b"date;hours\n2024-03-09;2\n",
            ),
            Attachment(id="DN-9", uri="https://nordicpaper.example/delivery/DN-9"),
        ),
    )
    assert parse_sample(EVERY_TERM).invoices == (expected,)


def test_en16931_document_reports_format_version_and_profile_without_findings():
    document = parse_sample(EVERY_TERM)
    assert (document.format, document.version, document.profile) == ("cii", "D16B", "EN16931")
    assert (document.findings, document.is_header_only) == ((), False)


def test_every_model_term_survives_a_ubl_round_trip():
    invoice = parse_sample(EVERY_TERM).invoices[0]
    assert einvoice.parse(einvoice.render_ubl(invoice)).invoices == (invoice,)


def test_registry_sends_cii_to_this_module():
    assert einvoice.detect(sample(EVERY_TERM)) is cii


def test_tax_total_follows_the_invoice_currency_not_the_order():
    document = parse_sample(
        EVERY_TERM,
        (
            b'<ram:TaxTotalAmount currencyID="EUR">54.00</ram:TaxTotalAmount>\n'
            b'        <ram:TaxTotalAmount currencyID="SEK">612.36</ram:TaxTotalAmount>',
            b'<ram:TaxTotalAmount currencyID="SEK">612.36</ram:TaxTotalAmount>\n'
            b'        <ram:TaxTotalAmount currencyID="EUR">54.00</ram:TaxTotalAmount>',
        ),
    )
    totals = document.invoices[0].totals
    assert (totals.tax_total, totals.tax_total_accounting) == (
        Decimal("54.00"),
        Decimal("612.36"),
    )


def test_code_130_reference_is_not_an_attachment():
    attachments = parse_sample(EVERY_TERM).invoices[0].attachments
    assert "METER-4711" not in [attachment.id for attachment in attachments]


# -- profiles ------------------------------------------------------------------------------


def test_minimum_profile_is_header_only_and_says_so():
    document = parse_sample(MINIMUM)
    invoice = document.invoices[0]
    assert (document.profile, document.is_header_only, invoice.lines) == ("MINIMUM", True, ())
    assert [(f.rule_id, f.severity) for f in document.findings] == [("PAY-CII-HEADER-ONLY", "info")]
    assert (invoice.totals.tax_exclusive, invoice.totals.payable) == (
        Decimal("100.00"),
        Decimal("125.50"),
    )
    assert (invoice.buyer_reference, invoice.order_reference) == ("DEPT-42", "PO-88")


def test_basic_wl_profile_is_header_only_with_vat_and_allowance():
    document = parse_sample(BASIC_WL)
    invoice = document.invoices[0]
    assert (document.profile, document.is_header_only, invoice.lines) == ("BASIC WL", True, ())
    assert rule_ids(document) == ["PAY-CII-HEADER-ONLY"]
    assert [(v.rate, v.taxable_amount, v.tax_amount) for v in invoice.vat_breakdown] == [
        (Decimal("14"), Decimal("87.00"), Decimal("12.35")),
        (Decimal("24"), Decimal("20.00"), Decimal("4.80")),
    ]
    assert invoice.allowances_charges == (
        AllowanceCharge(
            is_charge=False,
            amount=Decimal("3.00"),
            vat_category="S",
            vat_rate=Decimal("14"),
            reason="Returned crates",
        ),
    )
    assert invoice.payment_means == (
        PaymentMeans(code="58", iban="FI4950009420028730", payment_reference="1232"),
    )


def test_lines_in_a_header_only_profile_are_ignored_with_a_warning():
    line = (
        sample(CREDIT_NOTE)
        .split(b"<rsm:SupplyChainTradeTransaction>")[1]
        .split(b"<ram:ApplicableHeaderTradeAgreement>")[0]
    )
    document = parse_sample(
        MINIMUM,
        (b"<rsm:SupplyChainTradeTransaction>", b"<rsm:SupplyChainTradeTransaction>" + line),
    )
    assert document.invoices[0].lines == ()
    assert ("PAY-CII-HEADER-ONLY", "warning") in [
        (f.rule_id, f.severity) for f in document.findings
    ]


@pytest.mark.parametrize(
    ("guideline", "profile"),
    [
        ("urn:factur-x.eu:1p0:minimum", "MINIMUM"),
        ("urn:zugferd.de:2p0:minimum", "MINIMUM"),
        ("urn:factur-x.eu:1p0:basicwl", "BASIC WL"),
        ("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", "BASIC"),
        ("urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:basic", "BASIC"),
        ("urn:cen.eu:en16931:2017", "EN16931"),
        ("urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended", "EXTENDED"),
        ("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0", "xrechnung"),
        ("urn:ferd:CrossIndustryDocument:invoice:1p0:comfort", "COMFORT"),
        ("urn:ferd:CrossIndustryDocument:order:1p0:extended", ""),
        ("urn:example:unknown", ""),
    ],
)
def test_profile_is_named_from_the_guideline_id(guideline, profile):
    assert cii.profile_of(guideline) == profile


def test_unknown_profile_is_read_with_a_warning():
    document = parse_sample(
        EVERY_TERM, (b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>", b"<ram:ID>urn:x:y</ram:ID>")
    )
    assert (document.profile, document.invoices[0].customization_id) == ("", "urn:x:y")
    assert [(f.rule_id, f.severity) for f in document.findings] == [("PAY-CII-PROFILE", "warning")]


def test_extended_group_and_information_lines_are_not_counted():
    document = parse_sample(EXTENDED_SUBLINES)
    lines = document.invoices[0].lines
    assert [(line.id, line.line_net) for line in lines] == [
        ("1.1", Decimal("600.00")),
        ("1.2", Decimal("450.00")),
        ("2", Decimal("100.00")),
    ]
    assert sum(line.line_net for line in lines) == document.invoices[0].totals.line_net_total
    assert rule_ids(document) == ["PAY-CII-SUBLINE", "PAY-CII-SUBLINE"]


def test_type_code_381_is_a_credit_note_with_positive_amounts():
    invoice = parse_sample(CREDIT_NOTE).invoices[0]
    assert (invoice.type_code, invoice.is_credit_note) == ("381", True)
    assert (invoice.totals.payable, invoice.preceding_invoice) == (
        Decimal("188.25"),
        "INV-2024-0031",
    )


# -- ZUGFeRD 1.0 ---------------------------------------------------------------------------


def test_zugferd1_reports_its_own_format_version_and_profile():
    document = parse_sample(ZUGFERD1)
    assert (document.format, document.version, document.profile) == (
        "zugferd1",
        "1.0",
        "EXTENDED",
    )


def test_zugferd1_maps_to_the_same_model():
    invoice = parse_sample(ZUGFERD1).invoices[0]
    assert (invoice.number, invoice.type_code, invoice.is_credit_note) == ("GS-2014-7", "381", True)
    assert (invoice.issue_date, invoice.delivery_date) == (date(2014, 5, 12), date(2014, 5, 5))
    assert (invoice.order_reference, invoice.contract_reference, invoice.buyer_reference) == (
        "B-2014-33",
        "RV-12",
        "Einkauf 3",
    )
    assert (invoice.seller.vat_id, invoice.seller.tax_registration_id) == (
        "DE123456789",
        "201/113/40209",
    )
    assert invoice.payment_means == (
        PaymentMeans(
            code="31",
            iban="DE08700901001234567890",
            bic="GENODEF1M04",
            payment_reference="GS-2014-7",
        ),
    )
    assert [(v.rate, v.taxable_amount, v.tax_amount) for v in invoice.vat_breakdown] == [
        (Decimal("19.00"), Decimal("105.00"), Decimal("19.95")),
        (Decimal("7.00"), Decimal("40.00"), Decimal("2.80")),
    ]
    assert invoice.totals == Totals(
        line_net_total=Decimal("140.00"),
        allowance_total=Decimal("0.00"),
        charge_total=Decimal("5.00"),
        tax_exclusive=Decimal("145.00"),
        tax_total=Decimal("22.75"),
        tax_inclusive=Decimal("167.75"),
        prepaid=Decimal("0.00"),
        payable=Decimal("167.75"),
    )


def test_zugferd1_logistics_service_charge_is_a_document_charge():
    invoice = parse_sample(ZUGFERD1).invoices[0]
    assert invoice.allowances_charges == (
        AllowanceCharge(
            is_charge=True,
            amount=Decimal("5.00"),
            vat_category="S",
            vat_rate=Decimal("19.00"),
            reason="Rücktransport",
        ),
    )


def test_zugferd1_lines_without_line_id_are_numbered_by_position():
    document = parse_sample(ZUGFERD1)
    lines = document.invoices[0].lines
    assert [(line.id, line.name, line.quantity, line.vat_rate) for line in lines] == [
        ("2", "Trennblätter A4", Decimal("2.0000"), Decimal("19.00")),
        ("3", "Joghurt Banane", Decimal("4.0000"), Decimal("7.00")),
    ]
    assert "PAY-CII-LINE-ID" in rule_ids(document)


def test_zugferd1_note_only_line_is_skipped_with_its_note():
    document = parse_sample(ZUGFERD1)
    [finding] = [f for f in document.findings if f.rule_id == "PAY-CII-TEXT-LINE"]
    assert finding.severity == "info"
    assert "Rücksendung laut Retourenschein R-77" in finding.message


# -- detection -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?>\n<!-- a comment -->\n<rsm:CrossIndustryInvoice xmlns:rsm="x"/>',
        b"\xef\xbb\xbf<CrossIndustryInvoice/>",
        '<?xml version="1.0" encoding="UTF-16"?><rsm:CrossIndustryDocument xmlns:rsm="x"/>'.encode(
            "utf-16"
        ),
    ],
    ids=["prefixed-after-comment", "utf-8-bom", "zugferd1-utf-16"],
)
def test_detect_finds_cross_industry_roots(data):
    assert cii.detect(data)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n<rsm:CrossIndustryInvoice/>",
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
        b"<Finvoice><CrossIndustryInvoice/></Finvoice>",
        b"",
    ],
    ids=["pdf", "ubl", "nested", "empty"],
)
def test_detect_refuses_other_documents(data):
    assert not cii.detect(data)


# -- bad documents -------------------------------------------------------------------------


def test_document_that_is_not_well_formed_is_malformed():
    with pytest.raises(MalformedDocument):
        cii.parse(sample(EVERY_TERM)[:-40], limits=LIMITS)


def test_document_with_a_doctype_is_refused_as_unsafe_through_the_registry():
    data = sample(MINIMUM).replace(
        b"<rsm:CrossIndustryInvoice",
        b'<!DOCTYPE x [<!ENTITY e "e">]>\n<rsm:CrossIndustryInvoice',
        1,
    )
    assert cii.detect(data)
    with pytest.raises(UnsafeDocument):
        einvoice.parse(data)


def test_other_root_element_is_unsupported():
    with pytest.raises(UnsupportedFormat, match="root element is Invoice"):
        cii.parse(b"<Invoice/>", limits=LIMITS)


def test_amount_that_is_not_a_number_is_refused_with_its_location():
    with pytest.raises(MalformedDocument) as raised:
        parse_sample(
            MINIMUM,
            (
                b"<ram:GrandTotalAmount>125.50</ram:GrandTotalAmount>",
                b"<ram:GrandTotalAmount>12x.50</ram:GrandTotalAmount>",
            ),
        )
    assert raised.value.findings[0].location.endswith("ram:GrandTotalAmount")


def test_decimal_comma_amount_is_read():
    document = parse_sample(
        MINIMUM,
        (
            b"<ram:GrandTotalAmount>125.50</ram:GrandTotalAmount>",
            b"<ram:GrandTotalAmount>125,50</ram:GrandTotalAmount>",
        ),
    )
    assert document.invoices[0].totals.tax_inclusive == Decimal("125.50")


def test_attachment_larger_than_the_limit_is_refused():
    with pytest.raises(LimitExceeded):
        parse_sample(EVERY_TERM, limits=ParseLimits(max_attachment_bytes=10))


def test_attachment_that_is_not_base64_loses_its_content_with_a_warning():
    document = parse_sample(
        EVERY_TERM,
        (b"ZGF0ZTtob3VycwoyMDI0LTAzLTA5OzIK", b"not base64!"),
    )
    attachment = document.invoices[0].attachments[0]
    assert (attachment.id, attachment.content) == ("TS-1", None)
    assert [(f.rule_id, f.severity) for f in document.findings] == [
        ("PAY-CII-ATTACHMENT", "warning")
    ]


def test_impossible_date_is_left_empty_with_a_warning():
    document = parse_sample(
        MINIMUM,
        (
            b'<udt:DateTimeString format="102">20240220</udt:DateTimeString>',
            b'<udt:DateTimeString format="102">20240231</udt:DateTimeString>',
        ),
    )
    assert document.invoices[0].issue_date is None
    assert "PAY-CII-DATE" in rule_ids(document)


def test_lower_case_currency_is_upper_cased_with_a_warning():
    document = parse_sample(
        MINIMUM,
        (
            b"<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>",
            b"<ram:InvoiceCurrencyCode>eur</ram:InvoiceCurrencyCode>",
        ),
    )
    assert (document.invoices[0].currency, document.invoices[0].totals.tax_total) == (
        "EUR",
        Decimal("25.50"),
    )
    assert "PAY-CII-CURRENCY" in rule_ids(document)


def test_document_without_namespace_is_read_with_a_warning():
    data = sample(MINIMUM)
    for prefix in (b"rsm:", b"ram:", b"udt:"):
        data = data.replace(prefix, b"")
    data = data.replace(b'xmlns="urn:un:unece:uncefact:data:standard:', b'xmlns:x="urn:')
    for name in (b"rsm", b"qdt", b"ram", b"udt"):
        data = data.replace(b"xmlns:" + name + b"=", b"xmlns:old" + name + b"=")
    document = cii.parse(data, limits=LIMITS)
    assert document.invoices[0].totals.payable == Decimal("125.50")
    assert rule_ids(document)[0] == "PAY-CII-NAMESPACE"


def test_document_without_transaction_parses_with_a_warning():
    data = sample(MINIMUM)
    start = data.index(b"<rsm:SupplyChainTradeTransaction>")
    end = data.index(b"</rsm:SupplyChainTradeTransaction>") + len(
        b"</rsm:SupplyChainTradeTransaction>"
    )
    document = cii.parse(data[:start] + data[end:], limits=LIMITS)
    assert (document.invoices[0].number, document.invoices[0].totals) == ("M-2024-17", Totals())
    assert "PAY-CII-STRUCTURE" in rule_ids(document)


def test_missing_type_code_is_read_as_invoice_with_a_warning():
    document = parse_sample(CREDIT_NOTE, (b"<ram:TypeCode>381</ram:TypeCode>", b""))
    assert document.invoices[0].type_code == "380"
    assert rule_ids(document) == ["PAY-CII-TYPE"]


def test_vat_scheme_written_vat_is_read_as_the_vat_id_with_a_warning():
    document = parse_sample(
        MINIMUM,
        (
            b'<ram:ID schemeID="VA">FI76543210</ram:ID>',
            b'<ram:ID schemeID="VAT">FI76543210</ram:ID>',
        ),
    )
    assert document.invoices[0].seller.vat_id == "FI76543210"
    assert "PAY-CII-TAX-SCHEME" in rule_ids(document)


def test_allowance_without_amount_is_skipped_with_a_warning():
    document = parse_sample(BASIC_WL, (b"<ram:ActualAmount>3.00</ram:ActualAmount>", b""))
    assert document.invoices[0].allowances_charges == ()
    assert "PAY-CII-ALLOWANCE" in rule_ids(document)


def test_vat_breakdown_without_amounts_is_skipped_with_a_warning():
    document = parse_sample(BASIC_WL, (b"<ram:CalculatedAmount>4.80</ram:CalculatedAmount>", b""))
    assert [v.rate for v in document.invoices[0].vat_breakdown] == [Decimal("14")]
    assert "PAY-CII-VAT" in rule_ids(document)
