"""Sync error reports `{documentid, companycode, message}`: the invoice is flagged for the
accountant (shared/vendor-apis/digitization-service-integration.txt, "Report
synchronization errors"; the body is the description's curl --data, literally)."""

from __future__ import annotations

from payables.compat.digitization.tests.conftest import VendorClient
from payables.documents.models import Document
from payables.handoff.models import SyncError
from payables.invoices.models import Invoice

MESSAGE = "Country 'Japan' does not exist in the list."


def report(vendor: VendorClient, documentid: str, companycode: str | None = "10137319"):
    body = {"documentid": documentid, "companycode": companycode, "message": MESSAGE}
    return vendor.post("/errors", {k: v for k, v in body.items() if v is not None})


def test_a_report_flags_the_exported_invoice(vendor, exported_invoice):
    answer = report(vendor, str(exported_invoice.pk))

    assert answer.status_code == 201, answer.content
    assert answer.json()["exportid"] == f"{exported_invoice.pk}/1"
    exported_invoice.refresh_from_db()
    assert (exported_invoice.sync_failed, exported_invoice.sync_error_message) == (True, MESSAGE)
    assert SyncError.objects.get().message == MESSAGE


def test_the_report_is_listed_by_the_native_api(vendor, api, exported_invoice):
    report(vendor, str(exported_invoice.pk))

    [item] = api.get("/sync-errors").json()["items"]

    assert (item["invoice_id"], item["message"]) == (str(exported_invoice.pk), MESSAGE)


def test_the_export_id_names_one_export(vendor, exported_invoice):
    answer = report(vendor, f"{exported_invoice.pk}/1", companycode=None)

    assert answer.status_code == 201
    assert SyncError.objects.get().export_count == 1


def test_the_uploaded_document_names_its_invoice(vendor, upload, ubl, actor):
    location = upload(ubl)
    invoice = Invoice.objects.get(pk=Document.objects.get(pk=location["documentid"]).invoice_id)

    answer = report(vendor, location["documentid"])

    # Read but not exported: nothing accounting could have failed to take yet.
    assert answer.status_code == 409
    assert answer.json()["code"] == "invoice_not_exported"
    assert not Invoice.objects.get(pk=invoice.pk).sync_failed


def test_a_document_without_an_invoice_is_located(vendor, api, tasks_on_commit):
    from payables.compat.digitization.tests.test_queues import read_junk

    [failed] = read_junk(api, tasks_on_commit, 1)

    answer = report(vendor, failed)

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "documentid"]


def test_an_unknown_document_is_located(vendor, exported_invoice):
    answer = report(vendor, "7777707d-594d-420c-9174-ce278f823333")

    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "unknown_document"
    assert body["errors"][0]["loc"] == ["body", "documentid"]


def test_another_company_s_invoice_is_not_found(other_vendor, exported_invoice):
    mine = report(other_vendor, str(exported_invoice.pk), companycode=None)
    named = report(other_vendor, str(exported_invoice.pk))

    assert mine.status_code == 422 and mine.json()["code"] == "unknown_document"
    assert named.status_code == 422 and named.json()["errors"][0]["loc"] == ["body", "companycode"]
    assert not SyncError.objects.exists()


def test_a_message_is_required(vendor, exported_invoice):
    answer = vendor.post("/errors", {"documentid": str(exported_invoice.pk)})

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "message"]


def test_a_body_that_is_no_json_is_located(vendor):
    answer = vendor.post("/errors", "documentid=1&message=x")

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["type"] == "json_invalid"


def test_reports_need_the_export_write_scope(company, make_key, exported_invoice):
    reader = VendorClient(make_key(company, ["export:read"]))

    assert report(reader, str(exported_invoice.pk)).status_code == 403
