"""Purchase Order Import v3 and PurchaseOrderUpdate: XML in, XML out unless JSON is asked
for; the same order as the native XML import makes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from lxml import etree

from payables.compat.fitek.tests.conftest import FitekClient
from payables.conftest import ApiClient
from payables.orders.models import PurchaseOrder

JSON = "application/json"
ROW_1 = "//ItemEntry[RowNo='1']"
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@pytest.fixture(autouse=True)
def books(api: ApiClient) -> None:
    """An account, a purchase VAT code and the requester the sample names."""
    for path, record in (
        ("/vat-codes", {"code": "VAT24", "rate": "24"}),
        ("/accounts", {"code": "4000", "name": "Materials"}),
        ("/users", {"code": "E-7", "name": "Mari Maasikas", "email": "mari@example.com"}),
    ):
        assert api.post(path, record).status_code == 201


def xml(answer: Any) -> etree._Element:
    assert answer["Content-Type"].startswith("application/xml"), answer.content
    return etree.fromstring(answer.content, parser=_SAFE)


def post(
    fitek: FitekClient, body: bytes, path: str = "/PurchaseOrderImport", **headers: str
) -> Any:
    return fitek.raw(path, body, content_type="application/xml", **headers)


def snapshot(order: PurchaseOrder) -> dict:
    return {
        "header": [
            getattr(order, name)
            for name in (
                "number",
                "status",
                "source",
                "order_date",
                "delivery_date",
                "currency",
                "net_amount",
                "vat_amount",
                "gross_amount",
                "buyer_reference",
            )
        ],
        "supplier": (order.supplier.name, order.supplier.registry_code),
        "requester": order.requester.code if order.requester else None,
        "lines": list(
            order.lines.order_by("position").values_list(
                "line_id",
                "description",
                "quantity",
                "unit",
                "unit_price",
                "net_amount",
                "vat_rate",
                "account_code",
                "cost_objective",
                "seller_item_code",
            )
        ),
    }


class _Undone(Exception):
    pass


def native_import(api: ApiClient, body: bytes) -> dict:
    """What the native XML import makes of the body, undone again."""
    with pytest.raises(_Undone), transaction.atomic():
        answer = api.post("/purchase-orders/import", raw=body, content_type="application/xml")
        assert answer.status_code == 201, answer.content
        found = snapshot(PurchaseOrder.objects.get())
        raise _Undone()
    return found


def test_imports_the_order_as_the_native_import_does_and_answers_in_xml(fitek, api):
    body = fitek.order_xml(RequestId="po-1")
    natively = native_import(api, body)

    answer = post(fitek, body)

    assert answer.status_code == 200, answer.content
    root = xml(answer)
    assert root.tag == "PurchaseOrderImportResponse"
    assert (root.findtext("RequestId"), root.findtext("Success")) == ("po-1", "true")
    order = PurchaseOrder.objects.get()
    assert root.findtext("Result/Outcome") == "imported"
    assert root.findtext("Result/PurchaseOrder/Id") == str(order.id)
    assert root.findtext("Result/PurchaseOrder/GrossAmount") == "179.80"
    assert snapshot(order) == natively
    assert order.gross_amount == Decimal("179.80")
    assert "ORDER-ENVELOPE" not in [w.findtext("RuleId") for w in root.iterfind("Result/Warnings/")]


def test_answers_json_when_asked(fitek):
    answer = post(fitek, fitek.order_xml(), Accept=JSON)

    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"].startswith(JSON)
    result = answer.json()["Result"]
    assert result["Outcome"] == "imported"
    assert result["PurchaseOrder"]["Number"] == "PO-FITEK-1"
    assert result["PurchaseOrder"]["LineCount"] == 2


def test_purchase_order_update_changes_the_order_of_that_number(fitek):
    post(fitek, fitek.order_xml())
    changed = fitek.order_xml(
        edits={
            f"{ROW_1}/ItemDetailInfo/ItemAmount": "12",
            f"{ROW_1}/ItemSum": "150.00",
            f"{ROW_1}/VAT/SumBeforeVAT": "150.00",
            f"{ROW_1}/VAT/VATSum": "36.00",
            f"{ROW_1}/ItemTotal": "186.00",
            "//InvoiceSumGroup/InvoiceSum": "170.00",
            "//InvoiceSumGroup/VAT/SumBeforeVAT": "170.00",
            "//InvoiceSumGroup/VAT/VATSum": "40.80",
            "//InvoiceSumGroup/TotalVATSum": "40.80",
            "//InvoiceSumGroup/TotalSum": "210.80",
        }
    )

    answer = post(fitek, changed, path="/PurchaseOrderUpdate", Accept=JSON)

    assert answer.status_code == 200, answer.content
    assert answer.json()["Result"]["Outcome"] == "updated"
    order = PurchaseOrder.objects.get()
    assert (order.net_amount, order.gross_amount) == (Decimal("170.00"), Decimal("210.80"))


def test_updating_an_order_never_imported_is_404_in_xml(fitek):
    answer = post(fitek, fitek.order_xml(), path="/PurchaseOrderUpdate")

    assert answer.status_code == 404
    root = xml(answer)
    assert root.tag == "PurchaseOrderUpdateResponse"
    assert root.findtext("Success") == "false"
    assert root.findtext("Errors/Error/Code") == "purchase_order_not_found"
    assert root.findtext("Errors/Error/Location") == "Payload.PurchaseOrder.E_Invoice"


def test_a_number_imported_already_is_409_naming_the_order(fitek):
    post(fitek, fitek.order_xml())

    answer = post(fitek, fitek.order_xml(), Accept=JSON)

    assert answer.status_code == 409
    [error] = answer.json()["Errors"]
    assert error["Code"] == "duplicate_order_number"
    assert error["ExistingId"] == str(PurchaseOrder.objects.get().id)


def test_an_unknown_account_is_422_at_the_document_with_its_element(fitek):
    body = fitek.order_xml(edits={f"{ROW_1}/Accounting/JournalEntry/GeneralLedger": "9999"})

    answer = post(fitek, body, Accept=JSON)

    assert answer.status_code == 422, answer.content
    [error] = answer.json()["Errors"]
    assert (error["Location"], error["Code"]) == ("Payload.PurchaseOrder.E_Invoice", "unknown_code")
    assert error["Field"] == "lines[0].account_code"
    assert "ItemEntry" in error["XmlLocation"]
    assert not PurchaseOrder.objects.exists()


def test_refusals_are_xml_too_with_the_element(fitek):
    body = fitek.order_xml(edits={f"{ROW_1}/Accounting/JournalEntry/GeneralLedger": "9999"})

    root = xml(post(fitek, body))

    assert root.findtext("Errors/Error/Code") == "unknown_code"
    assert "ItemEntry" in root.findtext("Errors/Error/XmlLocation")


def test_malformed_xml_is_422(fitek):
    answer = post(fitek, b"<PurchaseOrderImportRequest><RequestId>", Accept=JSON)

    assert answer.status_code == 422
    assert answer.json()["Errors"][0]["Code"].startswith("PAY-")


def test_a_json_body_is_415(fitek):
    answer = fitek.raw("/PurchaseOrderImport", b"{}", Accept=JSON)

    assert answer.status_code == 415
    assert answer.json()["Errors"][0]["Code"] == "unsupported_media_type"


@pytest.mark.parametrize("accept", [None, JSON])
def test_wrong_credentials_are_401_in_the_format_asked_for(fitek, accept):
    headers = {"Accept": accept} if accept else {}

    answer = post(fitek, fitek.order_xml(AuthorizationToken="pk_nothing"), **headers)

    assert answer.status_code == 401
    if accept:
        assert answer.json()["Errors"][0]["Location"] == "AuthorizationToken"
    else:
        assert xml(answer).findtext("Errors/Error/Location") == "AuthorizationToken"
    assert not PurchaseOrder.objects.exists()


def test_a_token_without_orders_write_is_403(integrator, make_token):
    fitek = FitekClient(integrator, make_token(integrator, ["orders:read"]))

    answer = post(fitek, fitek.order_xml())

    assert answer.status_code == 403
    assert xml(answer).findtext("Errors/Error/Code") == "missing_scope"


def test_a_repeated_request_id_gets_the_first_answer_in_its_format(fitek):
    body = fitek.order_xml(RequestId="po-again")
    first = post(fitek, body)

    again = post(fitek, body, Accept=JSON)

    assert again.status_code == 200
    assert again.content == first.content  # the first answer, XML as it was given
    assert again["Idempotent-Replayed"] == "true"
    assert PurchaseOrder.objects.count() == 1


def test_the_same_request_id_with_another_order_is_422(fitek):
    post(fitek, fitek.order_xml(RequestId="po-reused"))
    other = fitek.order_xml(RequestId="po-reused", edits={"//InvoiceNumber": "PO-FITEK-2"})

    answer = post(fitek, other, Accept=JSON)

    assert answer.status_code == 422
    [error] = answer.json()["Errors"]
    assert (error["Location"], error["Code"]) == ("RequestId", "idempotency_key_reused")
    assert PurchaseOrder.objects.count() == 1
