"""Another company's records are not found through Merit's GUIDs, and its keys sign for it
alone."""

from __future__ import annotations

from payables.compat.merit.tests.conftest import EXAMPLE_CREATE, example
from payables.invoices.models import Invoice
from payables.invoices.tests.master_data import MasterData
from payables.masterdata.models import Supplier


def test_another_companys_tax_id_is_not_found(merit, other_company, other_api, books):
    theirs = MasterData(other_api).vat_code("9", rate="9")
    payload = example(EXAMPLE_CREATE)
    payload["InvoiceRow"][0]["TaxId"] = payload["TaxAmount"][0]["TaxId"] = theirs["id"]

    response = merit.post("api/v1/sendpurchinvoice", payload)

    assert response.status_code == 400
    assert [e["Field"] for e in response.json()["Errors"]] == [
        "InvoiceRow[0].TaxId",
        "TaxAmount[0].TaxId",
    ]


def test_another_companys_dimension_value_is_not_found(merit, other_api, books):
    theirs = MasterData(other_api).dimension("cost_centre", "MAS")
    payload = example(EXAMPLE_CREATE)
    payload["InvoiceRow"][0]["Dimensions"] = [{"DimValueId": theirs["id"]}]

    response = merit.post("api/v2/sendpurchinvoice", payload)

    assert response.status_code == 400
    assert response.json()["Errors"][0]["Field"] == "InvoiceRow[0].Dimensions[0].DimValueId"


def test_another_companys_vendor_id_makes_a_vendor_of_ones_own(
    merit, company, other_company, other_api, books
):
    theirs = other_api.post(
        "/suppliers", {"name": "Their vendor", "country": "FI", "registry_code": "2077474-0"}
    ).json()
    payload = example(EXAMPLE_CREATE)
    payload["Vendor"]["Id"] = theirs["id"]

    response = merit.post("api/v1/sendpurchinvoice", payload)

    assert response.status_code == 200
    assert response.json()["VendorId"] != theirs["id"]
    assert Supplier.objects.get(pk=theirs["id"]).company == other_company
    assert Invoice.objects.get().company == company


def test_a_key_signs_for_its_own_company_only(merit, other_company, make_merit, books):
    theirs = make_merit(other_company)

    taxes = theirs.post("api/v1/gettaxes").json()
    dimensions = theirs.post("api/v2/getdimensions").json()

    assert taxes == dimensions == []
    response = theirs.post("api/v1/sendpurchinvoice", example(EXAMPLE_CREATE))
    assert response.status_code == 400  # the first company's VAT codes are not theirs
    assert {e["Field"] for e in response.json()["Errors"]} == {
        "InvoiceRow[0].TaxId",
        "TaxAmount[0].TaxId",
    }
    assert not Invoice.objects.exists()
