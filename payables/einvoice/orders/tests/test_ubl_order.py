"""Peppol BIS Order 3 (UBL Order 2.1): our own samples read field by field, and the
OpenPEPPOL examples parsed when they are at hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from payables.einvoice.orders import OrderParty, Requester, parse_order
from payables.einvoice.orders.tests.support import (
    CORPUS,
    PEPPOL_BASE_QUANTITY,
    PEPPOL_EVERY_FIELD,
    PEPPOL_MINIMAL,
    decimals_in,
    floats_in,
    parsed,
    variant,
)
from payables.einvoice.ubl.syntax import NS


def rule_ids(order) -> set[str]:
    return {finding.rule_id for finding in order.warnings}


def test_every_header_field_is_read():
    order = parsed(PEPPOL_EVERY_FIELD)
    assert (order.format, order.number, order.profile) == (
        "peppol-order",
        "KK-PO-2026-0117",
        "urn:fdc:peppol.eu:poacc:bis:order_only:3",
    )
    assert order.order_date == date(2026, 2, 23)
    assert order.delivery_date == date(2026, 3, 6)  # the end of the requested period
    assert (order.currency, order.buyer_reference, order.accounting_cost) == (
        "EUR",
        "KK-REF-4471",
        "CC-SURG-2026",
    )
    # Repeated notes are kept, one per line.
    assert (
        order.note == "Deliver to the loading bay behind building B\nCall the ward before arrival"
    )
    assert order.contract_reference == "FRAME-2025-009"
    assert order.warnings == ()


def test_every_party_field_is_read():
    order = parsed(PEPPOL_EVERY_FIELD)
    # The legal name wins over the trading name; the GLN comes from a 0088 party id.
    assert order.seller == OrderParty(
        name="Revontuli Hoitotarvike Oy",
        registry_code="9999999-6",
        registry_scheme="0212",
        vat_id="FI99999996",
        country="FI",
        gln="6499990000028",
        endpoint_id="003799999999",
        endpoint_scheme="0216",
        identifiers=(("6499990000028", "0088"),),
        contact_name="Aino Virtanen",
        contact_email="orders@revontuli.example",
        contact_phone="+358 40 555 0199",
    )
    # No postal address: the country of the registration address; the GLN is the
    # 0088 endpoint.
    assert order.buyer == OrderParty(
        name="Kadakase Kliinik OÜ",
        registry_code="90000012",
        registry_scheme="0191",
        vat_id="EE109999991",
        country="EE",
        gln="4799990000015",
        endpoint_id="4799990000015",
        endpoint_scheme="0088",
        identifiers=(("90000012", "0191"),),
        contact_name="Procurement desk",
        contact_email="hanked@kadakas.example",
        contact_phone="+372 5550 1100",
    )
    assert order.requester == Requester(
        name="Mari Kask",
        department="Ward 3 Surgery",
        email="mari.kask@kadakas.example",
        phone="+372 5550 1322",
    )


def test_every_total_is_read_and_they_reconcile():
    totals = parsed(PEPPOL_EVERY_FIELD).totals
    assert (totals.lines_net, totals.net, totals.vat, totals.gross, totals.payable) == (
        Decimal("357.00"),
        Decimal("372.00"),
        Decimal("75.21"),
        Decimal("447.21"),
        Decimal("400.00"),
    )
    assert totals.net + totals.vat == totals.gross


def test_every_line_field_is_read():
    first, second = parsed(PEPPOL_EVERY_FIELD).lines
    # No description: the name; the document's own amount (after the line's 34.00
    # discount), not 40 x 8.50.
    assert (first.line_id, first.name, first.description) == (
        "10",
        "Nitrile gloves, box of 100",
        "Nitrile gloves, box of 100",
    )
    assert (first.item_code, first.seller_item_code, first.gtin) == (
        "KK-0441",
        "RV-NG-100M",
        "06499990001238",
    )
    assert (first.quantity, first.unit, first.unit_price) == (Decimal("40"), "BX", Decimal("8.50"))
    assert (first.net_amount, first.net_amount_computed) == (Decimal("306.00"), False)
    assert (first.vat_category, first.vat_rate) == ("S", Decimal("22"))
    assert (first.account, first.note) == ("4410-GLOVES", "Powder-free, size M")
    assert first.requested_delivery_date == date(2026, 3, 3)  # a start date only
    assert (first.cost_objective, first.dimensions) == ("", ())
    assert (second.line_id, second.name, second.description) == (
        "20",
        "Saline 0.9 %",
        "Sodium chloride 0.9 % irrigation solution\n1 litre bottles",
    )
    assert (second.item_code, second.seller_item_code, second.gtin) == ("", "RV-SAL-1L", "")
    # A base quantity of 1 leaves the price as it is.
    assert (second.quantity, second.unit, second.unit_price, second.net_amount) == (
        Decimal("12"),
        "LTR",
        Decimal("4.25"),
        Decimal("51.00"),
    )
    assert (second.vat_rate, second.account, second.note) == (Decimal("9"), "4420-FLUIDS", "")
    assert second.requested_delivery_date is None


def test_a_price_per_base_quantity_is_read_per_unit():
    order = parsed(PEPPOL_BASE_QUANTITY)
    skillet, oil, jam = order.lines
    assert (skillet.unit, skillet.unit_price) == ("EA", Decimal("12.00"))
    assert (oil.unit, oil.unit_price) == ("LTR", Decimal("6.40"))
    # 30.00 per 2 pieces: 15 per one, and 8 x 15 = the stated 120.00.
    assert (jam.quantity, jam.unit, jam.unit_price) == (Decimal("8"), "H87", Decimal("15"))
    assert jam.quantity * jam.unit_price == jam.net_amount == Decimal("120.00")
    assert [line.gtin for line in order.lines] == [
        "07388880000011",
        "07388880000028",
        "07388880000035",
    ]
    # No TaxExclusiveAmount or TaxInclusiveAmount: absent, not zero.
    assert (order.totals.net, order.totals.gross) == (None, None)
    assert (order.totals.lines_net, order.totals.vat, order.totals.payable) == (
        Decimal("188.00"),
        Decimal("45.12"),
        Decimal("233.12"),
    )
    assert sum(line.net_amount for line in order.lines) == order.totals.lines_net
    assert order.delivery_date == date(2026, 4, 20)  # a start date only
    assert order.profile == "urn:fdc:peppol.eu:poacc:bis:ordering:3"
    # The seller's GLN is its 0088 endpoint; its country is its postal address's.
    assert (order.seller.name, order.seller.country, order.seller.gln) == (
        "Fjällbär Provisions AB",
        "SE",
        "6488880000034",
    )
    assert (order.requester.name, order.requester.department) == ("Chef Ilona", "Central Kitchen")
    assert order.warnings == ()


def test_a_minimal_order_reads_with_everything_else_absent():
    order = parsed(PEPPOL_MINIMAL)
    assert (order.number, order.order_date, order.profile) == (
        "MIN-1",
        date(2026, 1, 5),
        "urn:fdc:peppol.eu:poacc:bis:order_only:3",
    )
    assert (order.seller.name, order.seller.endpoint_id, order.seller.endpoint_scheme) == (
        "Kalamees Flour Mill AS",
        "90000036",
        "0191",
    )
    assert (order.buyer.name, order.buyer.gln, order.buyer.country) == (
        "Sinilill Bakery OÜ",
        "",
        "",
    )
    assert (order.currency, order.delivery_date, order.note, order.contract_reference) == (
        "",
        None,
        "",
        "",
    )
    assert order.requester == Requester()
    assert (order.totals.net, order.totals.vat, order.totals.gross) == (None, None, None)
    (line,) = order.lines
    assert (line.line_id, line.name, line.quantity, line.unit) == (
        "1",
        "Rye flour, wholegrain",
        Decimal("250"),
        "KGM",
    )
    # No price: no unit price and no amount, not a computed zero.
    assert (line.unit_price, line.net_amount, line.net_amount_computed) == (None, None, False)
    assert order.warnings == ()


def _without_originator(root):
    root.remove(root.find("cac:OriginatorCustomerParty", NS))


def test_without_an_originator_the_buyers_contact_is_the_requester():
    order = parse_order(variant(PEPPOL_EVERY_FIELD, _without_originator))
    assert order.requester == Requester(
        name="Procurement desk",
        department="Kadakas Clinic",  # the buyer's trading name
        email="hanked@kadakas.example",
        phone="+372 5550 1100",
    )
    assert rule_ids(order) == {"ORDER-REQUESTER-BUYER"}


@pytest.mark.parametrize("name", [PEPPOL_EVERY_FIELD, PEPPOL_BASE_QUANTITY, PEPPOL_MINIMAL])
def test_money_and_quantities_are_decimal(name):
    order = parsed(name)
    assert floats_in(order) == []
    assert decimals_in(order) >= len(order.lines)


def _without_line_amounts(root):
    for element in root.findall(".//cac:LineItem/cbc:LineExtensionAmount", NS):
        element.getparent().remove(element)


def test_a_line_without_an_amount_gets_quantity_times_price_marked_computed():
    order = parse_order(variant(PEPPOL_BASE_QUANTITY, _without_line_amounts))
    assert [(line.net_amount, line.net_amount_computed) for line in order.lines] == [
        (Decimal("36.00"), True),
        (Decimal("32.00"), True),
        (Decimal("120.00"), True),
    ]
    computed = [f for f in order.warnings if f.rule_id == "ORDER-LINE-NET-COMPUTED"]
    assert computed[0].location == "/*/cac:OrderLine[1]"


def _price_per_three(root):
    line = root.findall("cac:OrderLine", NS)[2]
    line.find("cac:LineItem/cac:Price/cbc:PriceAmount", NS).text = "10"
    line.find("cac:LineItem/cac:Price/cbc:BaseQuantity", NS).text = "3"


def test_a_unit_price_that_does_not_divide_is_rounded_and_said():
    order = parse_order(variant(PEPPOL_BASE_QUANTITY, _price_per_three))
    assert order.lines[2].unit_price == Decimal("3.333333")
    assert "ORDER-UNIT-PRICE-ROUNDED" in rule_ids(order)


def _other_profile(root):
    root.find("cbc:CustomizationID", NS).text = "urn:example:order"
    root.find("cbc:ProfileID", NS).text = "urn:example:profile"
    root.find(".//cac:StandardItemIdentification/cbc:ID", NS).set("schemeID", "0088")


def test_other_identifiers_are_read_with_warnings():
    order = parse_order(variant(PEPPOL_EVERY_FIELD, _other_profile))
    assert order.number == "KK-PO-2026-0117"
    assert {"ORDER-CUSTOMIZATION", "ORDER-PROFILE", "ORDER-STANDARD-ID"} <= rule_ids(order)
    assert order.lines[0].gtin == ""  # not a GTIN scheme


def test_the_openpeppol_example_orders_parse():
    examples = sorted(CORPUS.glob("*.xml")) if CORPUS.is_dir() else []
    if not examples:
        pytest.skip(
            "put the OpenPEPPOL poacc-upgrade-3 example orders under shared/corpus/orders "
            "to run this"
        )
    for path in examples:
        order = parse_order(path.read_bytes())
        assert order.number, path.name
        assert floats_in(order) == [], path.name
