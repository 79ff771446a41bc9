"""Coding on the import paths: the JSON upsert refuses per item, e-invoices drop and warn."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from payables.invoices.models import Invoice, InvoiceRow
from payables.invoices.schemas import ExternalInvoiceIn
from payables.invoices.services.upsert_decisions import hash_content
from payables.invoices.tests.master_data import coded

EE_JOURNAL = (
    Path(__file__).resolve().parents[2]
    / "einvoice/tests/samples/ee-1.2-with-attachment-and-journal-entries.xml"
)
# Rows of EE_JOURNAL: 1 "DEV-H" booked to 5210 and cost objective IT-OSAKOND; 2 "HOST-M"
# booked to 5230 and (last journal entry) cost objective KONTOR; 3 "SSL-Y" not booked.


def upsert_item(payload: dict, n: int) -> dict:
    return payload | {"source_system": "erp", "source_invoice_id": f"msg-{n}"}


def import_document(api, path: Path = EE_JOURNAL) -> dict:
    response = api.post("/invoices/import", raw=path.read_bytes(), content_type="application/xml")
    assert response.status_code == 200, response.json()
    [document] = response.json()["documents"]
    assert [i["outcome"] for i in document["invoices"]] == ["imported"], document
    return document


def stored_rows(document: dict) -> list[InvoiceRow]:
    invoice_id = document["invoices"][0]["invoice_id"]
    return list(InvoiceRow.objects.filter(invoice_id=invoice_id).order_by("position"))


# --- the JSON batch upsert -----------------------------------------------------------------


def test_upsert_reports_unknown_codes_per_item_and_lands_the_others(
    api, invoice_payload, master_data
):
    master_data.account("4000")
    master_data.custom_field("po", "text")
    good = coded(invoice_payload(invoice_number="A"), {"account_code": "4000"})
    bad_account = coded(invoice_payload(invoice_number="B"), {}, {"account_code": "5210"})
    bad_field = invoice_payload(invoice_number="C", custom_fields={"colour": "red"})
    items = [upsert_item(p, n) for n, p in enumerate((good, bad_account, bad_field))]
    response = api.post("/invoices/import/upsert", {"invoices": items})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [r["outcome"] for r in body["results"]] == ["imported", "error", "error"]
    assert [(e["index"], e["loc"], e["type"]) for e in body["errors"]] == [
        (1, ["rows", 1, "account_code"], "unknown_code"),
        (2, ["custom_fields", "colour"], "unknown_custom_field"),
    ]
    assert list(Invoice.objects.values_list("invoice_number", flat=True)) == ["A"]


def test_upsert_update_with_an_expired_code_is_an_error_and_keeps_the_invoice(
    api, invoice_payload, master_data
):
    master_data.dimension("project", "P7", valid_to="2026-11-30")
    item = upsert_item(coded(invoice_payload(), {"dimensions": {"project": "P7"}}), 1)
    first = api.post("/invoices/import/upsert", {"invoices": [item]}).json()
    assert first["imported_count"] == 1, first
    moved = item | {"invoice_date": "2026-12-01", "due_date": "2026-12-15"}
    second = api.post("/invoices/import/upsert", {"invoices": [moved]}).json()
    assert [(e["loc"], e["type"]) for e in second["errors"]] == [
        (["rows", 0, "dimensions", "project"], "code_out_of_date")
    ]
    assert str(Invoice.objects.get().invoice_date) == "2026-11-02"


def test_upsert_recognises_products(api, invoice_payload, master_data, supplier):
    master_data.account("4000")
    master_data.item(
        "PAPER",
        default_account="4000",
        seller_mappings=[{"supplier_id": str(supplier.id), "seller_code": "A4-500"}],
    )
    item = upsert_item(coded(invoice_payload(), {"item_code": "A4-500"}), 1)
    assert api.post("/invoices/import/upsert", {"invoices": [item]}).json()["imported_count"] == 1
    row = InvoiceRow.objects.get(position=1)
    assert (row.item_code, row.product_code, row.account_code) == ("A4-500", "PAPER", "4000")


def test_content_hash_of_an_item_without_the_new_line_fields_is_unchanged():
    """Hashes stored before rows had vat_code/product_code still match: re-sends are skipped."""
    item = {
        "source_system": "erp", "source_invoice_id": "msg-1", "invoice_number": "INV-1",
        "supplier": {"name": "Paber OÜ", "country": "EE"}, "invoice_date": "2026-11-02",
        "currency": "EUR", "net_amount": "100.00", "vat_amount": "22.00",
        "gross_amount": "122.00",
        "rows": [{"description": "Paper", "item_code": "A4", "net_amount": "100.00",
                  "vat_rate": "22", "account_code": "4000", "dimensions": {"project": "P1"}}],
        "vat_breakdown": [{"vat_rate": "22", "vat_code": "VAT22", "base_amount": "100.00",
                           "vat_amount": "22.00"}],
        "custom_fields": {"po": "7"},
    }  # fmt: skip
    # Computed by the code before the fields were added.
    before = "017880202edae6b258a1f829e3708a93e299cf401a5c7cb0ef25e7d41257cc03"
    assert hash_content(ExternalInvoiceIn.model_validate(item)) == before


# --- e-invoices ----------------------------------------------------------------------------


def test_einvoice_coding_the_company_does_not_know_is_dropped_with_a_warning(api, master_data):
    master_data.account("5230")
    master_data.dimension("cost_objective", "TOOTMINE")
    document = import_document(api)
    assert document["warnings"] == [
        "Invoice KK-2025-0917: There is no account '5210'. Left out of rows[0].account_code.",
        "Invoice KK-2025-0917: There is no cost_objective value 'IT-OSAKOND'. "
        "Left out of rows[0].dimensions.cost_objective.",
    ]
    first, second, _ = stored_rows(document)
    assert first.account_code == ""
    assert "cost_objective" not in first.dimensions
    # A ledger code of a type the company does not keep is proposed coding, not a dimension
    # (issue #13: "not stored as dimensions of types the company does not keep").
    assert "partner_code" not in first.dimensions
    assert Invoice.objects.get().metadata["proposed_coding"][0]["partner_code"] == "KOODIK"
    assert (second.account_code, second.dimensions["cost_objective"]) == ("5230", "TOOTMINE")
    invoice = Invoice.objects.get()
    assert [d["loc"] for d in invoice.metadata["dropped_coding"]] == [
        ["rows", 0, "account_code"],
        ["rows", 0, "dimensions", "cost_objective"],
    ]


def test_einvoice_coding_is_kept_when_the_company_keeps_no_master_data(api):
    document = import_document(api)
    assert document["warnings"] == []
    first, second, _ = stored_rows(document)
    assert (first.account_code, first.dimensions["cost_objective"]) == ("5210", "IT-OSAKOND")
    assert second.account_code == "5230"


def test_einvoice_rows_are_recognised_and_coded_by_the_company(api, master_data):
    supplier = api.post("/suppliers", {"name": "Koodikoda OÜ", "country": "EE"}).json()
    master_data.account("4000")
    master_data.account("5230")
    mapping = [{"supplier_id": supplier["id"], "seller_code": "DEV-H"}]
    master_data.item("DEV", default_account="4000", seller_mappings=mapping)
    document = import_document(api)
    first, second, third = stored_rows(document)
    assert (first.item_code, first.product_code, first.account_code) == ("DEV-H", "DEV", "4000")
    assert (second.product_code, second.account_code) == ("", "5230")
    assert (third.product_code, third.account_code) == ("", "")
    assert document["warnings"] == [
        "Invoice KK-2025-0917: There is no account '5210'. Left out of rows[0].account_code."
    ]


def test_einvoice_missing_required_field_is_a_warning_not_a_refusal(api, master_data):
    master_data.custom_field("po", "text", is_required=True)
    document = import_document(api)
    assert document["warnings"] == [
        "Invoice KK-2025-0917: Custom field 'po' (po) is required. "
        "Left for an accountant to fill in."
    ]


def test_einvoice_vat_category_is_kept_apart_from_the_companys_vat_code(api, master_data):
    master_data.vat_code("VAT24", rate="24")
    document = import_document(api)
    assert document["warnings"] == []
    invoice_id = document["invoices"][0]["invoice_id"]
    [line] = api.get(f"/invoices/{invoice_id}").json()["vat_breakdown"]
    assert (line["vat_code"], line["vat_category"]) == ("", "S")
    assert b"<cbc:ID>S</cbc:ID>" in api.get(f"/invoices/{invoice_id}/ubl").content


# --- the data migration --------------------------------------------------------------------

BEFORE = ("invoices", "0004_row_vat_and_product_codes_vat_category")
AFTER = ("invoices", "0005_move_einvoice_vat_categories")


@pytest.mark.django_db(transaction=True)
def test_migration_moves_einvoice_vat_categories_out_of_the_vat_code():
    executor = MigrationExecutor(connection)
    others = _other_apps_as_of(executor.loader.graph, BEFORE)
    executor.migrate([*others, BEFORE])
    try:
        lines = _old_vat_lines(executor.loader.project_state(_applied(others, BEFORE)).apps)
        executor.loader.build_graph()
        others = _other_apps_as_of(executor.loader.graph, AFTER)
        executor.migrate([*others, AFTER])
        apps = executor.loader.project_state(_applied(others, AFTER)).apps
        VatLine = apps.get_model("invoices", "VatLine")
        moved = {
            origin: VatLine.objects.values_list("vat_code", "vat_category").get(pk=pk)
            for origin, pk in lines.items()
        }
        assert moved == {"e-invoice": ("", "AE"), "api": ("VAT22", "")}
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def _other_apps_as_of(graph: object, target: tuple[str, str]) -> list[tuple[str, str | None]]:
    """Every other app at its latest migration that needs no invoices migration past
    ``target`` (or at zero, when even its first one does)."""
    allowed = set(graph.forwards_plan(target))
    past = {node for node in graph.nodes if node[0] == "invoices" and node not in allowed}
    found = []
    for app in sorted({node[0] for node in graph.nodes} - {"invoices"}):
        fitting = [
            node
            for node in graph.nodes
            if node[0] == app and not past & set(graph.forwards_plan(node))
        ]
        latest = max(fitting, key=lambda node: len(graph.forwards_plan(node)), default=None)
        found.append(latest or (app, None))
    return found


def _applied(others: list, target: tuple[str, str]) -> list[tuple[str, str]]:
    return [node for node in others if node[1] is not None] + [target]


def _old_vat_lines(apps: object) -> dict[str, object]:
    """One e-invoice (category in vat_code, as imports stored it) and one API invoice."""
    company = apps.get_model("tenancy", "Company").objects.create(name="Old OÜ", country="EE")
    supplier = apps.get_model("masterdata", "Supplier").objects.create(
        company=company, name="Seller", country="EE"
    )
    Invoice = apps.get_model("invoices", "Invoice")
    VatLine = apps.get_model("invoices", "VatLine")
    lines = {}
    for n, (origin, vat_code) in enumerate((("e-invoice", "AE"), ("api", "VAT22")), start=1):
        invoice = Invoice.objects.create(
            company=company, supplier=supplier, internal_id=n, invoice_number=f"N-{n}",
            origin=origin, invoice_date="2026-11-02", entry_date="2026-11-02", currency="EUR",
            net_amount=100, vat_amount=0, gross_amount=100, home_net_amount=100,
            home_vat_amount=0, home_gross_amount=100,
        )  # fmt: skip
        line = VatLine.objects.create(
            invoice=invoice, position=1, vat_code=vat_code, base_amount=100, vat_amount=0
        )
        lines[origin] = line.pk
    return lines
