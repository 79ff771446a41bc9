"""POST purchases_api/add: Fennoa's form data becomes the invoice the native API would make."""

from __future__ import annotations

from decimal import Decimal

from payables.compat.fennoa.tests.conftest import ADD_FORM, data_of, errors_of
from payables.invoices.models import Invoice
from payables.masterdata.models import Supplier

# What differs between two invoices of the same document made by two requests (Fennoa's
# extras are kept in ``metadata.fennoa``: checked apart).
VOLATILE = {"id", "internal_id", "invoice_number", "created_at", "modified_at", "metadata"}


def test_the_descriptions_form_makes_the_invoice_the_native_api_makes(fennoa, api):
    made = data_of(fennoa.post("purchases_api/add", ADD_FORM))["PurchaseInvoice"]
    native = api.post(
        "/invoices",
        {
            "supplier": {
                "name": "Fennoa Oy",
                "country": "FI",
                "registry_code": "2593931-3",
                "vat_number": "FI25939313",
            },
            "invoice_number": "1002",
            "invoice_date": "2023-09-01",
            "due_date": "2023-09-15",
            "entry_date": "2023-09-02",
            "currency": "EUR",
            "net_amount": "100.00",
            "vat_amount": "24.00",
            "gross_amount": "124.00",
            "payment_reference": "13",
            "bank_account": "FI4250001510000023",
            "bic": "NDEAFIHH",
            "order_number": "PO-7",
            "buyer_reference": "Matti",
            "seller_reference": "Maija",
            "payment_terms": "14 days net",
        },
    )
    assert native.status_code == 201, native.content
    ours = api.get(f"/invoices/{made['id']}").json()
    theirs = native.json()
    assert {k: v for k, v in ours.items() if k not in VOLATILE} == {
        k: v for k, v in theirs.items() if k not in VOLATILE
    }
    assert ours["invoice_number"] == "1001"
    assert ours["metadata"] == {"fennoa": {"payable_account_code": "2780"}}


def test_a_new_supplier_is_created_and_its_id_answered(fennoa, company):
    made = data_of(fennoa.post("purchases_api/add", ADD_FORM))["PurchaseInvoice"]
    supplier = Supplier.objects.get(company=company, registry_code="2593931-3")
    assert made["purchase_supplier_id"] == supplier.internal_id
    assert (supplier.name, supplier.country, supplier.vat_number) == (
        "Fennoa Oy",
        "FI",
        "FI25939313",
    )


def test_purchase_supplier_id_names_the_supplier(fennoa, add_invoice):
    first = add_invoice()
    again = add_invoice(
        purchase_supplier_id=str(first["purchase_supplier_id"]),
        supplier_name=None,
        supplier_business_id=None,
        supplier_vat_number=None,
    )
    assert again["purchase_supplier_id"] == first["purchase_supplier_id"]


def test_an_unknown_purchase_supplier_id_is_refused_at_that_field(fennoa):
    response = fennoa.post("purchases_api/add", ADD_FORM | {"purchase_supplier_id": "999"})
    assert response.status_code == 400
    assert errors_of(response) == {"purchase_supplier_id": "unknown_supplier"}


def test_another_companys_supplier_id_is_not_found(fennoa, other_fennoa):
    theirs = data_of(other_fennoa.post("purchases_api/add", ADD_FORM))["PurchaseInvoice"]
    response = fennoa.post(
        "purchases_api/add",
        ADD_FORM | {"purchase_supplier_id": str(theirs["purchase_supplier_id"])},
    )
    # Both companies' first supplier is number 1: a company's own numbering.
    assert theirs["purchase_supplier_id"] == 1
    assert response.status_code == 400
    assert errors_of(response) == {"purchase_supplier_id": "unknown_supplier"}


def test_the_supplier_country_defaults_to_finland(fennoa, company):
    form = {k: v for k, v in ADD_FORM.items() if k != "supplier_country"}
    data_of(fennoa.post("purchases_api/add", form))
    assert Supplier.objects.get(company=company, registry_code="2593931-3").country == "FI"


def test_a_credit_invoice_is_stored_negative(fennoa, company):
    form = ADD_FORM | {"purchase_invoice_type_id": "2", "credited_invoice_no": "1000"}
    made = data_of(fennoa.post("purchases_api/add", form))["PurchaseInvoice"]
    invoice = Invoice.objects.get(company=company, internal_id=made["id"])
    assert invoice.type == "credit_note"
    assert (invoice.net_amount, invoice.vat_amount, invoice.gross_amount) == (
        Decimal("-100"),
        Decimal("-24"),
        Decimal("-124"),
    )
    assert invoice.metadata["fennoa"]["credited_invoice_no"] == "1000"


def test_what_payables_has_no_field_for_is_kept_in_metadata(fennoa, company):
    form = ADD_FORM | {
        "discount_date1": "2023-09-08",
        "discount_percent1": "2",
        "discount_sum1": "2.48",
    }
    made = data_of(fennoa.post("purchases_api/add", form))["PurchaseInvoice"]
    invoice = Invoice.objects.get(company=company, internal_id=made["id"])
    assert invoice.metadata["fennoa"] == {
        "discount_date1": "2023-09-08",
        "discount_percent1": "2",
        "discount_sum1": "2.48",
        "payable_account_code": "2780",
    }


def test_a_bank_message_stands_in_for_the_reference(fennoa, api):
    form = {k: v for k, v in ADD_FORM.items() if k != "bank_reference"}
    made = data_of(fennoa.post("purchases_api/add", form | {"bank_message": "Lasku 1001"}))
    record = data_of(fennoa.get(f"purchases_api/{made['PurchaseInvoice']['id']}"))
    assert (
        record["PurchaseInvoice"]["bank_message"],
        record["PurchaseInvoice"]["bank_reference"],
    ) == (
        "Lasku 1001",
        "",
    )


def test_the_documented_required_fields_are_located(fennoa):
    required = ("invoice_date", "due_date", "bank_account", "bank_bic", "total_gross")
    form = {k: v for k, v in ADD_FORM.items() if k not in required}
    response = fennoa.post("purchases_api/add", form)
    assert response.status_code == 400
    assert errors_of(response) == {name: "missing" for name in required}


def test_a_reference_or_a_message_and_the_net_are_required(fennoa):
    form = {
        k: v
        for k, v in ADD_FORM.items()
        if k not in {"bank_reference", "total_net", "supplier_name"}
    }
    response = fennoa.post("purchases_api/add", form)
    assert errors_of(response) == {
        "bank_reference": "missing",
        "total_net": "missing",
        "supplier_name": "missing",
    }


def test_empty_form_fields_are_fields_not_given(fennoa):
    response = fennoa.post("purchases_api/add", ADD_FORM | {"total_net": ""})
    assert errors_of(response) == {"total_net": "missing"}


def test_a_bad_amount_is_refused_at_its_field_and_nothing_is_stored(fennoa, company):
    response = fennoa.post("purchases_api/add", ADD_FORM | {"total_gross": "124,00"})
    assert response.status_code == 400
    assert errors_of(response) == {"total_gross": "decimal_parsing"}
    assert not Invoice.objects.filter(company=company).exists()


def test_a_service_refusal_names_fennoas_field(fennoa):
    response = fennoa.post("purchases_api/add", ADD_FORM | {"total_net": "100.001"})
    assert errors_of(response) == {"total_net": "amount_scale"}
    response = fennoa.post("purchases_api/add", ADD_FORM | {"supplier_vat_number": "FI123"})
    assert response.status_code == 400
    assert list(errors_of(response)) == ["supplier_vat_number"]


def test_a_number_the_supplier_used_is_refused_naming_the_invoice(fennoa):
    first = data_of(fennoa.post("purchases_api/add", ADD_FORM))["PurchaseInvoice"]
    response = fennoa.post("purchases_api/add", ADD_FORM)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["code"], error["existing_id"]) == ("duplicate_invoice_number", first["id"])


def test_an_unknown_field_is_refused_not_ignored(fennoa):
    response = fennoa.post("purchases_api/add", ADD_FORM | {"total_gros": "124.00"})
    assert errors_of(response) == {"total_gros": "extra_forbidden"}


def test_json_booleans_are_no_type_or_supplier_id(fennoa, add_invoice):
    add_invoice()  # supplier 1, which true would name
    sent = ADD_FORM | {"purchase_invoice_type_id": True, "purchase_supplier_id": True}
    response = fennoa.post_json("purchases_api/add", sent)
    assert response.status_code == 400
    assert errors_of(response) == {
        "purchase_invoice_type_id": "int_type",
        "purchase_supplier_id": "int_type",
    }
    assert Invoice.objects.count() == 1


def test_a_field_given_twice_is_refused(fennoa):
    body = "&".join(f"{k}={v}" for k, v in ADD_FORM.items()) + "&invoice_date=2023-09-02"
    response = fennoa.post_urlencoded("purchases_api/add", body)
    assert errors_of(response) == {"invoice_date": "repeated_parameter"}


def test_a_repeat_with_the_same_idempotency_key_gets_the_first_answer(fennoa, company):
    first = fennoa.post("purchases_api/add", ADD_FORM, **{"Idempotency-Key": "add-1"})
    again = fennoa.post("purchases_api/add", ADD_FORM, **{"Idempotency-Key": "add-1"})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Invoice.objects.filter(company=company).count() == 1


def test_adding_needs_the_invoices_write_scope(company, make_key):
    from payables.compat.fennoa.tests.conftest import FennoaClient

    reader = FennoaClient(make_key(company, ["invoices:read"], integrator="Reader"))
    response = reader.post("purchases_api/add", ADD_FORM)
    assert response.status_code == 401
    assert errors_of(response) == {None: "missing_scope"}
