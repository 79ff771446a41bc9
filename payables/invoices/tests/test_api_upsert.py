"""Batch upsert of external invoices by source identity."""

from __future__ import annotations

import base64
import json

import pytest

from payables.events.models import Event
from payables.invoices.models import Attachment, Invoice, NumberingPolicy

UPSERT = "/invoices/import/upsert"


@pytest.fixture
def external(invoice_payload):
    """Build an external invoice item; ``n`` varies the identity and number."""

    def build(n: int = 1, **overrides) -> dict:
        item = invoice_payload(
            source_system="operator-x",
            source_invoice_id=f"msg-{n}",
            invoice_number=f"EXT-{n}",
        )
        item.update(overrides)
        return {k: v for k, v in item.items() if v is not None}

    return build


def upsert(api, items, **envelope):
    response = api.post(UPSERT, {"invoices": items, **envelope})
    assert response.status_code == 200, response.json()
    return response.json()


def test_new_identities_are_imported(api, external):
    body = upsert(api, [external(1), external(2)])
    assert (body["imported_count"], body["updated_count"], body["skipped_count"]) == (2, 0, 0)
    assert body["conflict_count"] == 0 and body["errors"] == []
    assert [r["outcome"] for r in body["results"]] == ["imported", "imported"]
    assert [r["number"] for r in body["results"]] == ["EXT-1", "EXT-2"]
    invoice = Invoice.objects.get(pk=body["invoice_ids"][0])
    assert (invoice.source_system, invoice.source_invoice_id) == ("operator-x", "msg-1")
    assert Event.objects.filter(type="invoice.created").count() == 2


def test_keeps_external_reference_and_metadata(api, external):
    item = external(1, external_reference="TAX-77", metadata={"channel": "peppol", "n": [1, 2]})
    invoice_id = upsert(api, [item])["invoice_ids"][0]
    invoice = Invoice.objects.get(pk=invoice_id)
    assert (invoice.external_reference, invoice.metadata) == (
        "TAX-77",
        {"channel": "peppol", "n": [1, 2]},
    )


def test_fractional_json_numbers_in_metadata_are_kept_as_strings(api, external):
    """JSON numbers are read as Decimal (never float); stored JSON holds them as text."""
    item = external(1, metadata={"score": "SCORE"})
    body = json.dumps({"invoices": [item]}).replace('"SCORE"', "0.75")  # a JSON number
    response = api.post(UPSERT, raw=body)
    assert response.status_code == 200, response.content
    assert Invoice.objects.get().metadata == {"score": "0.75"}


def test_same_content_again_is_skipped_without_writes(api, external):
    upsert(api, [external(1)])
    events = Event.objects.count()
    modified = Invoice.objects.get().modified_at
    body = upsert(api, [external(1)])
    assert body["skipped_count"] == 1
    assert body["results"][0]["detail"] == "unchanged"
    assert body["invoice_ids"][0] == str(Invoice.objects.get().id)
    assert Event.objects.count() == events
    assert Invoice.objects.get().modified_at == modified


def test_amounts_written_differently_are_the_same_content(api, external):
    upsert(api, [external(1)])
    body = upsert(api, [external(1, net_amount="150.0", vat_amount=26.5, gross_amount="176.500")])
    assert body["results"][0]["outcome"] == "skipped"


def test_changed_content_without_version_updates(api, external):
    upsert(api, [external(1)])
    body = upsert(api, [external(1, payment_reference="999")])
    assert body["updated_count"] == 1
    invoice = Invoice.objects.get()
    assert invoice.payment_reference == "999"
    assert Event.objects.filter(type="invoice.updated", subject_id=invoice.id).count() == 1


def test_higher_version_updates_and_lower_is_stale(api, external):
    upsert(api, [external(1, source_document_version="2")])
    body = upsert(api, [external(1, source_document_version="10", buyer_reference="v10")])
    assert body["results"][0]["outcome"] == "updated"
    stale = upsert(api, [external(1, source_document_version="9", buyer_reference="v9")])
    assert (stale["results"][0]["outcome"], stale["results"][0]["detail"]) == (
        "skipped",
        "stale_version",
    )
    invoice = Invoice.objects.get()
    assert (invoice.source_document_version, invoice.buyer_reference) == ("10", "v10")


def test_versions_arriving_out_of_order_end_at_the_highest(api, external):
    for version in ("v3", "v1", "v10", "v2"):
        upsert(api, [external(1, source_document_version=version, buyer_reference=version)])
    assert Invoice.objects.get().buyer_reference == "v10"
    assert Invoice.objects.count() == 1


def test_same_version_with_other_content_is_a_conflict(api, external):
    upsert(api, [external(1, source_document_version="1")])
    body = upsert(api, [external(1, source_document_version="1", buyer_reference="changed")])
    assert body["results"][0]["outcome"] == "conflict"
    assert "higher source_document_version" in body["results"][0]["detail"]
    assert Invoice.objects.get().buyer_reference == ""


def test_update_of_a_non_editable_invoice_is_a_conflict_naming_the_state(api, external):
    invoice_id = upsert(api, [external(1)])["invoice_ids"][0]
    api.post(f"/invoices/{invoice_id}/cancel", {})
    body = upsert(api, [external(1, payment_reference="999")])
    assert body["conflict_count"] == 1
    assert body["conflict_ids"] == [invoice_id]
    assert body["results"][0]["detail"] == "invoice is cancelled; only new invoices can be updated"
    assert body["invoice_ids"] == [None]


def test_replaced_rows_come_with_an_update(api, external):
    upsert(api, [external(1)])
    rows = [{"description": "All in one", "net_amount": "150.00"}]
    upsert(api, [external(1, rows=rows, vat_breakdown=[], source_document_version="2")])
    assert list(Invoice.objects.get().rows.values_list("description", flat=True)) == ["All in one"]


def test_preserve_policy_falls_back_to_a_local_number(api, external, make_invoice):
    make_invoice(invoice_number="EXT-1")
    body = upsert(api, [external(1)], import_policy="preserve_if_unique_else_fallback")
    year = Invoice.objects.latest("internal_id").entry_date.year
    assert body["results"][0]["number"] == f"PI-{year}-000001"
    invoice = Invoice.objects.get(pk=body["invoice_ids"][0])
    assert invoice.external_number == "EXT-1"


def test_reject_policy_makes_a_used_number_a_conflict(api, external, make_invoice):
    holder = make_invoice(invoice_number="EXT-1")
    body = upsert(api, [external(1)], import_policy="always_preserve_and_reject_on_conflict")
    assert body["conflict_ids"] == [str(holder.id)]
    assert body["results"][0]["outcome"] == "conflict"
    assert not Invoice.objects.filter(source_invoice_id="msg-1").exists()


def test_reject_policy_needs_a_number(api, external):
    body = upsert(
        api,
        [external(1, invoice_number=None)],
        import_policy="always_preserve_and_reject_on_conflict",
    )
    assert body["errors"][0]["loc"] == ["invoice_number"]


def test_local_policy_always_numbers_locally(api, external):
    body = upsert(api, [external(1), external(2)], import_policy="always_local_numbering")
    year = Invoice.objects.latest("internal_id").entry_date.year
    assert [r["number"] for r in body["results"]] == [f"PI-{year}-000001", f"PI-{year}-000002"]
    assert sorted(Invoice.objects.values_list("external_number", flat=True)) == ["EXT-1", "EXT-2"]


def test_named_numbering_policy_is_used(api, external):
    policy = api.post(
        "/numbering-policies", {"name": "Imports", "pattern": "IMP{seq:04}", "next_value": 7}
    ).json()
    body = upsert(
        api, [external(1)], import_policy="always_local_numbering", numbering_policy_id=policy["id"]
    )
    assert body["results"][0]["number"] == "IMP0007"
    assert NumberingPolicy.objects.get(pk=policy["id"]).next_value == 8


def test_local_number_skips_one_the_supplier_already_used(api, external, make_invoice):
    api.post("/numbering-policies", {"name": "Short", "pattern": "N{seq}", "is_default": True})
    make_invoice(invoice_number="N1")
    body = upsert(api, [external(1)], import_policy="always_local_numbering")
    assert body["results"][0]["number"] == "N2"


def test_mixed_batch_lands_the_valid_items(api, external):
    bad_total = external(2, gross_amount="1.00")
    bad_shape = external(3, rows="nope")
    not_an_object = ["just", "a", "list"]
    duplicate = external(1, buyer_reference="second copy")
    items = [external(1), bad_total, bad_shape, not_an_object, duplicate, external(4)]
    body = upsert(api, items)
    assert [r["outcome"] for r in body["results"]] == [
        "imported", "error", "error", "error", "error", "imported",
    ]  # fmt: skip
    assert body["imported_count"] == 2
    by_index = {e["index"]: e for e in body["errors"]}
    assert by_index[1]["loc"] == ["gross_amount"] and by_index[1]["source_invoice_id"] == "msg-2"
    assert by_index[2]["loc"] == ["rows"]
    assert by_index[3]["source_invoice_id"] is None
    assert by_index[4]["type"] == "duplicate_in_batch"
    assert body["invoice_ids"][1:5] == [None, None, None, None]
    assert set(Invoice.objects.values_list("source_invoice_id", flat=True)) == {"msg-1", "msg-4"}
    assert Event.objects.filter(type="invoice.created").count() == 2


def test_each_kind_of_bad_field_is_located(api, external):
    items = [
        external(1, source_system=""),
        external(2, source_invoice_id="x" * 201),
        external(3, source_document_version="v" * 101),
        external(4, metadata="not an object"),
        external(5, invoice_date="2026-02-30"),
        external(6, supplier_id="00000000-0000-0000-0000-000000000000"),
        external(7, attachments=[{"content_base64": "%%%"}]),
        external(8, unknown_field=1),
    ]
    body = upsert(api, items)
    locs = [body["errors"][i]["loc"] for i in range(len(items))]
    assert locs == [
        ["source_system"], ["source_invoice_id"], ["source_document_version"], ["metadata"],
        ["invoice_date"], ["supplier_id"], ["attachments", 0, "content_base64"], ["unknown_field"],
    ]  # fmt: skip
    assert not Invoice.objects.exists()


def test_attachments_are_stored_once(api, external):
    pdf = base64.b64encode(b"%PDF-1.7 test").decode()
    item = external(1, attachments=[{"filename": "a.pdf", "content_base64": pdf},
                                    {"url": "https://docs.example.com/a"}])  # fmt: skip
    upsert(api, [item])
    upsert(api, [{**item, "source_document_version": "2", "buyer_reference": "x"}])
    assert Attachment.objects.count() == 2


def test_the_same_bytes_under_two_names_are_two_attachments_once(api, external):
    pdf = base64.b64encode(b"%PDF-1.7 test").decode()
    item = external(1, attachments=[{"filename": "a.pdf", "content_base64": pdf},
                                    {"filename": "b.pdf", "content_base64": pdf}])  # fmt: skip
    upsert(api, [item])
    upsert(api, [{**item, "source_document_version": "2", "buyer_reference": "x"}])
    assert sorted(Attachment.objects.values_list("filename", flat=True)) == ["a.pdf", "b.pdf"]


@pytest.mark.parametrize("count", [0, 201])
def test_envelope_out_of_bounds_is_422(api, external, count):
    response = api.post(UPSERT, {"invoices": [external(n) for n in range(count)]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "invoices"]
    assert not Invoice.objects.exists()


def test_unknown_import_policy_is_422(api, external):
    response = api.post(UPSERT, {"invoices": [external(1)], "import_policy": "yolo"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "import_policy"]


def test_unknown_numbering_policy_is_422(api, external):
    response = api.post(
        UPSERT,
        {"invoices": [external(1)], "numbering_policy_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "numbering_policy_id"]


def test_resending_a_full_batch_skips_all_and_writes_nothing(api, external):
    rows = [
        {"description": f"Row {r}", "quantity": "1", "unit_price": "30", "net_amount": "30.00",
         "vat_rate": "22", "vat_amount": "6.60"}
        for r in range(5)
    ]  # fmt: skip
    totals = {
        "net_amount": "150.00", "vat_amount": "33.00", "gross_amount": "183.00", "rows": rows,
        "vat_breakdown": [{"vat_rate": "22", "base_amount": "150.00", "vat_amount": "33.00"}],
    }  # fmt: skip
    batch = [external(n, **totals) for n in range(200)]
    first = upsert(api, batch)
    assert first["imported_count"] == 200
    events = Event.objects.count()
    again = upsert(api, batch)
    assert again["skipped_count"] == 200
    assert again["invoice_ids"] == first["invoice_ids"]
    assert Event.objects.count() == events
    assert Invoice.objects.count() == 200


def test_replayed_with_idempotency_key(api, external):
    headers = {"Idempotency-Key": "batch-1"}
    first = api.post(UPSERT, {"invoices": [external(1)]}, headers=headers)
    again = api.post(UPSERT, {"invoices": [external(1)]}, headers=headers)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"


def test_read_only_key_cannot_upsert(make_key, company, external):
    from payables.conftest import ApiClient

    reader = ApiClient(make_key(company, ["invoices:read"], integrator="Reader"))
    assert reader.post(UPSERT, {"invoices": [external(1)]}).status_code == 403
