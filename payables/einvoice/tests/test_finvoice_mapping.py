"""Finvoice maps to EN 16931: credit notes, rows, totals, parties, references and payment."""

from __future__ import annotations

from decimal import Decimal

from payables.einvoice.tests.finvoice_support import (
    CREDIT_NOTE,
    SUB_ROWS,
    UTF8_BOM,
    WINDOWS_1252,
    only_invoice,
    parse,
    rule_ids,
    sample,
)

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
