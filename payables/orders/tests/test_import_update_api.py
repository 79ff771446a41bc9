"""POST /purchase-orders/import/update: the order with the document's number, changed from
XML; received and invoiced quantities stay with their lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payables.conftest import ApiClient
from payables.events.models import Event
from payables.masterdata.models import Supplier
from payables.orders.models import PurchaseOrder, PurchaseOrderLine
from payables.orders.tests.xml_orders import (
    EE,
    PEPPOL,
    UPDATE,
    post_xml,
    sample,
    xml_answer,
    xml_errors,
)

pytestmark = pytest.mark.usefixtures("books")
JSON = "application/json"
ROW_1 = "//ItemEntry[RowNo='1']"
# The header sums left out: the order's totals are computed from its lines.
NO_SUMS: dict[str, str | None] = {
    f"//InvoiceSumGroup/{name}": None for name in ("InvoiceSum", "VAT", "TotalVATSum", "TotalSum")
}


def _ee_row_1(quantity: str, price: str, net: str, vat: str) -> dict[str, str | None]:
    """Row 1 with another quantity and price, without the header sums."""
    return {
        f"{ROW_1}/ItemDetailInfo/ItemAmount": quantity,
        f"{ROW_1}/ItemDetailInfo/ItemPrice": price,
        f"{ROW_1}/ItemSum": net,
        f"{ROW_1}/VAT/SumBeforeVAT": net,
        f"{ROW_1}/VAT/VATSum": vat,
        f"{ROW_1}/ItemTotal": None,
    } | NO_SUMS


@pytest.fixture
def imported(api: ApiClient) -> PurchaseOrder:
    """The Estonian sample imported, 4 of row 1 received and 2 invoiced."""
    assert post_xml(api, sample(EE)).status_code == 201
    order = PurchaseOrder.objects.get()
    receipt = {"lines": [{"line_id": "1", "quantity": "4"}]}
    assert api.post(f"/purchase-orders/{order.id}/receipts", receipt).status_code == 201
    # Matching (a later step) sets invoiced quantities; here the test stands in for it.
    PurchaseOrderLine.objects.filter(order=order, line_id="1").update(invoiced_quantity=2)
    return order


def test_update_changes_quantities_and_prices_and_keeps_what_arrived(
    api: ApiClient, imported: PurchaseOrder
):
    body = sample(EE, _ee_row_1("12", "11.00", "132.00", "31.68"))
    answer = post_xml(api, body, path=UPDATE)

    assert answer.status_code == 200, answer.content
    root = xml_answer(answer)
    assert root.findtext("Outcome") == "updated"
    assert root.findtext("PurchaseOrder/Id") == str(imported.id)
    assert root.findtext("PurchaseOrder/Status") == "partially_invoiced"
    order = PurchaseOrder.objects.get()
    line = order.lines.get(line_id="1")
    assert (line.quantity, line.unit_price, line.net_amount) == (12, 11, Decimal("132.00"))
    assert (line.received_quantity, line.invoiced_quantity) == (4, 2)
    # 132.00 at 24 % (31.68) + 20.00 at 9 % (1.80)
    assert (order.net_amount, order.vat_amount, order.gross_amount) == (
        Decimal("152.00"),
        Decimal("33.48"),
        Decimal("185.48"),
    )
    assert order.supplier_id == imported.supplier_id
    event = Event.objects.filter(type="purchase_order.updated").get()
    assert "lines" in event.payload["changed_fields"]
    assert Supplier.objects.filter(name="Koodikoda OÜ").count() == 1


def test_update_keeps_what_the_document_does_not_state(api: ApiClient, imported: PurchaseOrder):
    body = sample(EE, {"//InvoiceInformation/DueDate": None, "//BuyerParty/ContactData": None})
    answer = post_xml(api, body, path=UPDATE, accept=JSON)

    assert answer.status_code == 200, answer.content
    shown = answer.json()
    assert (shown["delivery_date"], shown["requester"]["code"]) == ("2026-11-20", "E-7")
    assert shown["lines"][0]["received_quantity"] == "4"


def test_update_of_a_peppol_order_answers_json(api: ApiClient, supplier: Supplier):
    assert post_xml(api, sample(PEPPOL)).status_code == 201
    edits = {
        "//cac:OrderLine[2]//cbc:PriceAmount": "25.00",
        "//cac:OrderLine[2]//cbc:LineExtensionAmount": "25.00",
        "//cac:TaxTotal/cbc:TaxAmount": None,
        "//cac:AnticipatedMonetaryTotal/cbc:LineExtensionAmount": "150.00",
        "//cac:AnticipatedMonetaryTotal/cbc:TaxExclusiveAmount": "150.00",
        "//cac:AnticipatedMonetaryTotal/cbc:TaxInclusiveAmount": "182.25",
    }
    answer = post_xml(api, sample(PEPPOL, edits), path=UPDATE, accept=JSON)

    assert answer.status_code == 200, answer.content
    shown = answer.json()
    assert shown["lines"][1]["unit_price"] == "25"
    assert (shown["net_amount"], shown["vat_amount"], shown["gross_amount"]) == (
        "150.00",
        "32.25",
        "182.25",
    )


@pytest.mark.parametrize("accept", ["", JSON])
def test_update_of_an_unknown_number_is_a_404(api: ApiClient, accept):
    answer = post_xml(api, sample(EE), path=UPDATE, accept=accept)

    assert answer.status_code == 404
    if accept:
        assert answer.json()["code"] == "purchase_order_not_found"
    else:
        (error,) = xml_errors(answer)
        assert error["Type"] == "purchase_order_not_found"
        assert "PO-EE-2026-1" in error["Message"]
    assert not PurchaseOrder.objects.exists()


def test_ordering_less_than_arrived_is_located(api: ApiClient, imported: PurchaseOrder):
    body = sample(EE, _ee_row_1("3", "12.50", "37.50", "9.00"))
    answer = post_xml(api, body, path=UPDATE)

    assert answer.status_code == 422
    (error,) = xml_errors(answer)
    assert (error["Type"], error["Loc"], error["LineId"]) == (
        "below_received",
        "body/lines/0/quantity",
        "1",
    )
    assert error["Location"].endswith("/ItemEntry[RowNo='1']/ItemDetailInfo/ItemAmount")
    assert PurchaseOrder.objects.get().lines.get(line_id="1").quantity == 10


def test_leaving_out_a_line_with_receipts_is_refused(api: ApiClient, imported: PurchaseOrder):
    body = sample(EE, {ROW_1: None} | NO_SUMS)
    answer = post_xml(api, body, path=UPDATE, accept=JSON)

    assert answer.status_code == 422
    (item,) = answer.json()["detail"]
    assert (item["type"], item["loc"]) == ("line_in_use", ["body", "lines"])
    assert item["location"].endswith("/Invoice/InvoiceItem/InvoiceItemGroup")


def test_update_of_a_closed_order_is_a_409(api: ApiClient, imported: PurchaseOrder):
    api.post(f"/purchase-orders/{imported.id}/close", {})
    answer = post_xml(api, sample(EE), path=UPDATE)
    assert answer.status_code == 409
    assert xml_errors(answer)[0]["Type"] == "order_not_editable"
