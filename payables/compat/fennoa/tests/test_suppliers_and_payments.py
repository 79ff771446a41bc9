"""get/suppliers (pages, created/modified filters) and do/add_payment (JSON, default account)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from payables.compat.fennoa.tests.conftest import data_of, errors_of
from payables.invoices.models import Payment
from payables.masterdata.services import create_supplier, update_supplier


def names(response) -> list[str]:
    return [entry["PurchaseSupplier"]["name"] for entry in data_of(response)]


def test_suppliers_in_fennoas_shape(fennoa, supplier):
    (entry,) = data_of(fennoa.get("purchases_api/get/suppliers"))
    record = entry["PurchaseSupplier"]
    assert record["id"] == supplier.internal_id == 1
    assert {
        k: record[k] for k in ("name", "business_id", "vat_number", "bank_account", "bank_bic")
    } == {
        "name": "Tallinna Kontoritarbed AS",
        "business_id": "10137319",
        "vat_number": "EE100931558",
        "bank_account": "EE382200221020145685",
        "bank_bic": "HABAEE2X",
    }
    assert (record["bank_account_2"], record["country_code"]) == ("", "EE")
    assert len(record["created"]) == len("2019-12-30")


def test_suppliers_come_a_hundred_a_page_by_id(fennoa, actor):
    for number in range(101):
        create_supplier({"name": f"Supplier {100 - number:03}", "country": "FI"}, actor=actor)
    first = data_of(fennoa.get("purchases_api/get/suppliers"))
    second = data_of(fennoa.get("purchases_api/get/suppliers", {"page": "2"}))
    assert [e["PurchaseSupplier"]["id"] for e in first] == list(range(1, 101))
    assert [e["PurchaseSupplier"]["id"] for e in second] == [101]
    assert data_of(fennoa.get("purchases_api/get/suppliers", {"page": "3"})) == []


def test_created_and_modified_filters_filter(fennoa, actor):
    old = create_supplier({"name": "Old Oy", "country": "FI"}, actor=actor)
    cut = timezone.now()
    create_supplier({"name": "New Oy", "country": "FI"}, actor=actor)
    assert names(fennoa.get("purchases_api/get/suppliers", {"createdAfter": cut.isoformat()})) == [
        "New Oy"
    ]
    assert names(fennoa.get("purchases_api/get/suppliers", {"createdBefore": cut.isoformat()})) == [
        "Old Oy"
    ]
    later = timezone.now()
    update_supplier(old, {"city": "Turku"}, actor=actor)
    assert names(
        fennoa.get("purchases_api/get/suppliers", {"modifiedAfter": later.isoformat()})
    ) == ["Old Oy"]
    assert names(
        fennoa.get("purchases_api/get/suppliers", {"modifiedBefore": later.isoformat()})
    ) == ["New Oy"]


def test_a_date_alone_is_that_days_first_moment(fennoa, supplier):
    today = timezone.now().date()
    tomorrow = (today + timedelta(days=2)).isoformat()
    assert names(fennoa.get("purchases_api/get/suppliers", {"createdBefore": tomorrow})) == [
        supplier.name
    ]
    assert names(fennoa.get("purchases_api/get/suppliers", {"createdAfter": tomorrow})) == []


def test_the_descriptions_example_date_is_no_date(fennoa):
    """June has 30 days: the description's 2019-06-31 is refused, not read as July 1st."""
    response = fennoa.get("purchases_api/get/suppliers", {"createdAfter": "2019-06-31"})
    assert response.status_code == 400
    assert errors_of(response) == {"createdAfter": "datetime_parsing"}


def test_the_descriptions_spelling_of_the_path_is_served(fennoa, supplier):
    assert names(fennoa.get("purchaces_api/get/suppliers")) == [supplier.name]


def test_another_companys_suppliers_are_not_listed(other_fennoa, supplier):
    assert data_of(other_fennoa.get("purchases_api/get/suppliers")) == []


def test_suppliers_need_the_masterdata_read_scope(company, make_key):
    from payables.compat.fennoa.tests.conftest import FennoaClient

    client = FennoaClient(make_key(company, ["invoices:read"], integrator="Reader"))
    response = client.get("purchases_api/get/suppliers")
    assert response.status_code == 401
    assert errors_of(response) == {None: "missing_scope"}


def test_a_payment_as_json_with_the_default_account(fennoa, make_invoice, settings):
    invoice = make_invoice()  # 176.50
    data = data_of(
        fennoa.post_json(
            "purchases_api/do/add_payment",
            {
                "purchase_invoice_id": invoice.internal_id,
                "sum": 100.00,
                "payment_date": "2023-04-26",
            },
        )
    )
    assert data["total_due"] == "76.50"
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.amount, payment.account_code) == (
        Decimal("100"),
        settings.PAYABLES_DEFAULT_PAYMENT_ACCOUNT,
    )


def test_the_descriptions_payment_example(fennoa, make_invoice, api):
    from payables.invoices.tests.master_data import MasterData

    MasterData(api).account("1234")
    invoice = make_invoice()
    data_of(
        fennoa.post_json(
            "purchases_api/do/add_payment",
            {
                "purchase_invoice_id": invoice.internal_id,
                "sum": "100.00",
                "payment_date": "2023-04-26",
                "description": "Cash payment",
                "account_code": 1234,
            },
        )
    )
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.description, payment.account_code) == ("Cash payment", "1234")


def test_overpaying_is_refused_at_sum(fennoa, make_invoice):
    invoice = make_invoice()
    response = fennoa.post_json(
        "purchases_api/do/add_payment",
        {"purchase_invoice_id": invoice.internal_id, "sum": "500.00", "payment_date": "2023-04-26"},
    )
    assert response.status_code == 400
    assert errors_of(response) == {"sum": "overpayment"}
    assert not Payment.objects.exists()


def test_a_payment_needs_its_fields(fennoa):
    response = fennoa.post_json("purchases_api/do/add_payment", {"sum": "1"})
    assert errors_of(response) == {"purchase_invoice_id": "missing", "payment_date": "missing"}


def test_a_payment_of_another_companys_invoice_is_refused(other_fennoa, make_invoice):
    invoice = make_invoice()
    response = other_fennoa.post_json(
        "purchases_api/do/add_payment",
        {"purchase_invoice_id": invoice.internal_id, "sum": "1.00", "payment_date": "2023-04-26"},
    )
    assert response.status_code == 400
    assert errors_of(response) == {None: "invoice_not_found"}
    assert not Payment.objects.exists()


def test_a_payment_as_form_data_works_too(fennoa, make_invoice):
    invoice = make_invoice()
    form = {
        "purchase_invoice_id": str(invoice.internal_id),
        "sum": "10",
        "payment_date": "2023-04-26",
    }
    data_of(fennoa.post("purchases_api/do/add_payment", form))
    assert Payment.objects.get(invoice=invoice).amount == Decimal("10")


def test_a_json_body_that_is_not_json_is_refused(fennoa):
    response = fennoa.client.generic(
        "POST",
        "/compat/fennoa/purchases_api/do/add_payment",
        "{",
        content_type="application/json",
        headers=fennoa.headers,
    )
    assert response.status_code == 400
    assert errors_of(response) == {None: "json_invalid"}


def test_a_json_true_is_no_invoice_id(fennoa, make_invoice):
    """pydantic would read true as 1: the payment would land on invoice 1."""
    invoice = make_invoice()
    assert invoice.internal_id == 1
    response = fennoa.post_json(
        "purchases_api/do/add_payment",
        {"purchase_invoice_id": True, "sum": "5.00", "payment_date": "2023-09-10"},
    )
    assert response.status_code == 400
    assert errors_of(response) == {"purchase_invoice_id": "int_type"}
    assert not Payment.objects.exists()
