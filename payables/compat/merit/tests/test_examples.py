"""Merit's own sendpurchinvoice examples, sent as published, make the invoice the native
API makes of the same document."""

from __future__ import annotations

from decimal import Decimal

from payables.compat.merit.tests.conftest import (
    EXAMPLE_CREATE,
    EXAMPLE_PROPORTIONAL,
    VALID_REG_NO,
    VALID_VAT_NO,
    example,
)
from payables.invoices.models import Invoice
from payables.masterdata.models import Supplier

# What differs between two invoices of the same document made by two requests; Merit's
# extras (ExpenseClaim, comments, the API version) are kept in ``metadata.merit``.
VOLATILE = {"id", "internal_id", "invoice_number", "created_at", "modified_at", "metadata"}


def comparable(answer: dict) -> dict:
    data = {k: v for k, v in answer.items() if k not in VOLATILE}
    data["supplier"] = {k: v for k, v in data["supplier"].items() if k != "id"}
    return data


def native_of(api, payload: dict, number: str, *, vat_code: str, vat: str, gross: str) -> dict:
    """The same document sent to POST /api/v1/invoices, as a native client writes it."""
    vendor = payload["Vendor"]
    response = api.post(
        "/invoices",
        {
            "supplier": {
                "name": vendor["Name"],
                "registry_code": vendor["RegNo"],
                "vat_number": vendor["VatRegNo"],
                "country": "EE",
                "street": vendor["Address"],
                "postal_code": vendor["PostalCode"],
                "city": vendor["City"],
            },
            "invoice_number": number,
            "invoice_date": "2020-05-06",
            "due_date": "2020-05-06",
            "entry_date": "2020-05-06",
            "currency": "EUR",
            "net_amount": "10.00",
            "vat_amount": vat,
            "gross_amount": gross,
            "rows": [
                {
                    "product_code": "ENVOICE_SERVICE",
                    "description": "Rehvivahetuse ettemaks",
                    "quantity": "1",
                    "unit_price": "10.0",
                    "net_amount": "10.00",
                    "vat_rate": (vat_code == "2" and "2") or "20",
                    "vat_code": vat_code,
                    "account_code": "1000",
                    "dimensions": {"cost_centre": "MAS"},
                }
            ],
            "vat_breakdown": [
                {
                    "vat_code": vat_code,
                    "vat_rate": (vat_code == "2" and "2") or "20",
                    "base_amount": "10.00",
                    "vat_amount": vat,
                }
            ],
        },
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_the_published_example_is_refused_for_its_vendor_identifiers(merit, books):
    """Its RegNo and VatRegNo fail their checksums; payables creates no such supplier."""
    response = merit.post("api/v1/sendpurchinvoice", EXAMPLE_CREATE)

    assert response.status_code == 400
    fields = [e["Field"] for e in response.json()["Errors"]]
    assert fields == ["Vendor.RegNo", "Vendor.VatRegNo"]
    assert "Vendor.RegNo: 123456789 is not a valid registry code" in response.json()["Message"]
    assert not Invoice.objects.exists()
    assert not Supplier.objects.exists()


def test_example_create_makes_the_invoice_the_native_api_makes(merit, books, native):
    response = merit.post("api/v1/sendpurchinvoice", example(EXAMPLE_CREATE))

    assert response.status_code == 200, response.json()
    answer = response.json()
    invoice = Invoice.objects.get(pk=answer["BillId"])
    assert answer == {
        "VendorId": str(invoice.supplier_id),
        "BillId": str(invoice.id),
        "BillNo": "987654324",
        "RefNo": None,
        "BatchInfo": f"#{invoice.internal_id}",
    }
    supplier = Supplier.objects.get()
    assert (supplier.name, supplier.registry_code, supplier.vat_number) == (
        "Mingi Firma AS",
        VALID_REG_NO,
        VALID_VAT_NO,
    )
    twin = native_of(
        native, example(EXAMPLE_CREATE), "N-1", vat_code="2", vat="0.20", gross="10.20"
    )
    merit_invoice = native.get(f"/invoices/{invoice.id}").json()
    assert comparable(merit_invoice) == comparable(twin)
    assert merit_invoice["invoice_number"] == "987654324"
    assert invoice.metadata == {
        "merit": {
            "version": "v1",
            "ExpenseClaim": False,
            "Fcomment": "Ülemuse autol veel vahetamata",
        }
    }


def test_example_with_proportional_vat_keeps_the_full_vat_and_books_the_share(merit, books, native):
    """TaxAmount 0.68 (deductible) and TotalAmount 11.32 (rows + 1.32 not deductible) are
    the supplier's 10.00 + 2.00 VAT, of which 1.32 is booked as cost."""
    response = merit.post("api/v1/sendpurchinvoice", example(EXAMPLE_PROPORTIONAL))

    assert response.status_code == 200, response.json()
    invoice = Invoice.objects.get(pk=response.json()["BillId"])
    assert (invoice.net_amount, invoice.vat_amount, invoice.gross_amount) == (
        Decimal("10.00"),
        Decimal("2.00"),
        Decimal("12.00"),
    )
    lines = native.get(f"/invoices/{invoice.id}/posting-lines").json()["posting_lines"]
    amounts = ("net_amount", "vat_amount", "deductible_vat_amount", "non_deductible_vat_amount")
    assert [
        [line[name] for name in (*amounts, "expense_amount", "vat_code")] for line in lines
    ] == [["10.00", "2.00", "0.68", "1.32", "11.32", "20P"]]
    twin = native_of(
        native, example(EXAMPLE_PROPORTIONAL), "N-2", vat_code="20P", vat="2.00", gross="12.00"
    )
    assert comparable(native.get(f"/invoices/{invoice.id}").json()) == comparable(twin)
    twin_lines = native.get(f"/invoices/{twin['id']}/posting-lines").json()["posting_lines"]
    assert lines == twin_lines


def test_proportional_vat_sent_in_full_is_the_same_invoice(merit, books):
    """A client that sends the full VAT and the rows' total means the same document."""
    payload = example(EXAMPLE_PROPORTIONAL, TotalAmount=10.00)
    payload["TaxAmount"][0]["Amount"] = 2.00

    response = merit.post("api/v1/sendpurchinvoice", payload)

    assert response.status_code == 200, response.json()
    invoice = Invoice.objects.get(pk=response.json()["BillId"])
    assert (invoice.net_amount, invoice.vat_amount) == (Decimal("10.00"), Decimal("2.00"))


def test_the_examples_work_on_v2_too(merit, books):
    for number, which in (("1", EXAMPLE_CREATE), ("2", EXAMPLE_PROPORTIONAL)):
        response = merit.post("api/v2/sendpurchinvoice", example(which, BillNo=f"V2-{number}"))
        assert response.status_code == 200, response.json()
    assert Invoice.objects.count() == 2
    assert Supplier.objects.count() == 1  # found again by its registry code
