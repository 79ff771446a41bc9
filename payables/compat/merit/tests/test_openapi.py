"""The Merit API describes itself, as the native API does."""

from __future__ import annotations


def test_the_openapi_document_lists_the_merit_endpoints(client):
    response = client.get("/compat/merit/openapi.json")

    assert response.status_code == 200
    assert sorted(response.json()["paths"]) == [
        "/compat/merit/api/v1/gettaxes",
        "/compat/merit/api/v1/sendpurchinvoice",
        "/compat/merit/api/v2/getdimensions",
        "/compat/merit/api/v2/sendpurchinvoice",
        "/compat/merit/credentials",
    ]
    body = response.json()["paths"]["/compat/merit/api/v2/sendpurchinvoice"]["post"]
    schema = body["requestBody"]["content"]["application/json"]["schema"]
    assert {"Vendor", "InvoiceRow", "TaxAmount", "Dimensions", "Receiver"} <= set(
        schema["properties"]
    )
