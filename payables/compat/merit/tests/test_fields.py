"""Each field of Merit's sendpurchinvoice tables lands where the README says."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal

from payables.compat.merit.dimensions import dim_id
from payables.compat.merit.tests.conftest import (
    EXAMPLE_CREATE,
    EXAMPLE_PROPORTIONAL,
    EXAMPLE_TAX_ID,
    PROPORTIONAL_TAX_ID,
    example,
)
from payables.invoices.models import Invoice
from payables.invoices.services import read_attachment
from payables.invoices.tests.master_data import MasterData
from payables.masterdata.models import DimensionType, Supplier

PDF = b"%PDF-1.4\n% a tiny test file\n"


def send(merit, payload: dict, version: str = "v1") -> Invoice:
    response = merit.post(f"api/{version}/sendpurchinvoice", payload)
    assert response.status_code == 200, response.json()
    return Invoice.objects.get(pk=response.json()["BillId"])


def row(**fields) -> dict:
    base = {
        "Item": {"Code": "X", "Description": "Thing", "Type": 3},
        "Quantity": 1,
        "Price": 100,
        "TaxId": str(EXAMPLE_TAX_ID),
    }
    return base | fields


def test_header_fields(merit, books):
    invoice = send(
        merit,
        example(
            EXAMPLE_CREATE,
            DocDate="20260102",
            DueDate="20260116",
            TransactionDate="20260105",
            RefNo="13",
            BankAccount="EE382200221020145685",
            RoundingAmount=-0.2,
        ),
    )

    assert (invoice.invoice_date, invoice.due_date, invoice.entry_date) == (
        date(2026, 1, 2),
        date(2026, 1, 16),
        date(2026, 1, 5),
    )
    assert (invoice.payment_reference, invoice.bank_account) == ("13", "EE382200221020145685")
    assert (invoice.rounding_amount, invoice.gross_amount) == (Decimal("-0.20"), Decimal("10.00"))


def test_payment_is_recorded_by_method_name(merit, books):
    payload = example(
        EXAMPLE_CREATE,
        Payment={"PaymentMethod": "company CARD", "PaidAmount": 5, "PaymDate": "202005071230"},
    )

    invoice = send(merit, payload)

    payment = invoice.payments.get()
    assert (payment.amount, payment.payment_date, payment.description) == (
        Decimal("5.00"),
        date(2020, 5, 7),
        "Company card",
    )
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("5.20")


def test_payment_without_an_amount_pays_the_whole_invoice_on_its_date(merit, books):
    invoice = send(merit, example(EXAMPLE_CREATE, Payment={"PaymentMethod": "CARD"}))

    payment = invoice.payments.get()
    assert (payment.amount, payment.payment_date) == (Decimal("10.20"), date(2020, 5, 6))


def test_attachment_is_kept_byte_exact(merit, books):
    file = {"FileName": "arve.pdf", "FileContent": base64.b64encode(PDF).decode()}

    invoice = send(merit, example(EXAMPLE_CREATE, Attachment=file))

    attachment = invoice.attachments.get()
    assert (attachment.filename, attachment.content_type) == ("arve.pdf", "application/pdf")
    assert read_attachment(attachment) == PDF


def test_what_payables_has_no_field_for_is_kept_in_metadata(merit, books):
    invoice = send(
        merit, example(EXAMPLE_CREATE, ExpenseClaim=True, Hcomment="Before", PolDocType=0)
    )

    assert invoice.metadata["merit"] == {
        "version": "v1",
        "ExpenseClaim": True,
        "Hcomment": "Before",
        "Fcomment": "Ülemuse autol veel vahetamata",
    }


def test_vendor_by_id_is_used_whatever_the_other_fields_say(merit, books, supplier):
    payload = example(EXAMPLE_CREATE)
    payload["Vendor"] |= {"Id": str(supplier.id), "Name": "Someone else"}

    invoice = send(merit, payload)

    assert invoice.supplier_id == supplier.id
    assert Supplier.objects.count() == 1


def test_vendor_with_an_unknown_id_is_added_from_its_fields(merit, books):
    payload = example(EXAMPLE_CREATE)
    payload["Vendor"]["Id"] = "0b6c8d3e-0000-4000-8000-000000000001"

    invoice = send(merit, payload)

    assert invoice.supplier.name == "Mingi Firma AS"
    assert str(invoice.supplier_id) != payload["Vendor"]["Id"]


def test_row_fields(merit, books):
    payload = example(
        EXAMPLE_CREATE,
        InvoiceRow=[
            row(
                Item={"Code": "ENVOICE_SERVICE", "Description": "Tyres", "UOMName": "pcs"},
                Quantity="2.5",
                Price="4.1234567",
                GLAccountCode="4000",
            )
        ],
        TaxAmount=[{"TaxId": str(EXAMPLE_TAX_ID), "Amount": "0.21"}],
        TotalAmount="10.31",
    )

    invoice = send(merit, payload)

    stored = invoice.rows.get()
    assert (stored.product_code, stored.description, stored.unit) == (
        "ENVOICE_SERVICE",
        "Tyres",
        "pcs",
    )
    assert (stored.quantity, stored.unit_price, stored.net_amount) == (
        Decimal("2.5"),
        Decimal("4.1234567"),
        Decimal("10.31"),
    )
    assert (stored.vat_code, stored.vat_rate, stored.account_code) == ("2", Decimal(2), "4000")


def test_header_cost_objects_apply_to_every_row_and_a_rows_own_win(merit, books, native):
    MasterData(native).dimension("project", "P2")
    payload = example(
        EXAMPLE_CREATE,
        DepartmentCode="ADM",
        ProjectCode="P1",
        InvoiceRow=[row(CostCenterCode="MAS"), row(ProjectCode="P2", DepartmentCode="")],
        TaxAmount=[{"TaxId": str(EXAMPLE_TAX_ID), "Amount": 4}],
        TotalAmount=200,
    )

    invoice = send(merit, payload)

    assert [r.dimensions for r in invoice.rows.all()] == [
        {"department": "ADM", "project": "P1", "cost_centre": "MAS"},
        {"department": "ADM", "project": "P2"},
    ]


def test_v2_dimensions_by_value_id_or_by_dim_id_and_code(merit, books):
    department = dim_id(DimensionType.objects.get(code="department"))
    cost_centre = dim_id(DimensionType.objects.get(code="cost_centre"))
    mas = {"DimId": cost_centre, "DimValueId": books["MAS"]["id"], "DimCode": "MAS"}
    payload = example(
        EXAMPLE_CREATE,
        Dimensions=[{"DimValueId": books["P1"]["id"]}],
        InvoiceRow=[row(Dimensions=[{"DimId": department, "DimCode": "ADM"}, mas])],
        TaxAmount=[{"TaxId": str(EXAMPLE_TAX_ID), "Amount": 2}],
        TotalAmount=100,
    )

    invoice = send(merit, payload, "v2")

    assert invoice.rows.get().dimensions == {
        "project": "P1",
        "department": "ADM",
        "cost_centre": "MAS",
    }


def test_v2_vat_date_and_purchase_account(merit, books):
    payload = example(
        EXAMPLE_CREATE,
        InvoiceRow=[row(VatDate="20200430", PurchaseAccCode="4000")],
        TaxAmount=[{"TaxId": str(EXAMPLE_TAX_ID), "Amount": 2}],
        TotalAmount=100,
    )

    invoice = send(merit, payload, "v2")

    assert invoice.vat_date == date(2020, 4, 30)
    assert invoice.rows.get().account_code == "4000"


def test_v2_receiver_is_found_or_added_and_named_in_metadata(merit, books, supplier):
    payload = example(EXAMPLE_CREATE, Receiver={"Name": "Jaan Tamm", "CountryCode": "EE"})

    invoice = send(merit, payload, "v2")

    receiver = Supplier.objects.get(name="Jaan Tamm")
    assert invoice.metadata["merit"]["ReceiverId"] == str(receiver.id)
    assert invoice.supplier.name == "Mingi Firma AS"

    again = send(
        merit, example(EXAMPLE_CREATE, BillNo="2", Receiver={"Id": str(supplier.id)}), "v2"
    )
    assert again.metadata["merit"]["ReceiverId"] == str(supplier.id)


def test_currency_rate_is_read_as_merit_quotes_it(merit, books):
    """CurrencyRate 1.25: 1.25 USD for one EUR, so 0.8 EUR per USD."""
    invoice = send(merit, example(EXAMPLE_CREATE, CurrencyCode="usd", CurrencyRate="1.25"))

    assert (invoice.currency, invoice.currency_rate) == ("USD", Decimal("0.8"))
    assert invoice.home_gross_amount == Decimal("8.16")


def test_keys_are_matched_in_any_case(merit, books):
    payload = example(EXAMPLE_CREATE)
    del payload["Hcomment"]
    payload["HComment"] = payload.pop("Fcomment")
    payload["invoicerow"] = payload.pop("InvoiceRow")
    payload["invoicerow"][0]["taxid"] = payload["invoicerow"][0].pop("TaxId")

    invoice = send(merit, payload)

    assert invoice.metadata["merit"]["Hcomment"] == "Ülemuse autol veel vahetamata"


def test_negative_amounts_make_a_credit_note(merit, books):
    payload = example(
        EXAMPLE_CREATE,
        InvoiceRow=[row(Quantity=-1, Price=10)],
        TaxAmount=[{"TaxId": str(EXAMPLE_TAX_ID), "Amount": -0.2}],
        TotalAmount=-10,
    )

    invoice = send(merit, payload)

    assert (invoice.type, invoice.gross_amount) == ("credit_note", Decimal("-10.20"))


def test_a_tax_that_charges_nothing_may_be_left_out_of_tax_amount(merit, books):
    payload = example(
        EXAMPLE_CREATE,
        InvoiceRow=[row(), row(Price=50, TaxId=books["zero"]["id"])],
        TaxAmount=[{"TaxId": str(EXAMPLE_TAX_ID), "Amount": 2}],
        TotalAmount=150,
    )

    invoice = send(merit, payload)

    assert [(v.vat_code, v.base_amount, v.vat_amount) for v in invoice.vat_lines.all()] == [
        ("2", Decimal("100.00"), Decimal("2.00")),
        ("0", Decimal("50.00"), Decimal("0.00")),
    ]


def test_proportional_and_ordinary_vat_together(merit, books, native):
    payload = example(
        EXAMPLE_PROPORTIONAL,
        InvoiceRow=[*EXAMPLE_PROPORTIONAL["InvoiceRow"], row(TaxId=books["vat22"]["id"])],
        TaxAmount=[
            {"TaxId": str(PROPORTIONAL_TAX_ID), "Amount": 0.68},
            {"TaxId": books["vat22"]["id"], "Amount": 22},
        ],
        TotalAmount=111.32,
    )

    invoice = send(merit, payload)

    assert (invoice.net_amount, invoice.vat_amount, invoice.gross_amount) == (
        Decimal("110.00"),
        Decimal("24.00"),
        Decimal("134.00"),
    )
    lines = native.get(f"/invoices/{invoice.id}/posting-lines").json()["posting_lines"]
    assert [(line["vat_code"], line["expense_amount"]) for line in lines] == [
        ("20P", "11.32"),
        ("22", "100.00"),
    ]


def test_reverse_charge_rows_charge_no_vat_and_are_self_assessed(merit, books, native):
    payload = example(
        EXAMPLE_CREATE,
        InvoiceRow=[row(TaxId=books["reverse"]["id"])],
        TaxAmount=[{"TaxId": books["reverse"]["id"], "Amount": 0}],
        TotalAmount=100,
    )

    invoice = send(merit, payload)

    assert (invoice.vat_amount, invoice.rows.get().vat_rate) == (Decimal("0.00"), Decimal(0))
    line = native.get(f"/invoices/{invoice.id}/posting-lines").json()["posting_lines"][0]
    assert line["reverse_charge_vat_amount"] == "22.00"
