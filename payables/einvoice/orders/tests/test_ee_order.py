"""The Estonian e-invoice structure wrapped as Payload/PurchaseOrder/E_Invoice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from payables.einvoice.orders import parse_order
from payables.einvoice.orders.tests.support import (
    EE_PAYLOAD,
    decimals_in,
    floats_in,
    parsed,
    sample,
)

E_INVOICE = b"<E_Invoice"


def test_header_parties_and_totals():
    order = parsed(EE_PAYLOAD)
    assert (order.format, order.number, order.profile) == (
        "ee-purchase-order",
        "PO-2026-0042",
        "1.2",
    )
    assert (order.order_date, order.delivery_date) == (date(2026, 11, 20), date(2026, 12, 4))
    assert (order.currency, order.buyer_reference, order.contract_reference) == (
        "EUR",
        "OBJ-PARNU-10",
        "RL-2026-7",
    )
    # The text row (3) joins the order's note; it is not a line.
    assert order.note == "Kohaletoimetus objektile Pärnu mnt 10\nTarne tööpäeviti 8-16"
    seller = order.seller
    assert (seller.name, seller.registry_code, seller.registry_scheme, seller.vat_id) == (
        "Koodikoda OÜ",
        "16833831",
        "0191",
        "EE108884694",
    )
    assert (seller.country, seller.gln) == ("EE", "4740000000017")  # "Eesti" read as EE
    buyer = order.buyer
    assert (buyer.name, buyer.registry_code, buyer.vat_id, buyer.country) == (
        "Metsaküla Ehitus AS",
        "12345678",
        "EE101234567",
        "EE",
    )
    requester = order.requester
    assert (requester.name, requester.department, requester.email, requester.phone) == (
        "Mari Maasikas",
        "Hange",
        "mari.maasikas@metsakyla.ee",
        "+372 5550 1234",
    )
    totals = order.totals
    assert (totals.net, totals.vat, totals.gross, totals.lines_net, totals.payable) == (
        Decimal("135.00"),
        Decimal("32.40"),
        Decimal("167.40"),
        Decimal("135.00"),
        None,
    )


def test_rows_with_account_cost_objective_and_dimensions():
    booked, nails = parsed(EE_PAYLOAD).lines
    assert (booked.line_id, booked.description) == ("1", "Höövelpuit 45x95, 3 m")
    assert (booked.item_code, booked.seller_item_code, booked.gtin) == (
        "MAT-0045",
        "KK-PUIT-45",
        "4740000123457",
    )
    assert (booked.quantity, booked.unit, booked.unit_price) == (
        Decimal("10"),
        "H87",  # "tk"
        Decimal("12.50"),
    )
    assert (booked.net_amount, booked.net_amount_computed) == (Decimal("125.00"), False)
    assert (booked.vat_category, booked.vat_rate) == ("S", Decimal("24"))
    assert (booked.account, booked.cost_objective) == ("4010", "OBJ-PARNU")
    assert booked.dimensions == (
        ("general_ledger_detail", "40101"),
        ("partner_code", "KOODI"),
        ("business_code", "EHITUS"),
    )
    # No ItemSum: 2.5 kg x 3.999 = 9.9975, to the cent, marked computed.
    assert (nails.quantity, nails.unit, nails.unit_price) == (
        Decimal("2.5"),
        "KGM",
        Decimal("3.999"),
    )
    assert (nails.net_amount, nails.net_amount_computed) == (Decimal("10.00"), True)
    assert (nails.account, nails.cost_objective, nails.dimensions) == ("", "", ())


def test_money_and_quantities_are_decimal():
    order = parsed(EE_PAYLOAD)
    assert floats_in(order) == []
    assert decimals_in(order) > 10


def test_what_the_parser_noticed_is_located():
    found = {(f.rule_id, f.location) for f in parsed(EE_PAYLOAD).warnings}
    rows = "/Payload/PurchaseOrder/E_Invoice/Invoice/InvoiceItem/InvoiceItemGroup/ItemEntry"
    assert found == {("EE-TEXT-ROW", f"{rows}[3]"), ("ORDER-LINE-NET-COMPUTED", f"{rows}[2]")}


def _namespaced(data: bytes) -> bytes:
    root = etree.fromstring(data)
    for element in root.iter(etree.Element):
        element.tag = f"{{urn:example:fitek:purchase-order}}{etree.QName(element).localname}"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _inner(data: bytes) -> bytes:
    start = data.index(E_INVOICE)
    end = data.index(b"</E_Invoice>") + len(b"</E_Invoice>")
    return data[start:end]


def _wrapped(data: bytes, before: bytes, after: bytes) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>' + before + _inner(data) + after


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(_namespaced, id="namespaced"),
        pytest.param(lambda d: _wrapped(d, b"<PurchaseOrder>", b"</PurchaseOrder>"), id="po"),
        pytest.param(_inner, id="bare-e-invoice"),
        pytest.param(
            lambda d: _wrapped(
                d,
                b"<Request><RequestId>42</RequestId><Payload><PurchaseOrder>",
                b"</PurchaseOrder></Payload></Request>",
            ),
            id="request-envelope",
        ),
    ],
)
def test_the_wrapper_is_read_tolerantly(build):
    order = parse_order(build(sample(EE_PAYLOAD)))
    expected = parsed(EE_PAYLOAD)
    assert (order.number, order.totals, order.lines) == (
        expected.number,
        expected.totals,
        expected.lines,
    )
    assert order.seller == expected.seller
