"""Finvoice 3.0 rendering of hand-built invoices: credit notes, VAT rates and categories,
foreign currency, exact decimals and the payment order (text, required values and every
field: ``test_finvoice_render_texts``). Each document is checked against the official schema
too.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from payables import einvoice
from payables.einvoice import finvoice
from payables.einvoice.model import (
    Address,
    Invoice,
    Line,
    Party,
    PaymentMeans,
    Totals,
    VatBreakdown,
)
from payables.einvoice.tests.finvoice_render_support import (
    round_trip,
    schema_errors,
)

D = Decimal
SELLER = Party(
    name="Toimittaja Oy",
    registry_id="2593931-3",
    vat_id="FI25939313",
    address=Address(
        lines=("Mannerheimintie 1",), city="Helsinki", postal_code="00100", country="FI"
    ),
)
BUYER = Party(name="Ostaja AS", registry_id="10137319", vat_id="EE100594102")
ACCOUNT = PaymentMeans(
    code="58", iban="FI4950009420028730", bic="OKOYFIHH", payment_reference="RF1912345678901"
)


def line(number: int, net: str, rate: str | None, category: str = "S", **fields: object) -> Line:
    values: dict = {
        "id": str(number),
        "line_net": D(net),
        "quantity": D(1),
        "unit_code": "C62",
        "net_price": D(net),
        "name": f"Item {number}",
        "vat_category": category,
        "vat_rate": None if rate is None else D(rate),
    }
    return Line(**(values | fields))


def invoice(*lines: Line, vat: tuple[VatBreakdown, ...], **fields: object) -> Invoice:
    """An invoice whose totals add up from its lines and VAT breakdown."""
    net = sum((li.line_net for li in lines), D(0))
    tax = sum((v.tax_amount for v in vat), D(0))
    values: dict = {
        "number": "INV-1",
        "issue_date": date(2024, 10, 15),
        "due_date": date(2024, 10, 29),
        "currency": "EUR",
        "seller": SELLER,
        "buyer": BUYER,
        "payment_means": (ACCOUNT,),
        "lines": lines,
        "vat_breakdown": vat,
        "totals": Totals(
            line_net_total=net,
            tax_exclusive=net,
            tax_total=tax,
            tax_inclusive=net + tax,
            payable=net + tax,
        ),
    }
    return Invoice(**(values | fields))


def rendered(value: Invoice) -> etree._Element:
    data = finvoice.render(value)
    assert schema_errors(data) == []
    return etree.fromstring(data)


def texts(root: etree._Element, xpath: str) -> list[str]:
    return [str(value) for value in root.xpath(f"{xpath}/text()")]


SIMPLE = invoice(
    line(1, "100.00", "25.5"),
    vat=(VatBreakdown("S", D("100.00"), D("25.50"), D("25.5")),),
)


def test_an_invoice_is_a_finvoice_30_document_in_utf8() -> None:
    data = finvoice.render(SIMPLE)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert einvoice.detect(data) is finvoice
    root = rendered(SIMPLE)
    assert root.get("Version") == "3.0"
    assert texts(root, "InvoiceDetails/InvoiceTypeCode") == ["INV01"]
    assert texts(root, "InvoiceDetails/InvoiceTypeText") == ["LASKU"]
    assert texts(root, "InvoiceDetails/InvoiceDate") == ["20241015"]
    assert root.xpath("string(InvoiceDetails/InvoiceDate/@Format)") == "CCYYMMDD"


def test_an_invoice_reads_back_as_itself() -> None:
    assert round_trip(SIMPLE) == SIMPLE


def test_amounts_have_a_decimal_comma_and_the_currency() -> None:
    root = rendered(SIMPLE)
    gross = root.find("InvoiceDetails/InvoiceTotalVatIncludedAmount")
    assert (gross.text, gross.get("AmountCurrencyIdentifier")) == ("125,50", "EUR")
    assert texts(root, "InvoiceDetails/VatSpecificationDetails/VatRatePercent") == ["25,5"]
    assert texts(root, "EpiDetails/EpiPaymentInstructionDetails/EpiInstructedAmount") == ["125,50"]


def test_the_seller_account_is_in_the_payment_order_and_the_seller_information() -> None:
    root = rendered(SIMPLE)
    epi = "EpiDetails/EpiPartyDetails"
    assert texts(root, f"{epi}/EpiBeneficiaryPartyDetails/EpiAccountID") == [ACCOUNT.iban]
    assert texts(root, f"{epi}/EpiBfiPartyDetails/EpiBfiIdentifier") == [ACCOUNT.bic]
    details = "SellerInformationDetails/SellerAccountDetails"
    assert texts(root, f"{details}/SellerAccountID") == [ACCOUNT.iban]
    assert texts(root, f"{details}/SellerBic") == [ACCOUNT.bic]
    reference = root.find("EpiDetails/EpiPaymentInstructionDetails/EpiRemittanceInfoIdentifier")
    assert (reference.text, reference.get("IdentificationSchemeName")) == (
        "RF1912345678901",
        "ISO",
    )
    assert texts(root, "EpiDetails/EpiPaymentInstructionDetails/EpiDateOptionDate") == ["20241029"]


def test_a_finnish_reference_number_is_written_without_its_spaces() -> None:
    means = dataclasses.replace(ACCOUNT, payment_reference="12345 67890 1")
    root = rendered(dataclasses.replace(SIMPLE, payment_means=(means,)))
    reference = root.find("EpiDetails/EpiPaymentInstructionDetails/EpiRemittanceInfoIdentifier")
    assert (reference.text, reference.get("IdentificationSchemeName")) == ("12345678901", "SPY")


def test_a_reference_finvoice_cannot_hold_is_left_out() -> None:
    means = dataclasses.replace(ACCOUNT, payment_reference="Invoice 2024/17")
    back = round_trip(dataclasses.replace(SIMPLE, payment_means=(means,)))
    assert back.payment_means[0].payment_reference == ""
    assert back.payment_means[0].iban == ACCOUNT.iban


# Credit notes ----------------------------------------------------------------------------

CREDIT_NOTE = invoice(
    line(1, "240.00", "25.5", quantity=D(2), net_price=D("120.00")),
    vat=(VatBreakdown("S", D("240.00"), D("61.20"), D("25.5")),),
    type_code="381",
    preceding_invoice="INV-0",
)


def test_a_credit_note_stated_positive_is_inv02_with_negative_amounts() -> None:
    root = rendered(CREDIT_NOTE)
    assert texts(root, "InvoiceDetails/InvoiceTypeCode") == ["INV02"]
    assert texts(root, "InvoiceDetails/InvoiceTypeCodeUN") == ["381"]
    assert texts(root, "InvoiceDetails/InvoiceTypeText") == ["HYVITYSLASKU"]
    assert texts(root, "InvoiceDetails/OriginalInvoiceNumber") == ["INV-0"]
    assert texts(root, "InvoiceDetails/InvoiceTotalVatIncludedAmount") == ["-301,20"]
    assert texts(root, "InvoiceDetails/VatSpecificationDetails/VatRateAmount") == ["-61,20"]
    assert texts(root, "InvoiceRow/InvoicedQuantity") == ["-2"]
    assert texts(root, "InvoiceRow/UnitPriceAmount") == ["120,00"]  # prices keep their sign
    assert texts(root, "InvoiceRow/RowVatExcludedAmount") == ["-240,00"]
    assert texts(root, "EpiDetails/EpiPaymentInstructionDetails/EpiInstructedAmount") == ["-301,20"]


def test_a_credit_note_reads_back_negated() -> None:
    back = round_trip(CREDIT_NOTE)
    assert back.is_credit_note
    assert back.totals == Totals(
        line_net_total=D("-240.00"),
        tax_exclusive=D("-240.00"),
        tax_total=D("-61.20"),
        tax_inclusive=D("-301.20"),
        payable=D("-301.20"),
    )
    assert (back.lines[0].line_net, back.lines[0].quantity) == (D("-240.00"), D(-2))


def test_a_credit_note_stated_negative_keeps_its_signs() -> None:
    negative = round_trip(CREDIT_NOTE)
    assert round_trip(negative) == negative


@pytest.mark.parametrize("type_code", ["381", "396"])
def test_the_credit_note_type_code_comes_back(type_code: str) -> None:
    assert round_trip(dataclasses.replace(CREDIT_NOTE, type_code=type_code)).type_code == type_code


@pytest.mark.parametrize("type_code", ["380", "384", "389"])
def test_an_invoice_type_code_comes_back(type_code: str) -> None:
    back = round_trip(dataclasses.replace(SIMPLE, type_code=type_code))
    assert (back.type_code, back.is_credit_note) == (type_code, False)


# VAT --------------------------------------------------------------------------------------

SEVERAL_RATES = invoice(
    line(1, "100.00", "25.5"),
    line(2, "50.00", "14"),
    line(3, "20.00", "10"),
    vat=(
        VatBreakdown("S", D("100.00"), D("25.50"), D("25.5")),
        VatBreakdown("S", D("50.00"), D("7.00"), D(14)),
        VatBreakdown("S", D("20.00"), D("2.00"), D(10)),
    ),
)


def test_each_vat_rate_has_its_own_specification() -> None:
    root = rendered(SEVERAL_RATES)
    specs = root.findall("InvoiceDetails/VatSpecificationDetails")
    assert [
        (s.findtext("VatBaseAmount"), s.findtext("VatRatePercent"), s.findtext("VatRateAmount"))
        for s in specs
    ] == [("100,00", "25,5", "25,50"), ("50,00", "14", "7,00"), ("20,00", "10", "2,00")]
    assert texts(root, "InvoiceRow/RowVatRatePercent") == ["25,5", "14", "10"]
    assert round_trip(SEVERAL_RATES) == SEVERAL_RATES


def test_zero_rated_and_exempt_lines_keep_their_category_and_reason() -> None:
    value = invoice(
        line(1, "80.00", "0", "Z"),
        line(2, "20.00", "0", "E"),
        vat=(
            VatBreakdown("Z", D("80.00"), D("0.00"), D(0)),
            VatBreakdown(
                "E",
                D("20.00"),
                D("0.00"),
                D(0),
                exemption_reason="Exempt under article 132 of the VAT directive, health care",
                exemption_reason_code="VATEX-EU-132",
            ),
        ),
    )
    root = rendered(value)
    assert texts(root, "InvoiceDetails/VatSpecificationDetails/VatCode") == ["Z", "E"]
    assert texts(root, "InvoiceRow/RowVatCode") == ["Z", "E"]
    assert round_trip(value) == value


def test_reverse_charge_keeps_its_category_reason_and_the_buyer_vat_id() -> None:
    value = invoice(
        line(1, "1000.00", "0", "AE"),
        vat=(
            VatBreakdown(
                "AE",
                D("1000.00"),
                D("0.00"),
                D(0),
                exemption_reason="Reverse charge",
                exemption_reason_code="VATEX-EU-AE",
            ),
        ),
    )
    root = rendered(value)
    spec = root.find("InvoiceDetails/VatSpecificationDetails")
    assert (spec.findtext("VatCode"), spec.findtext("VatFreeText")) == ("AE", "Reverse charge")
    assert texts(root, "BuyerPartyDetails/BuyerOrganisationTaxCode") == ["EE100594102"]
    assert round_trip(value) == value


def test_a_long_exemption_reason_is_split_over_the_vat_free_texts() -> None:
    reason = " ".join(["Exempt"] * 30)  # 209 characters: three VatFreeText of 70
    value = invoice(
        line(1, "10.00", "0", "E"),
        vat=(VatBreakdown("E", D("10.00"), D("0.00"), D(0), exemption_reason=reason),),
    )
    root = rendered(value)
    assert len(texts(root, "InvoiceDetails/VatSpecificationDetails/VatFreeText")) == 3
    assert round_trip(value).vat_breakdown[0].exemption_reason == reason


def test_row_vat_amounts_are_written_with_the_row_total_when_known() -> None:
    value = invoice(
        line(1, "100.00", "25.5", vat_amount=D("25.50")),
        vat=(VatBreakdown("S", D("100.00"), D("25.50"), D("25.5")),),
    )
    root = rendered(value)
    assert texts(root, "InvoiceRow/RowVatAmount") == ["25,50"]
    assert texts(root, "InvoiceRow/RowAmount") == ["125,50"]
    assert round_trip(value) == value


def test_without_a_row_vat_amount_none_is_made_up() -> None:
    root = rendered(SIMPLE)
    assert root.find("InvoiceRow/RowVatAmount") is None
    assert root.find("InvoiceRow/RowAmount") is None


# Currency and exact decimals --------------------------------------------------------------


def test_a_foreign_currency_invoice_states_its_vat_in_the_accounting_currency_too() -> None:
    value = invoice(
        line(1, "1000.00", "24"),
        vat=(VatBreakdown("S", D("1000.00"), D("240.00"), D(24)),),
        currency="USD",
        tax_currency="EUR",
    )
    value = dataclasses.replace(
        value, totals=dataclasses.replace(value.totals, tax_total_accounting=D("221.35"))
    )
    root = rendered(value)
    currencies = set(root.xpath("//@AmountCurrencyIdentifier"))
    assert currencies == {"USD", "EUR"}
    accounting = root.find("InvoiceDetails/InvoiceTotalVatAccountingAmount")
    assert (accounting.text, accounting.get("AmountCurrencyIdentifier")) == ("221,35", "EUR")
    assert round_trip(value) == value


def test_decimals_are_kept_exactly() -> None:
    value = invoice(
        line(
            1,
            "123456789012345.67",
            "24",
            quantity=D("1234.5678"),
            net_price=D("0.00001"),
            price_base_quantity=D(1),
        ),
        line(2, "0.1", "24", net_price=D("0.1")),
        vat=(VatBreakdown("S", D("123456789012345.77"), D("0.00"), D(24)),),
    )
    root = rendered(value)
    assert texts(root, "InvoiceRow/RowVatExcludedAmount") == ["123456789012345,67", "0,10"]
    assert texts(root, "InvoiceRow/UnitPriceAmount") == ["0,00001", "0,10"]
    assert texts(root, "InvoiceRow/InvoicedQuantity") == ["1234,5678", "1"]
    back = round_trip(value)
    assert back == value
    assert [li.line_net for li in back.lines] == [D("123456789012345.67"), D("0.10")]


def test_a_price_past_five_decimals_is_stated_per_a_larger_base_quantity() -> None:
    value = invoice(
        line(1, "12.35", "24", quantity=D(10000), net_price=D("0.0012345")),
        vat=(VatBreakdown("S", D("12.35"), D("2.96"), D(24)),),
    )
    root = rendered(value)
    assert texts(root, "InvoiceRow/UnitPriceAmount") == ["0,12345"]
    assert texts(root, "InvoiceRow/UnitPriceBaseQuantity") == ["100"]
    (back,) = round_trip(value).lines
    assert back.net_price / back.price_base_quantity == D("0.0012345")


def test_the_payment_order_states_the_amount_due_in_cents() -> None:
    value = dataclasses.replace(
        SIMPLE, totals=dataclasses.replace(SIMPLE.totals, payable=D("125.505"))
    )
    root = rendered(value)
    assert texts(root, "EpiDetails/EpiPaymentInstructionDetails/EpiInstructedAmount") == ["125,51"]


# Text -------------------------------------------------------------------------------------
