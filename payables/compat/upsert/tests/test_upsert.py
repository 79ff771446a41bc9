"""The external upsert at its literal path: its fields and result over payables' batch upsert.

Shapes from shared/vendor-apis/external-invoice-upsert.txt (request and 200 examples).
"""

from __future__ import annotations

import copy

import pytest

from payables.compat.upsert.schemas import REQUEST_EXAMPLE
from payables.conftest import ApiClient
from payables.invoices.models import Invoice
from payables.tenancy.models import Company
from payables.tenancy.scopes import SCOPES

UPSERT = "/tenants/{tenant}/workspaces/{workspace}/invoices/import/upsert"
RESULT_FIELDS = {
    "imported_count",
    "updated_count",
    "skipped_count",
    "conflict_count",
    "errors",
    "invoice_ids",
    "conflict_ids",
}


def path(company: Company, workspace: Company | None = None) -> str:
    return UPSERT.format(tenant=company.id, workspace=(workspace or company).id)


@pytest.fixture
def item():
    """An item with every field of the description's table, as a purchase ledger takes it."""

    def build(n: int = 1, **overrides) -> dict:
        data = {
            "source_system": "erp-x",
            "source_invoice_id": f"src-{n}",
            "source_document_version": "1",
            "invoice_number": f"INV-{n}",
            "irn": f"IRN-{n}",
            "issue_date": "2026-02-11",
            "due_date": "2026-03-11",
            "document_currency_code": "EUR",
            "supplier_name": "Tallinna Kontoritarbed AS",
            "supplier_tin": "EE100931558",
            "customer_name": "Acme Ostud OÜ",
            "customer_tin": "10137319",
            "direction": "inbound",
            "invoice_type_code": "380",
            "line_extension_amount": 100,
            "tax_amount_total": 22,
            "payable_amount": 122,
            "note": "Paper for March",
            "metadata": {"channel": "peppol"},
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return build


def upsert(api: ApiClient, company: Company, items: list, **envelope) -> dict:
    answer = api.post(path(company), {"invoices": items, **envelope})
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_the_request_example_is_answered_in_the_description_s_shapes(api, company):
    answer = api.post(path(company), REQUEST_EXAMPLE)

    # Its numbering policy id is the description's placeholder: no such policy here.
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "numbering_policy_id"]

    example = copy.deepcopy(REQUEST_EXAMPLE)
    del example["numbering_policy_id"]
    body = upsert(api, company, example.pop("invoices"), **example)
    assert set(body) >= RESULT_FIELDS
    # The example names no supplier: that item is an error, located on its own field.
    assert body["imported_count"] == 0 and body["invoice_ids"] == []
    assert body["errors"] == [
        {
            "index": 0,
            "source_invoice_id": "string",
            "loc": ["supplier_name"],
            "msg": "Give supplier_id, or supplier_tin and supplier_name.",
            "type": "missing",
        }
    ]


def test_an_item_becomes_the_invoice_the_native_upsert_makes(api, company, item):
    body = upsert(api, company, [item()])
    assert (body["imported_count"], body["errors"]) == (1, [])
    [invoice_id] = body["invoice_ids"]
    native = {
        "source_system": "erp-x",
        "source_invoice_id": "src-native",
        "source_document_version": "1",
        "invoice_number": "INV-native",
        "external_reference": "IRN-1",
        "invoice_date": "2026-02-11",
        "due_date": "2026-03-11",
        "currency": "EUR",
        "supplier": {"name": "Tallinna Kontoritarbed AS", "vat_number": "EE100931558"}
        | {"country": "EE"},
        "net_amount": "100",
        "vat_amount": "22",
        "gross_amount": "122",
        "metadata": {
            "channel": "peppol",
            "external_upsert": {
                "note": "Paper for March",
                "customer_name": "Acme Ostud OÜ",
                "customer_tin": "10137319",
            },
        },
    }
    answer = api.post("/invoices/import/upsert", {"invoices": [native]})
    [native_id] = answer.json()["invoice_ids"]

    ours, theirs = (api.get(f"/invoices/{i}").json() for i in (invoice_id, native_id))
    differ = {"id", "internal_id", "invoice_number", "source_invoice_id", "created_at"}
    differ |= {"modified_at"}
    assert {k: v for k, v in ours.items() if k not in differ} == {
        k: v for k, v in theirs.items() if k not in differ
    }
    assert ours["supplier"]["id"] == theirs["supplier"]["id"]  # found again by its TIN


def test_source_identity_number_and_metadata_are_read_through_the_native_api(api, company, item):
    [invoice_id] = upsert(api, company, [item(7)])["invoice_ids"]

    invoice = api.get(f"/invoices/{invoice_id}").json()

    assert (invoice["source_system"], invoice["source_invoice_id"]) == ("erp-x", "src-7")
    assert invoice["source_document_version"] == "1"
    assert (invoice["invoice_number"], invoice["external_reference"]) == ("INV-7", "IRN-7")
    assert invoice["metadata"]["channel"] == "peppol"
    assert invoice["metadata"]["external_upsert"]["note"] == "Paper for March"
    assert (invoice["type"], invoice["gross_amount"]) == ("invoice", "122.00")


def test_a_used_number_is_kept_as_the_external_number(api, company, item):
    upsert(api, company, [item(1)])

    body = upsert(api, company, [item(2, invoice_number="INV-1")])

    invoice = api.get(f"/invoices/{body['invoice_ids'][0]}").json()
    assert invoice["external_number"] == "INV-1" and invoice["invoice_number"] != "INV-1"


def test_the_same_item_again_is_skipped_and_a_new_version_updates(api, company, item):
    first = upsert(api, company, [item()])

    again = upsert(api, company, [item()])
    newer = upsert(api, company, [item(source_document_version="2", note="Paper for April")])

    assert (again["skipped_count"], again["invoice_ids"]) == (1, first["invoice_ids"])
    assert (newer["updated_count"], newer["invoice_ids"]) == (1, first["invoice_ids"])
    invoice = Invoice.objects.get(pk=first["invoice_ids"][0])
    assert invoice.metadata["external_upsert"]["note"] == "Paper for April"


def test_a_changed_item_of_an_approved_invoice_is_a_conflict(api, company, item):
    [invoice_id] = upsert(api, company, [item()])["invoice_ids"]
    Invoice.objects.filter(pk=invoice_id).update(status=Invoice.Status.APPROVED)

    body = upsert(api, company, [item(source_document_version="2", payable_amount=123)])

    assert body["conflict_count"] == 1 and body["conflict_ids"] == [invoice_id]
    assert body["results"][0]["outcome"] == "conflict"


def test_a_credit_note_stated_positive_is_kept_negative(api, company, item):
    body = upsert(api, company, [item(invoice_type_code="381")])

    invoice = Invoice.objects.get(pk=body["invoice_ids"][0])
    assert invoice.type == Invoice.Type.CREDIT_NOTE
    assert (str(invoice.net_amount), str(invoice.gross_amount)) == ("-100.0000", "-122.0000")


def test_left_out_tax_is_what_the_totals_leave(api, company, item):
    body = upsert(api, company, [item(tax_amount_total=None)])

    invoice = Invoice.objects.get(pk=body["invoice_ids"][0])
    assert str(invoice.vat_amount) == "22.0000"


def test_an_outbound_item_is_an_error_and_the_others_land(api, company, item):
    body = upsert(api, company, [item(1, direction="outbound"), item(2)])

    assert body["imported_count"] == 1 and len(body["invoice_ids"]) == 1
    assert [(e["index"], e["loc"], e["type"]) for e in body["errors"]] == [
        (0, ["direction"], "direction_not_supported")
    ]
    assert [r["outcome"] for r in body["results"]] == ["error", "imported"]


def test_left_out_direction_is_inbound(api, company, item):
    body = upsert(api, company, [item(direction=None)])

    assert body["imported_count"] == 1


def test_item_errors_are_located_on_the_description_s_field_names(api, company, item):
    items = [
        item(1),
        item(2, issue_date=None, unknown_field=1),
        item(3, payable_amount=130),
        item(4, document_currency_code="XYZ"),
    ]

    body = upsert(api, company, items)

    located = sorted((e["index"], e["loc"][0], e["type"]) for e in body["errors"])
    assert located == [
        (1, "issue_date", "missing"),
        (1, "unknown_field", "extra_forbidden"),
        (2, "payable_amount", "totals_mismatch"),
        (3, "document_currency_code", "currency_rate_required"),
    ]
    assert body["imported_count"] == 1
    assert Invoice.objects.count() == 1


def test_another_customer_id_is_an_error(api, company, other_company, item):
    body = upsert(api, company, [item(1, customer_id=str(other_company.id))])
    mine = upsert(api, company, [item(2, customer_id=str(company.id))])

    assert [(e["loc"], e["type"]) for e in body["errors"]] == [
        (["customer_id"], "customer_mismatch")
    ]
    assert mine["imported_count"] == 1


def test_a_bad_envelope_is_a_located_422(api, company, item):
    empty = api.post(path(company), {"invoices": []})
    too_many = api.post(path(company), {"invoices": [item(n) for n in range(201)]})
    policy = api.post(path(company), {"invoices": [item()], "import_policy": "whatever"})

    for answer, loc in ((empty, "invoices"), (too_many, "invoices"), (policy, "import_policy")):
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"] == ["body", loc]
    assert Invoice.objects.count() == 0


def test_tenant_and_workspace_may_be_named_by_registry_code(api, company, item):
    answer = api.post(
        UPSERT.format(tenant="10137319", workspace="10137319"), {"invoices": [item()]}
    )

    assert answer.status_code == 200 and answer.json()["imported_count"] == 1


@pytest.mark.parametrize("which", ["tenant", "workspace", "tenant header", "workspace header"])
def test_a_tenant_or_workspace_the_key_does_not_serve_is_a_404(
    api, company, other_company, item, which
):
    tenant = other_company.id if which == "tenant" else company.id
    workspace = other_company.id if which == "workspace" else company.id
    headers = {}
    if which == "tenant header":
        headers["X-Tenant-ID"] = str(other_company.id)
    if which == "workspace header":
        headers["X-Workspace-ID"] = str(other_company.id)

    answer = api.post(
        UPSERT.format(tenant=tenant, workspace=workspace), {"invoices": [item()]}, headers=headers
    )

    assert answer.status_code == 404
    assert answer.json()["code"] == "workspace_not_found"
    assert Invoice.objects.count() == 0


def test_matching_tenant_and_workspace_headers_are_accepted(api, company, item):
    headers = {"X-Tenant-ID": str(company.id), "X-Workspace-ID": "10137319"}

    answer = api.post(path(company), {"invoices": [item()]}, headers=headers)

    assert answer.status_code == 200 and answer.json()["imported_count"] == 1


def test_an_office_key_imports_into_a_granted_workspace(company, other_company, item):
    from payables.tenancy.services import create_api_key, create_integrator, grant_companies

    key, raw = create_api_key(create_integrator(company, name="Office"), scopes=list(SCOPES))
    grant_companies(key, [other_company])

    body = upsert_for(ApiClient(raw), company, other_company, [item(supplier_tin="FI20774740")])

    invoice = Invoice.objects.get(pk=body["invoice_ids"][0])
    assert invoice.company == other_company


def upsert_for(api: ApiClient, tenant: Company, workspace: Company, items: list) -> dict:
    answer = api.post(path(tenant, workspace), {"invoices": items})
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_another_company_s_key_finds_no_workspace(other_api, company, item):
    answer = other_api.post(path(company), {"invoices": [item()]})

    assert answer.status_code == 404


def test_auth_is_the_api_key_with_the_invoices_write_scope(company, make_key, item):
    missing = ApiClient(None).post(path(company), {"invoices": [item()]})
    wrong = ApiClient("nope").post(path(company), {"invoices": [item()]})
    read_only = ApiClient(make_key(company, ["invoices:read"])).post(
        path(company), {"invoices": [item()]}
    )

    assert (missing.status_code, wrong.status_code, read_only.status_code) == (401, 401, 403)
    assert Invoice.objects.count() == 0


def test_the_operation_is_in_the_openapi_document(db):
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"][
        "/api/v1/tenants/{tenant_id}/workspaces/{workspace_id}/invoices/import/upsert"
    ]["post"]
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert {"X-Tenant-ID", "X-Workspace-ID"} <= headers
