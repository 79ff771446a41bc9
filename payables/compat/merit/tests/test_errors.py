"""Bad input is answered as Merit answers it (400 and a description), located in Merit's
field names, and changes nothing."""

from __future__ import annotations

import pytest

from payables.compat.merit.tests.conftest import (
    BASE,
    EXAMPLE_CREATE,
    EXAMPLE_PROPORTIONAL,
    example,
)
from payables.events.models import Event
from payables.invoices.models import Invoice
from payables.invoices.tests.master_data import MasterData
from payables.masterdata.models import Supplier

UNKNOWN_ID = "0b6c8d3e-0000-4000-8000-000000000001"


def refused(response, status: int = 400) -> list[str]:
    """The located fields of a Merit refusal; nothing was stored."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"Message", "Errors"}
    assert not Invoice.objects.exists()
    return [error["Field"] for error in body["Errors"]]


def with_row(payload: dict, **fields) -> dict:
    payload["InvoiceRow"][0] |= fields
    return payload


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"BillNo": None}, ["BillNo"]),
        ({"DocDate": "2020-13-01"}, ["DocDate"]),
        ({"DocDate": "06.05.2020"}, ["DocDate"]),
        ({"Surprise": 1}, ["Surprise"]),
        ({"InvoiceRow": []}, ["InvoiceRow"]),
        ({"TaxAmount": None}, ["TaxAmount"]),
        ({"CurrencyRate": "abc"}, ["CurrencyRate"]),
        ({"CurrencyCode": "EURO"}, ["CurrencyCode"]),
        ({"ExpenseClaim": "yes"}, ["ExpenseClaim"]),
        ({"Payment": {"PaidAmount": 1}}, ["Payment.PaymentMethod"]),
    ],
)
def test_shape_errors_are_located(merit, books, change, fields):
    assert refused(merit.post("api/v1/sendpurchinvoice", example(EXAMPLE_CREATE) | change)) == (
        fields
    )


@pytest.mark.parametrize(
    ("row", "fields"),
    [
        ({"Quantity": "many"}, ["InvoiceRow[0].Quantity"]),
        ({"Price": None}, ["InvoiceRow[0].Price"]),
        ({"TaxId": "not-a-guid"}, ["InvoiceRow[0].TaxId"]),
        ({"Item": {"Description": "no code"}}, ["InvoiceRow[0].Item.Code"]),
        ({"Discount": 5}, ["InvoiceRow[0].Discount"]),
        ({"Item": {"Code": "X", "UOMName": "x" * 21}}, ["InvoiceRow[0].Item.UOMName"]),
    ],
)
def test_row_errors_are_located(merit, books, row, fields):
    payload = with_row(example(EXAMPLE_CREATE), **row)

    assert refused(merit.post("api/v1/sendpurchinvoice", payload)) == fields


def test_v1_does_not_take_v2_fields(merit, books):
    payload = example(EXAMPLE_CREATE, Receiver={"Name": "X", "CountryCode": "EE"})

    assert refused(merit.post("api/v1/sendpurchinvoice", payload)) == ["Receiver"]


def test_unknown_tax_ids_are_located_where_they_are(merit, books):
    payload = with_row(example(EXAMPLE_CREATE), TaxId=UNKNOWN_ID)
    payload["TaxAmount"][0]["TaxId"] = UNKNOWN_ID

    response = merit.post("api/v1/sendpurchinvoice", payload)

    assert refused(response) == ["InvoiceRow[0].TaxId", "TaxAmount[0].TaxId"]
    assert "gettaxes lists them" in response.json()["Errors"][0]["Message"]


def test_a_row_tax_missing_from_tax_amount(merit, books):
    payload = with_row(example(EXAMPLE_CREATE), TaxId=books["vat22"]["id"])

    assert refused(merit.post("api/v1/sendpurchinvoice", payload)) == [
        "TaxAmount[0].TaxId",
        "InvoiceRow[0].TaxId",
    ]


def test_codes_the_company_does_not_keep_are_located_in_merit_names(merit, books):
    payload = with_row(example(EXAMPLE_CREATE, DepartmentCode="NOPE"), GLAccountCode="9999")
    payload["InvoiceRow"][0]["CostCenterCode"] = "NOPE"

    response = merit.post("api/v1/sendpurchinvoice", payload)

    assert refused(response) == [
        "InvoiceRow[0].GLAccountCode",
        "DepartmentCode",
        "InvoiceRow[0].CostCenterCode",
    ]
    assert "There is no account '9999'" in response.json()["Message"]


def test_totals_that_do_not_add_up_name_total_amount(merit, books):
    response = merit.post("api/v1/sendpurchinvoice", example(EXAMPLE_CREATE, TotalAmount=12))

    # The VAT lines' bases (the rows) do not add up to it either.
    assert refused(response) == ["TotalAmount", "TaxAmount"]
    assert response.json()["Message"].startswith(
        "TotalAmount: TotalAmount 12.00 differs from the sum of rows 10.00"
    )


def test_proportional_amounts_that_do_not_split_as_the_code_does(merit, books):
    response = merit.post(
        "api/v1/sendpurchinvoice", example(EXAMPLE_PROPORTIONAL, TotalAmount=11.30)
    )

    assert refused(response) == ["TotalAmount"]
    assert "proportional VAT" in response.json()["Message"]


def test_an_unknown_payment_method(merit, books):
    payload = example(EXAMPLE_CREATE, Payment={"PaymentMethod": "Cash"})

    assert refused(merit.post("api/v1/sendpurchinvoice", payload)) == ["Payment.PaymentMethod"]


def test_an_overpayment_leaves_no_invoice_supplier_or_event(merit, books):
    events = Event.objects.count()
    payload = example(EXAMPLE_CREATE, Payment={"PaymentMethod": "CARD", "PaidAmount": 11})

    assert refused(merit.post("api/v1/sendpurchinvoice", payload)) == ["Payment.PaidAmount"]
    assert not Supplier.objects.exists()
    assert Event.objects.count() == events


def test_an_attachment_that_is_not_base64(merit, books):
    payload = example(EXAMPLE_CREATE, Attachment={"FileName": "a.pdf", "FileContent": "%%%"})

    assert refused(merit.post("api/v1/sendpurchinvoice", payload)) == ["Attachment.FileContent"]


def test_a_bill_number_the_vendor_used_names_the_invoice_that_has_it(merit, books):
    first = merit.post("api/v1/sendpurchinvoice", example(EXAMPLE_CREATE))
    assert first.status_code == 200

    # Another request (the same one signed in the same second would get the first answer).
    response = merit.post("api/v1/sendpurchinvoice", example(EXAMPLE_CREATE, Fcomment="again"))

    assert response.status_code == 400
    (error,) = response.json()["Errors"]
    assert (error["Field"], error["Type"]) == ("BillNo", "duplicate_invoice_number")
    assert error["ExistingBillId"] == first.json()["BillId"]
    assert Invoice.objects.count() == 1


def test_an_unknown_vendor_id_without_fields(merit, books):
    payload = example(EXAMPLE_CREATE, Vendor={"Id": UNKNOWN_ID})

    assert refused(merit.post("api/v1/sendpurchinvoice", payload)) == ["Vendor.Id"]


def test_an_unknown_receiver_id_without_fields(merit, books):
    payload = example(EXAMPLE_CREATE, Receiver={"Id": UNKNOWN_ID})

    response = merit.post("api/v2/sendpurchinvoice", payload)

    assert refused(response) == ["Receiver.Id"]
    assert response.json()["Errors"][0]["Type"] == "unknown_supplier"


def test_a_vendor_that_cannot_be_added(merit, books):
    payload = example(EXAMPLE_CREATE, Vendor={"Name": "Nameless land"})

    assert refused(merit.post("api/v1/sendpurchinvoice", payload)) == ["Vendor"]


def test_a_foreign_currency_without_a_rate(merit, books):
    payload = example(EXAMPLE_CREATE, CurrencyCode="XTS")

    assert refused(merit.post("api/v1/sendpurchinvoice", payload)) == ["CurrencyRate"]


@pytest.mark.parametrize(
    ("dimension", "fields"),
    [
        ({"DimValueId": UNKNOWN_ID}, ["InvoiceRow[0].Dimensions[0].DimValueId"]),
        ({"DimId": 1, "DimCode": "X"}, ["InvoiceRow[0].Dimensions[0].DimId"]),
        ({"DimCode": "MAS"}, ["InvoiceRow[0].Dimensions[0]"]),
    ],
)
def test_v2_dimension_errors(merit, books, dimension, fields):
    payload = with_row(example(EXAMPLE_CREATE), Dimensions=[dimension])

    assert refused(merit.post("api/v2/sendpurchinvoice", payload)) == fields


def test_a_dimension_value_of_another_dimension_than_its_dim_id(merit, books):
    value = books["MAS"]["id"]
    payload = with_row(example(EXAMPLE_CREATE), Dimensions=[{"DimId": 7, "DimValueId": value}])

    assert refused(merit.post("api/v2/sendpurchinvoice", payload)) == [
        "InvoiceRow[0].Dimensions[0].DimId"
    ]


def test_two_values_of_one_dimension_in_a_row(merit, books, native):
    MasterData(native).dimension("cost_centre", "OTHER")
    payload = with_row(
        example(EXAMPLE_CREATE),
        Dimensions=[{"DimValueId": books["MAS"]["id"]}],
        CostCenterCode="OTHER",
    )

    assert refused(merit.post("api/v2/sendpurchinvoice", payload)) == [
        "InvoiceRow[0].Dimensions[0].DimValueId"
    ]


def test_rows_with_different_vat_dates(merit, books):
    payload = example(EXAMPLE_CREATE)
    second = dict(payload["InvoiceRow"][0], VatDate="20200401")
    payload["InvoiceRow"] = [dict(payload["InvoiceRow"][0], VatDate="20200501"), second]
    payload["TotalAmount"] = 20
    payload["TaxAmount"][0]["Amount"] = 0.4

    assert refused(merit.post("api/v2/sendpurchinvoice", payload)) == ["InvoiceRow[1].VatDate"]


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        (b"{not json", [""]),
        (b"[1, 2]", [""]),
        (b'{"BillNo": "1\\u0000"}', ["BillNo"]),
        (b'{"BillNo": "1", "billno": "2"}', ["BillNo"]),
    ],
)
def test_bodies_that_cannot_be_read(merit, books, raw, fields):
    assert refused(merit.post("api/v1/sendpurchinvoice", raw=raw)) == fields


def test_unknown_paths_and_methods_answer_in_merits_envelope(merit, client):
    missing = client.post(BASE + "api/v1/sendinvoice")
    assert missing.status_code == 404
    assert "api/v1/sendpurchinvoice" in missing.json()["Message"]

    wrong_method = merit.post("api/v1/sendpurchinvoice", method="GET")
    assert wrong_method.status_code == 405
    assert wrong_method["Allow"] == "POST"
    assert set(wrong_method.json()) == {"Message", "Errors"}
    assert "no-store" in wrong_method["Cache-Control"]


@pytest.mark.parametrize(("quantity", "price"), [(1, "1E+15"), ("1E+14", "1E+14")])
def test_a_row_net_too_large_to_store_is_located_at_its_price(merit, books, quantity, price):
    payload = with_row(example(EXAMPLE_CREATE), Quantity=quantity, Price=price)

    assert refused(merit.post("api/v1/sendpurchinvoice", payload)) == ["InvoiceRow[0].Price"]
