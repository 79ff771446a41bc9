"""Text-layer PDFs: real corpus pages and generated invoices, read without OCR."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from payables.digitize import ACCEPT_CONFIDENCE, KEY_FIELDS, digitize
from payables.digitize.tests.documents import corpus_file, estonian_invoice, text_pdf


def test_a_corpus_invoice_gives_its_key_fields_validated_with_their_place():
    result = digitize(
        corpus_file("zugferdv2-correct-MustangGnuaccountingBeispielRE-20201121_508.pdf")
    )

    assert (result.kind, result.pages, result.method, result.languages) == ("pdf", 1, "text", ())
    fields = result.fields
    assert fields["invoice_number"].value == "RE-20201121/508"
    assert fields["issue_date"].value == date(2020, 11, 21)
    assert fields["due_date"].value == date(2020, 12, 12)
    assert fields["seller_vat_id"].value == "DE136695976"
    assert fields["iban"].value == "DE88200800000970375700"
    amounts = [fields[n].value for n in ("net_amount", "vat_amount", "gross_amount")]
    assert amounts == [Decimal("496.00"), Decimal("75.04"), Decimal("571.04")]
    for name in ("iban", "seller_vat_id", "net_amount", "vat_amount", "gross_amount"):
        assert fields[name].validated and fields[name].confidence >= ACCEPT_CONFIDENCE, name
    gross = fields["gross_amount"]
    assert gross.page == 1 and gross.label == "Due payable" and gross.source_text == "571.04"
    x0, y0, x1, y1 = gross.box
    assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
    assert {row["rate"] for row in result.vat_breakdown} == {Decimal(7), Decimal(19)}
    assert "Due payable" in result.text


def test_a_multi_page_corpus_invoice_reads_totals_from_its_second_page():
    result = digitize(corpus_file("zugferdv2-correct-zugferd_2p0_EN16931_Einfach.pdf"))

    assert result.pages == 2 and result.text.count("\f") == 1
    gross = result.fields["gross_amount"]
    assert (gross.value, gross.page, gross.validated) == (Decimal("529.87"), 2, True)
    assert result.fields["net_amount"].label == "Rechnungssumme ohne USt."  # not "USt."


def test_a_credit_note_keeps_the_minus_sign_that_wrapped_to_the_line_above():
    result = digitize(corpus_file("zugferdv2-correct-zugferd_2p0_EN16931_Rechnungskorrektur.pdf"))

    amounts = [result.fields[n].value for n in ("net_amount", "vat_amount", "gross_amount")]
    assert amounts == [Decimal("-7.67"), Decimal("-1.12"), Decimal("-8.79")]


def test_an_estonian_invoice_has_every_key_field_validated():
    result = digitize(text_pdf(estonian_invoice()))

    fields = result.fields
    expected = {
        "invoice_number": "2024-0117",
        "issue_date": date(2024, 3, 5),
        "due_date": date(2024, 3, 19),
        "currency": "EUR",
        "net_amount": Decimal("100.00"),
        "vat_amount": Decimal("22.00"),
        "gross_amount": Decimal("122.00"),
        "iban": "EE382200221020145685",
        "bic": "HABAEE2X",
        "payment_reference": "1234561",
        "seller_vat_id": "EE100931558",
        "seller_registry_code": "10137319",
        "seller_name": "Puidukoda OÜ",
        "buyer_name": "Metsatööd AS",
    }
    assert {name: fields[name].value for name in expected} == expected
    validated = {name for name in KEY_FIELDS if fields[name].validated}
    assert validated == set(KEY_FIELDS) - {"invoice_number"}  # no checksum for a number
    assert fields["invoice_number"].confidence < ACCEPT_CONFIDENCE


def test_a_date_is_never_read_as_an_amount_and_the_nearest_label_wins():
    pdf = text_pdf(
        [
            (50, 60, "Invoice no. 77"),
            (50, 74, "Invoice date: 04.04.2018"),
            (300, 300, "Net total"),
            (450, 300, "200,00"),
            (300, 314, "VAT 19%"),
            (450, 314, "38,00"),
            (300, 328, "Total"),
            (450, 328, "238,00"),
        ]
    )
    fields = digitize(pdf).fields

    assert fields["net_amount"].value == Decimal("200.00")  # "Net total" holds "total"
    assert fields["vat_amount"].value == Decimal("38.00")
    assert fields["gross_amount"].value == Decimal("238.00")
    assert fields["issue_date"].value == date(2018, 4, 4)


def test_a_vat_rate_glued_to_its_amount_is_taken_apart_by_the_totals():
    pdf = text_pdf(
        [
            (50, 60, "Rechnung Nr. 5"),
            (300, 300, "Nettobetrag"),
            (450, 300, "860,00"),
            (300, 314, "MwSt"),
            (450, 314, "19 163,40"),
            (300, 328, "Bruttobetrag"),
            (450, 328, "1.023,40"),
        ]
    )
    fields = digitize(pdf).fields

    assert fields["vat_amount"].value == Decimal("163.40")
    assert fields["vat_amount"].validated


def test_month_first_dates_are_read_so_when_the_document_shows_it():
    pdf = text_pdf(
        [
            (50, 60, "Invoice number: A-17"),
            (50, 74, "Invoice date: 03/04/2024"),
            (50, 88, "Due date: 04/30/2024"),
        ]
    )
    fields = digitize(pdf).fields

    assert fields["issue_date"].value == date(2024, 3, 4)  # 04/30 shows month first
    assert fields["due_date"].value == date(2024, 4, 30)


def test_the_lines_of_a_table_are_read_under_their_columns():
    lines = digitize(text_pdf(estonian_invoice())).lines

    assert lines == (
        {
            "description": "Laudade saagimine",
            "quantity": Decimal(1),
            "unit_price": None,
            "net_amount": Decimal("100.00"),
            "vat_rate": None,
        },
    )


def test_the_lines_of_a_corpus_invoice_stop_where_the_totals_begin():
    result = digitize(corpus_file("zugferdv2-correct-Facture_FR_BASICWL.pdf"))

    assert [line["net_amount"] for line in result.lines] == [
        Decimal("81.90"), Decimal("48.00"), Decimal("495.00"),
    ]  # fmt: skip
    assert result.lines[0]["description"] == "Nougat de l'Abbaye 250g"
    assert result.lines[0]["quantity"] == Decimal(20)
