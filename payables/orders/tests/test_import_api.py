"""POST /purchase-orders/import: Estonian and Peppol orders from XML, answered in XML by
default and JSON on request; every refusal located, none of them HTML."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from payables.conftest import ApiClient
from payables.events.models import Event
from payables.masterdata.models import Supplier
from payables.orders.models import PurchaseOrder
from payables.orders.tests.xml_orders import (
    EE,
    PEPPOL,
    post_xml,
    sample,
    xml_answer,
    xml_errors,
)
from payables.tenancy.models import Company

pytestmark = pytest.mark.usefixtures("books")
JSON = "application/json"


def test_imports_an_estonian_order_and_answers_in_xml(api: ApiClient):
    answer = post_xml(api, sample(EE))

    assert answer.status_code == 201, answer.content
    root = xml_answer(answer)
    assert root.findtext("Outcome") == "imported"
    order = PurchaseOrder.objects.get(number="PO-EE-2026-1")
    assert root.findtext("PurchaseOrder/Id") == str(order.id)
    assert root.findtext("PurchaseOrder/Number") == "PO-EE-2026-1"
    assert root.findtext("PurchaseOrder/Status") == "open"
    assert "ORDER-LINE-NET-COMPUTED" in [w.get("ruleId") for w in root.findall("Warnings/Warning")]

    assert (order.source, order.order_date.isoformat(), order.delivery_date.isoformat()) == (
        "xml",
        "2026-11-02",
        "2026-11-20",
    )
    assert order.supplier.name == "Koodikoda OÜ"
    assert order.supplier.registry_code == "16833831"
    assert order.requester.code == "E-7"
    assert (order.net_amount, order.vat_amount, order.gross_amount) == (
        Decimal("145.00"),
        Decimal("31.80"),
        Decimal("176.80"),
    )
    first, second = order.lines.order_by("position")
    assert (first.line_id, first.item_code, first.seller_item_code, first.gtin) == (
        "1",
        "PAPER-A4",
        "A4-500",
        "4006381333931",
    )
    assert (first.quantity, first.unit, first.unit_price, first.vat_rate) == (10, "BX", 12.5, 24)
    assert (first.account_code, first.cost_objective, first.dimensions) == ("4000", "CO-1", {})
    assert (second.line_id, second.net_amount) == ("2", Decimal("20.00"))
    # No partner_code dimension type: the row's code is kept as proposed, not refused.
    assert order.metadata["proposed_coding"] == [{"line_id": "1", "partner_code": "KOODI"}]
    event = Event.objects.get(type="purchase_order.imported")
    assert (event.payload["number"], event.payload["source"]) == ("PO-EE-2026-1", "xml")


def test_imports_a_peppol_order_and_answers_in_json(api: ApiClient, supplier: Supplier):
    answer = post_xml(api, sample(PEPPOL), accept=JSON)

    assert answer.status_code == 201, answer.content
    assert answer["Content-Type"].startswith(JSON)
    shown = answer.json()
    assert shown["source"] == "peppol"
    assert shown["supplier_id"] == str(supplier.id)  # found by registry code, not created
    assert shown["requester"]["code"] == "E-7"
    assert (shown["buyer_reference"], shown["notes"]) == ("Mari", "Deliver to the back door")
    assert shown["delivery_date"] == "2026-11-20"
    assert (shown["net_amount"], shown["vat_amount"], shown["gross_amount"]) == (
        "145.00",
        "31.80",
        "176.80",
    )
    assert [(x["line_id"], x["quantity"], x["unit_price"]) for x in shown["lines"]] == [
        ("10", "10", "12.5"),
        ("20", "1", "20"),
    ]
    assert shown["lines"][0]["account_code"] == "4000"
    assert shown["metadata"]["contract_reference"] == "FRAME-2026-1"
    assert shown["metadata"]["lines"] == [
        {"line_id": "10", "note": "Recycled paper only", "vat_category": "S"},
        {"line_id": "20", "vat_category": "S"},
    ]
    assert shown["warnings"] == []
    assert api.get(f"/purchase-orders/{shown['id']}").json() == {
        k: v for k, v in shown.items() if k != "warnings"
    }


@pytest.mark.parametrize("name", [EE, PEPPOL])
@pytest.mark.parametrize("accept", ["", "application/xml", "text/xml, */*", JSON])
def test_either_format_answers_in_the_format_asked(api: ApiClient, supplier, name, accept):
    answer = post_xml(api, sample(name), accept=accept)
    assert answer.status_code == 201, answer.content
    if accept == JSON:
        assert answer.json()["status"] == "open"
    else:
        assert xml_answer(answer).findtext("PurchaseOrder/Status") == "open"


def test_text_xml_is_taken_too(api: ApiClient):
    assert post_xml(api, sample(EE), content_type="text/xml").status_code == 201


def _partner_codes(api: ApiClient) -> None:
    """A dimension type named as the Estonian rows' PartnerCode, with one value."""
    assert (
        api.post("/dimension-types", {"code": "partner_code", "name": "Partner"}).status_code == 201
    )
    assert (
        api.post("/dimension-types/partner_code/values", {"code": "KOODI", "name": "K"}).status_code
        == 201
    )


def test_a_ledger_code_is_a_dimension_where_the_company_keeps_its_type(api: ApiClient):
    _partner_codes(api)
    assert post_xml(api, sample(EE)).status_code == 201
    line = PurchaseOrder.objects.get().lines.get(line_id="1")
    assert line.dimensions == {"partner_code": "KOODI"}


UNKNOWN_PARTNER = {"//ItemEntry[RowNo='1']/Accounting/PartnerCode": "NOPE"}
PARTNER_CODE = "/Payload/PurchaseOrder/E_Invoice/Invoice/InvoiceItem/InvoiceItemGroup/ItemEntry[RowNo='1']/Accounting/PartnerCode"  # noqa: E501


def test_an_unknown_dimension_value_is_located_in_the_document_json(api: ApiClient):
    _partner_codes(api)
    answer = post_xml(api, sample(EE, UNKNOWN_PARTNER), accept=JSON)

    assert answer.status_code == 422
    (item,) = answer.json()["detail"]
    assert item["loc"] == ["body", "lines", 0, "dimensions", "partner_code"]
    assert (item["type"], item["line_id"], item["location"]) == ("unknown_code", "1", PARTNER_CODE)
    assert not PurchaseOrder.objects.exists()
    assert not Supplier.objects.filter(name="Koodikoda OÜ").exists()


def test_an_unknown_dimension_value_is_located_in_the_document_xml(api: ApiClient):
    _partner_codes(api)
    answer = post_xml(api, sample(EE, UNKNOWN_PARTNER))

    assert answer.status_code == 422
    (error,) = xml_errors(answer)
    assert error["Type"] == "unknown_code"
    assert error["Loc"] == "body/lines/0/dimensions/partner_code"
    assert (error["LineId"], error["Location"]) == ("1", PARTNER_CODE)
    assert "NOPE" in error["Message"]
    assert not PurchaseOrder.objects.exists()


def test_unknown_codes_of_a_peppol_line_are_located_by_its_position(api: ApiClient, supplier):
    body = sample(PEPPOL, {"//cac:OrderLine[1]//cbc:AccountingCost": "9999"})
    answer = post_xml(api, body, accept=JSON)

    assert answer.status_code == 422
    (item,) = answer.json()["detail"]
    assert (item["loc"], item["type"], item["line_id"]) == (
        ["body", "lines", 0, "account_code"],
        "unknown_code",
        "10",
    )
    assert item["location"] == "/Order/cac:OrderLine[1]/cac:LineItem/cbc:AccountingCost"


def test_a_missing_required_value_is_located(api: ApiClient, supplier):
    body = sample(
        PEPPOL,
        {"//cbc:DocumentCurrencyCode": None, "//cac:OrderLine[2]//cbc:Quantity": None},
    )
    answer = post_xml(api, body, accept=JSON)

    assert answer.status_code == 422
    found = {(tuple(i["loc"]), i["type"], i["location"]) for i in answer.json()["detail"]}
    assert found == {
        (("body", "currency"), "missing", "/Order/cbc:DocumentCurrencyCode"),
        (
            ("body", "lines", 1, "quantity"),
            "missing",
            "/Order/cac:OrderLine[2]/cac:LineItem/cbc:Quantity",
        ),
    }


def test_totals_that_do_not_reconcile_are_located(api: ApiClient):
    answer = post_xml(api, sample(EE, {"//InvoiceSumGroup/TotalSum": "176.81"}))
    assert answer.status_code == 422
    (error,) = xml_errors(answer)
    assert (error["Type"], error["Loc"]) == ("totals_mismatch", "body/gross_amount")
    assert error["Location"].endswith("/Invoice/InvoiceSumGroup/TotalSum")


def test_a_number_used_before_is_a_409(api: ApiClient):
    first = post_xml(api, sample(EE))
    again = post_xml(api, sample(EE))

    assert again.status_code == 409
    (error,) = xml_errors(again)
    assert error["Type"] == "duplicate_order_number"
    assert error["ExistingId"] == xml_answer(first).findtext("PurchaseOrder/Id")
    json_again = post_xml(api, sample(EE), accept=JSON)
    assert json_again.json()["code"] == "duplicate_order_number"
    assert PurchaseOrder.objects.count() == 1


def test_an_order_level_charge_leaves_the_order_its_lines_totals(api: ApiClient, supplier):
    """An order here has no order-level charges: the lines' totals, with a warning."""
    body = sample(
        PEPPOL,
        {
            "//cac:AnticipatedMonetaryTotal/cbc:TaxExclusiveAmount": "160.00",
            "//cac:AnticipatedMonetaryTotal/cbc:TaxInclusiveAmount": "195.40",
            "//cac:TaxTotal/cbc:TaxAmount": "35.40",
        },
    )
    answer = post_xml(api, body, accept=JSON)

    assert answer.status_code == 201, answer.content
    shown = answer.json()
    assert (shown["net_amount"], shown["gross_amount"]) == ("145.00", "176.80")
    assert shown["metadata"]["document_totals"]["net"] == "160.00"
    assert [w["rule_id"] for w in shown["warnings"]] == ["PAY-ORDER-CHARGES"]


def test_a_requester_the_company_does_not_know_is_a_warning(api: ApiClient, supplier):
    body = sample(PEPPOL, {"//cac:OriginatorCustomerParty//cbc:ElectronicMail": "x@y.example"})
    answer = post_xml(api, body)

    assert answer.status_code == 201
    warnings = xml_answer(answer).findall("Warnings/Warning")
    assert [w.get("ruleId") for w in warnings] == ["PAY-ORDER-REQUESTER"]
    order = PurchaseOrder.objects.get()
    assert order.requester is None
    assert order.metadata["requester"]["email"] == "x@y.example"


MALFORMED = [
    ("not-xml", b"this is not XML", "PAY-XML"),
    ("cut-short", sample(EE)[:400], "PAY-XML"),
    (
        "entity-bomb",
        b'<?xml version="1.0"?><!DOCTYPE Order [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Order>&b;</Order>',
        "PAY-UNSAFE",
    ),
    (
        "external-entity",
        b'<?xml version="1.0"?><!DOCTYPE Payload [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<Payload><PurchaseOrder><E_Invoice>&x;</E_Invoice></PurchaseOrder></Payload>",
        "PAY-UNSAFE",
    ),
    (
        "an-invoice",
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
        "PAY-ORDER-FORMAT",
    ),
    (
        "two-orders",
        sample(EE).replace(b"</E_Invoice>", b"</E_Invoice><E_Invoice/>"),
        "PAY-ORDER",
    ),
]


@pytest.mark.parametrize(
    ("body", "rule"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_a_document_that_is_not_one_readable_order_is_a_422(api: ApiClient, body, rule):
    answer = post_xml(api, body)

    assert answer.status_code == 422, answer.content
    assert rule in [error["Type"] for error in xml_errors(answer)]
    as_json = post_xml(api, body, accept=JSON)
    assert as_json.status_code == 422
    assert rule in [item["type"] for item in as_json.json()["detail"]]
    assert not PurchaseOrder.objects.exists()


def test_an_empty_body_is_a_422(api: ApiClient):
    answer = post_xml(api, b"\n")  # the test client drops the Content-Type of a body of b""
    assert answer.status_code == 422
    assert xml_errors(answer)[0]["Type"] == "missing"


def test_a_body_over_the_size_limit_is_a_413(api: ApiClient, settings):
    settings.PAYABLES_EINVOICE_MAX_BYTES = 1000
    answer = post_xml(api, sample(EE))
    assert answer.status_code == 413
    assert xml_errors(answer)[0]["Type"] == "payload_too_large"


@pytest.mark.parametrize("content_type", [JSON, "text/plain", "application/octet-stream"])
def test_a_body_not_declared_as_xml_is_a_415(api: ApiClient, content_type):
    answer = post_xml(api, sample(EE), content_type=content_type)
    assert answer.status_code == 415
    assert xml_errors(answer)[0]["Type"] == "unsupported_media_type"
    as_json = post_xml(api, sample(EE), content_type=content_type, accept=JSON)
    assert as_json.json()["code"] == "unsupported_media_type"
    assert not PurchaseOrder.objects.exists()


def test_authentication_and_scope_refusals_are_xml_or_json_never_html(
    company: Company, make_key: Callable[..., str]
):
    nobody = ApiClient(None)
    answer = post_xml(nobody, sample(EE))
    assert answer.status_code == 401
    assert xml_errors(answer)[0]["Type"] == "api_key_missing"
    reader = ApiClient(make_key(company, ["orders:read"], integrator="Reader"))
    assert post_xml(reader, sample(EE)).status_code == 403
    assert xml_errors(post_xml(reader, sample(EE)))[0]["Type"] == "missing_scope"
    refused = post_xml(reader, sample(EE), accept=JSON)
    assert refused.status_code == 403
    assert refused.json()["code"] == "missing_scope"


def test_a_repeat_with_the_same_idempotency_key_gets_the_first_answer(api: ApiClient):
    headers = {"Idempotency-Key": "po-xml-1"}
    first = post_xml(api, sample(EE), headers=headers)
    again = post_xml(api, sample(EE), headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert PurchaseOrder.objects.count() == 1
    other = post_xml(api, sample(PEPPOL), headers=headers)
    assert other.status_code == 422
    assert xml_errors(other)[0]["Type"] == "idempotency_key_reused"


def test_the_import_endpoints_are_documented_with_xml_bodies_and_answers(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path, ok in (("import", "201"), ("import/update", "200")):
        operation = paths[f"/api/v1/purchase-orders/{path}"]["post"]
        assert set(operation["requestBody"]["content"]) == {"application/xml", "text/xml"}
        for status in (ok, "415", "422"):
            assert set(operation["responses"][status]["content"]) == {JSON, "application/xml"}
