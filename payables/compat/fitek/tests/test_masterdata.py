"""Suppliers, Users, Product Items and Invoice Header Extension list values: bulk loads run
by the native bulk job, one-by-one imports by the native upserts; Fitek's names both ways."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from payables.compat.fitek.tests.conftest import FitekClient, errors_of
from payables.conftest import ApiClient
from payables.events.models import Event
from payables.masterdata.models import (
    BulkJob,
    CustomField,
    CustomFieldValue,
    ProductItem,
    Supplier,
)
from payables.tenancy.models import CompanyUser

SUPPLIER = {
    "ErpCode": "S-1",
    "Name": "Koodikoda OÜ",
    "Country": "EE",
    "RegistrationNumber": "16833831",
    "VatNumber": "EE108884694",
    "City": "Tartu",
    "BankAccounts": [{"Iban": "EE382200221020145685", "Bic": "HABAEE2X"}],
}
USER = {
    "Code": "E-7",
    "Name": "Mari Maasikas",
    "Email": "mari@example.com",
    "Roles": ["approver"],
    "CanBeLastApprover": True,
    "ApprovalLimitAmount": "5000.00",
}


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks: Any) -> Any:
    """Post a bulk import and run its job (the tests' task backend is immediate)."""

    def post(fitek: FitekClient, path: str, payload: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fitek.post(path, payload)

    return post


def job_status(fitek: FitekClient, job_id: str) -> dict:
    answer = fitek.post("/ImportJobStatus", {"JobId": job_id})
    assert answer.status_code == 200, answer.content
    return answer.json()["Result"]


# --- Suppliers ------------------------------------------------------------------------------


def test_suppliers_are_loaded_in_the_background_as_the_native_bulk_load_does(fitek, run_jobs):
    second = SUPPLIER | {
        "ErpCode": "S-2",
        "Name": "Kontor AS",
        "RegistrationNumber": "10137319",
        "VatNumber": "",
        "BankAccounts": [],
    }

    answer = run_jobs(fitek, "/SuppliersImport", [SUPPLIER, second])

    assert answer.status_code == 200, answer.content
    job = answer.json()["Result"]
    assert (job["Kind"], job["Mode"], job["State"], job["Total"]) == (
        "supplier",
        "upsert",
        "queued",
        2,
    )
    done = job_status(fitek, job["JobId"])
    assert (done["State"], done["Counts"]["Created"], done["Errors"]) == ("done", 2, [])
    supplier = Supplier.objects.get(erp_code="S-1")
    assert (supplier.registry_code, supplier.vat_number, supplier.city) == (
        "16833831",
        "EE108884694",
        "Tartu",
    )
    assert list(supplier.bank_accounts.values_list("iban", flat=True)) == ["EE382200221020145685"]


def test_a_refused_supplier_is_located_in_fitek_names_and_never_stops_the_others(fitek, run_jobs):
    bad = SUPPLIER | {"ErpCode": "S-2", "VatNumber": "EE1", "Country": "Estonia", "vat_number": "x"}

    answer = run_jobs(fitek, "/SuppliersImport", {"Records": [SUPPLIER, bad], "Mode": "upsert"})

    done = job_status(fitek, answer.json()["Result"]["JobId"])
    assert done["Counts"]["Created"] == 1
    assert sorted((e["Location"], e["RecordCode"]) for e in done["Errors"]) == [
        ("Payload.Records[1].Country", "S-2"),
        ("Payload.Records[1].vat_number", "S-2"),
    ]
    assert Supplier.objects.filter(erp_code="S-2").count() == 0


def test_a_bad_load_envelope_queues_nothing(fitek):
    answer = fitek.post("/SuppliersImport", {"Records": [], "Mode": "sometimes"})

    assert answer.status_code == 422
    assert sorted(errors_of(answer)) == [
        ("Payload.Mode", "literal_error"),
        ("Payload.Records", "too_short"),
    ]
    assert not BulkJob.objects.exists()


def test_another_companys_job_is_not_found(fitek, other_fitek, run_jobs):
    job_id = run_jobs(fitek, "/SuppliersImport", [SUPPLIER]).json()["Result"]["JobId"]

    answer = other_fitek.post("/ImportJobStatus", {"JobId": job_id})

    assert answer.status_code == 404
    assert errors_of(answer) == [("Payload.JobId", "job_not_found")]


# --- Users ----------------------------------------------------------------------------------


def test_users_are_loaded_in_bulk(fitek, run_jobs):
    answer = run_jobs(fitek, "/UsersImport/Bulk", [USER, USER | {"Code": "E-8", "Email": ""}])

    done = job_status(fitek, answer.json()["Result"]["JobId"])
    assert (done["Kind"], done["Counts"]["Created"]) == ("user", 2)
    assert set(CompanyUser.objects.values_list("code", flat=True)) == {"E-7", "E-8"}


def test_a_user_is_imported_at_once_as_the_native_upsert_does(fitek, api: ApiClient):
    answer = fitek.post("/UsersImport/OneByOne", USER)

    assert answer.status_code == 200, answer.content
    result = answer.json()["Result"]
    assert (result["Outcome"], result["Code"], result["ApprovalLimitAmount"]) == (
        "created",
        "E-7",
        "5000.00",
    )
    native = api.get("/users/E-7").json()
    assert {k: native[k] for k in ("name", "email", "roles", "can_be_last_approver")} == {
        "name": "Mari Maasikas",
        "email": "mari@example.com",
        "roles": ["approver"],
        "can_be_last_approver": True,
    }
    again = fitek.post("/UsersImport/OneByOne", USER)
    assert again.json()["Result"]["Outcome"] == "unchanged"


def test_a_bad_user_is_located_in_fitek_names(fitek):
    answer = fitek.post("/UsersImport/OneByOne", USER | {"Roles": ["boss"], "Email": "no-at"})

    assert answer.status_code == 422
    assert errors_of(answer) == [("Payload.Roles[0]", "literal_error")]
    answer = fitek.post("/UsersImport/OneByOne", USER | {"Email": "no-at"})
    assert errors_of(answer) == [("Payload.Email", "invalid_email")]
    assert not CompanyUser.objects.exists()


def test_coding_dimensions_keep_their_codes(fitek, api: ApiClient):
    assert (
        api.post("/dimension-types/department/values", {"code": "D10", "name": "Sales"}).status_code
        == 201
    )

    answer = fitek.post(
        "/UsersImport/OneByOne", USER | {"CodingDimensions": {"department": ["D10"]}}
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["Result"]["CodingDimensions"] == {"department": ["D10"]}


# --- Product items --------------------------------------------------------------------------


ITEM = {
    "Code": "PAPER-A4",
    "Description": "Office paper A4",
    "Unit": "box",
    "SellerMappings": [{"SupplierCode": "S-1", "SellerCode": "A4-500"}],
}


@pytest.fixture
def known_supplier(fitek, actor) -> Supplier:
    from payables.masterdata.services import upsert_supplier

    data = {"name": "Koodikoda OÜ", "country": "EE", "registry_code": "16833831"}
    return upsert_supplier(
        "S-1",
        data
        | {
            "vat_number": "",
            "street": "",
            "postal_code": "",
            "city": "",
            "default_currency": None,
            "is_active": True,
            "bank_accounts": [],
        },
        actor=actor,
    ).record


def test_a_product_item_is_imported_with_its_seller_code(fitek, known_supplier):
    answer = fitek.post("/ProductItemsImport/OneByOne", ITEM)

    assert answer.status_code == 200, answer.content
    result = answer.json()["Result"]
    assert result["SellerMappings"] == [
        {"SupplierId": str(known_supplier.id), "SupplierCode": "S-1", "SellerCode": "A4-500"}
    ]
    item = ProductItem.objects.get(code="PAPER-A4")
    assert list(item.seller_mappings.values_list("seller_code", flat=True)) == ["A4-500"]


def test_a_mapping_to_an_unknown_supplier_is_located(fitek):
    answer = fitek.post("/ProductItemsImport/OneByOne", ITEM)

    assert answer.status_code == 422
    assert errors_of(answer) == [("Payload.SellerMappings[0].SupplierCode", "unknown_supplier")]


def test_product_items_are_loaded_in_bulk(fitek, known_supplier, run_jobs):
    answer = run_jobs(
        fitek, "/ProductItemsImport/Bulk", [ITEM, ITEM | {"Code": "PEN", "SellerMappings": []}]
    )

    done = job_status(fitek, answer.json()["Result"]["JobId"])
    assert (done["Kind"], done["Counts"]["Created"], done["Errors"]) == ("item", 2, [])


# --- Invoice Header Extension list values ---------------------------------------------------


@pytest.fixture
def project_field(api: ApiClient) -> dict:
    field = {
        "code": "PROJECT",
        "name": "Project",
        "type": "list",
        "values": [{"code": "P-1", "description": "Harbour"}],
    }
    answer = api.post("/custom-fields", field)
    assert answer.status_code == 201
    return answer.json()


def values_of() -> dict[str, tuple]:
    return {
        v.code: (v.description, v.valid_from, v.valid_to) for v in CustomFieldValue.objects.all()
    }


def test_list_items_are_added_with_their_dates_and_the_others_kept(fitek, project_field):
    items = [
        {"Code": "P-2", "Description": "Bridge", "StartDate": "2027-01-01", "EndDate": "2027-12-31"}
    ]

    answer = fitek.post(
        "/InvoiceHeaderExtensionListValuesImport/Bulk",
        {"ParentFieldCode": "PROJECT", "Items": items},
    )

    assert answer.status_code == 200, answer.content
    assert values_of() == {
        "P-1": ("Harbour", None, None),
        "P-2": ("Bridge", date(2027, 1, 1), date(2027, 12, 31)),
    }
    shown = answer.json()["Result"]["Items"]
    assert shown[1] == {
        "Code": "P-2",
        "Description": "Bridge",
        "StartDate": "2027-01-01",
        "EndDate": "2027-12-31",
    }


def test_a_full_list_replaces_the_items(fitek, project_field):
    payload = {"ParentFieldCode": "PROJECT", "Mode": "full", "Items": [{"Code": "P-3"}]}

    answer = fitek.post("/InvoiceHeaderExtensionListValuesImport/Bulk", payload)

    assert answer.status_code == 200, answer.content
    assert values_of() == {"P-3": ("", None, None)}


def test_one_list_item_is_imported_by_itself(fitek, project_field):
    item = {
        "ParentFieldCode": "PROJECT",
        "Code": "P-1",
        "Description": "Harbour 2",
        "EndDate": "2026-12-31",
    }

    answer = fitek.post("/InvoiceHeaderExtensionListValuesImport/OneByOne", item)

    assert answer.status_code == 200, answer.content
    assert values_of() == {"P-1": ("Harbour 2", None, date(2026, 12, 31))}
    assert Event.objects.filter(type="custom_field.updated").count() == 1


def test_an_item_ending_before_it_starts_is_located_at_its_end_date(fitek, project_field):
    item = {
        "ParentFieldCode": "PROJECT",
        "Code": "P-9",
        "StartDate": "2027-02-01",
        "EndDate": "2027-01-01",
    }

    one = fitek.post("/InvoiceHeaderExtensionListValuesImport/OneByOne", item)
    bulk = fitek.post(
        "/InvoiceHeaderExtensionListValuesImport/Bulk",
        {
            "ParentFieldCode": "PROJECT",
            "Items": [{"Code": "P-8"}, {k: v for k, v in item.items() if k != "ParentFieldCode"}],
        },
    )

    assert errors_of(one) == [("Payload.EndDate", "invalid_period")]
    assert errors_of(bulk) == [("Payload.Items[1].EndDate", "invalid_period")]
    assert set(values_of()) == {"P-1"}


def test_an_unknown_parent_field_is_404_at_it(fitek):
    answer = fitek.post(
        "/InvoiceHeaderExtensionListValuesImport/OneByOne", {"ParentFieldCode": "NOPE", "Code": "X"}
    )

    assert answer.status_code == 404
    assert errors_of(answer) == [("Payload.ParentFieldCode", "custom_field_not_found")]


def test_a_field_that_is_not_a_list_takes_no_items(fitek, api: ApiClient):
    api.post("/custom-fields", {"code": "NOTE", "name": "Note", "type": "text"})

    one = fitek.post(
        "/InvoiceHeaderExtensionListValuesImport/OneByOne", {"ParentFieldCode": "NOTE", "Code": "X"}
    )
    bulk = fitek.post(
        "/InvoiceHeaderExtensionListValuesImport/Bulk",
        {"ParentFieldCode": "NOTE", "Items": [{"Code": "X"}]},
    )

    assert errors_of(one) == [("Payload.ParentFieldCode", "values_not_allowed")]
    assert errors_of(bulk) == [("Payload.Items", "values_not_allowed")]
    assert CustomField.objects.get(code="NOTE").values.count() == 0
