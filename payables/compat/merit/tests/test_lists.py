"""gettaxes and getdimensions list what TaxId and DimValueId name, in Merit's shape."""

from __future__ import annotations

from payables.compat.merit.dimensions import dim_id
from payables.compat.merit.tests.conftest import EXAMPLE_TAX_ID
from payables.invoices.tests.master_data import MasterData
from payables.masterdata.models import DimensionType


def test_gettaxes_lists_the_active_vat_codes(merit, books, native):
    MasterData(native).vat_code("OLD", rate="18", is_active=False)

    response = merit.post("api/v1/gettaxes", {})

    assert response.status_code == 200
    taxes = {tax["Code"]: tax for tax in response.json()}
    assert sorted(taxes) == ["0", "2", "20P", "22", "RC"]
    assert taxes["2"] == {
        "Id": str(EXAMPLE_TAX_ID),
        "Code": "2",
        "Name": "2",
        "TaxPct": 2.0,
        "TaxType": 1,
    }
    assert taxes["22"]["Name"] == "Standard rate"
    assert (taxes["20P"]["TaxType"], taxes["RC"]["TaxType"]) == (15, 6)
    assert '"TaxPct": 20.0' in response.content.decode()  # a number, as Merit writes it


def test_gettaxes_answers_get_too(merit, books):
    response = merit.post("api/v1/gettaxes", method="GET", raw=b"")

    assert response.status_code == 200
    assert len(response.json()) == 5


def test_getdimensions_lists_the_values_of_active_dimensions(merit, books, native):
    data = MasterData(native)
    data.dimension("project", "P0", valid_to="2026-06-30")
    data.dimension("project", "GONE", is_active=False)
    data.dimension("region", "NORTH")
    native.put("/dimension-types/by-code/region", {"name": "region", "is_active": False})

    response = merit.post("api/v2/getdimensions", {})

    assert response.status_code == 200
    project = DimensionType.objects.get(code="project")
    assert [(d["DimName"], d["Code"]) for d in response.json()] == [
        ("Cost centre", "MAS"),
        ("Department", "ADM"),
        ("Project", "P0"),
        ("Project", "P1"),
    ]
    assert response.json()[2] == {
        "DimId": dim_id(project),
        "DimName": "Project",
        "Id": data.api.get("/dimension-types/project/values/P0").json()["id"],
        "Code": "P0",
        "Name": "project P0",
        "EndDate": "2026-06-30T00:00:00",
    }


def test_a_listed_dimension_is_accepted_as_listed(merit, books):
    """What getdimensions answers, sent back in a v2 Dimensions array, codes the rows."""
    listed = merit.post("api/v2/getdimensions").json()
    payload = {
        "Vendor": {"Name": "Paber OÜ", "CountryCode": "EE"},
        "DocDate": "20260102",
        "BillNo": "P-1",
        "Dimensions": [
            {"DimId": d["DimId"], "DimValueId": d["Id"], "DimCode": d["Code"]} for d in listed
        ],
        "InvoiceRow": [{"Item": {"Code": "X"}, "Price": 10, "TaxId": str(EXAMPLE_TAX_ID)}],
        "TaxAmount": [{"TaxId": str(EXAMPLE_TAX_ID), "Amount": 0.2}],
    }

    response = merit.post("api/v2/sendpurchinvoice", payload)

    assert response.status_code == 200, response.json()
    answer = merit.post("api/v2/getdimensions")  # and the ids stayed what they were
    assert answer.json() == listed
