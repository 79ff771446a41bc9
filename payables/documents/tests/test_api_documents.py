"""Documents sent as multipart/form-data, and reading them back through the API."""

from __future__ import annotations

import pytest

from payables.documents.models import Document
from payables.documents.tests.conftest import CII, multipart
from payables.events.models import Event
from payables.invoices.models import Invoice


def _documents(answer) -> list[dict]:
    assert answer.status_code == 202, answer.content
    return answer.json()["documents"]


def test_each_file_becomes_a_document_in_the_order_sent(api, ubl, tasks_on_commit):
    files = [("b.xml", ubl), ("notes.txt", b"just text"), ("a.xml", CII.read_bytes())]
    with tasks_on_commit():
        documents = _documents(multipart(api, files, userdata="scanner 3"))

    assert [d["filename"] for d in documents] == ["b.xml", "notes.txt", "a.xml"]
    assert {d["userdata"] for d in documents} == {"scanner 3"}
    shown = [api.get(f"/documents/{d['id']}").json() for d in documents]
    assert [d["state"] for d in shown] == ["invoice_created", "failed", "invoice_created"]
    assert shown[1]["failure_reason"] == "unsupported_format"
    assert Invoice.objects.filter(origin="e-invoice").count() == 2


def test_what_a_file_is_comes_from_its_bytes_not_its_name(api, ubl, tasks_on_commit):
    with tasks_on_commit():
        [document] = _documents(multipart(api, [("scan.pdf", ubl)]))

    shown = api.get(f"/documents/{document['id']}").json()
    assert (shown["kind"], shown["state"]) == ("xml", "invoice_created")


def test_an_empty_file_fails_as_unsupported(api, tasks_on_commit):
    with tasks_on_commit():
        [document] = _documents(multipart(api, [("empty.pdf", b"")]))

    assert (document["state"], document["failure_reason"]) == ("failed", "unsupported_format")
    assert "empty" in document["failure_message"]


def test_a_file_over_the_limit_fails_without_being_read(api, settings):
    settings.PAYABLES_DOCUMENT_MAX_BYTES = 100

    [document] = _documents(multipart(api, [("big.pdf", b"%PDF-1.7" + bytes(200))]))

    assert (document["state"], document["failure_reason"]) == ("failed", "too_large")
    assert document["size"] == 208 and document["sha256"] == ""


def test_the_same_bytes_again_are_a_duplicate_of_the_first_document(api, ubl, tasks_on_commit):
    with tasks_on_commit():
        [first] = _documents(multipart(api, [("a.xml", ubl)], userdata="first"))
    with tasks_on_commit():
        [again] = _documents(multipart(api, [("b.xml", ubl)], userdata="again"))

    first = api.get(f"/documents/{first['id']}").json()
    assert (again["state"], again["failure_reason"]) == ("failed", "duplicate")
    assert again["duplicate_of"] == first["id"]
    assert again["invoice_id"] == first["invoice_id"] is not None
    assert again["userdata"] == "again"
    assert Invoice.objects.count() == 1


def test_bytes_of_a_failed_document_may_be_sent_again(api, tasks_on_commit):
    with tasks_on_commit():
        [first] = _documents(multipart(api, [("a.txt", b"not a document")]))
        [again] = _documents(multipart(api, [("a.txt", b"not a document")]))

    assert (first["failure_reason"], again["failure_reason"]) == (
        "unsupported_format",
        "unsupported_format",
    )
    assert again["duplicate_of"] is None


def test_an_e_invoice_that_cannot_be_read_fails_with_its_findings(api, tasks_on_commit):
    with tasks_on_commit():
        [document] = _documents(multipart(api, [("bad.xml", b"<Invoice><unclosed></Invoice>")]))

    shown = api.get(f"/documents/{document['id']}").json()
    assert (shown["state"], shown["failure_reason"]) == ("failed", "einvoice_refused")
    assert shown["findings"] and shown["findings"][0]["message"]


def test_a_multipart_upload_needs_files(api):
    answer = api.upload("/documents", {"userdata": "x"})

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == "files"


def test_userdata_over_one_kilobyte_refuses_the_upload(api, ubl):
    answer = multipart(api, [("a.xml", ubl)], userdata="€" * 342)  # 1026 bytes

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["form", "userdata"]
    assert not Document.objects.exists()


def test_the_upload_records_the_outcome_events(api, ubl, tasks_on_commit):
    with tasks_on_commit():
        multipart(api, [("a.xml", ubl), ("b.bin", b"\x00\x01")])

    types = list(
        Event.objects.filter(subject_type="document")
        .order_by("sequence")
        .values_list("type", flat=True)
    )
    assert sorted(types) == ["document.digitized", "document.failed"]


def test_documents_are_listed_newest_first_and_filtered_by_state(api, ubl, tasks_on_commit):
    with tasks_on_commit():
        multipart(api, [("a.xml", ubl)])
        multipart(api, [("b.bin", b"junk")])

    listed = api.get("/documents").json()
    assert [d["filename"] for d in listed["items"]] == ["b.bin", "a.xml"]
    failed = api.get("/documents", {"state": "failed"}).json()
    assert (failed["count"], failed["items"][0]["filename"]) == (1, "b.bin")


@pytest.mark.parametrize("path", ["", "/content"])
def test_another_companys_document_is_not_found(api, other_api, ubl, tasks_on_commit, path):
    with tasks_on_commit():
        [document] = _documents(multipart(api, [("a.xml", ubl)]))

    answer = other_api.get(f"/documents/{document['id']}{path}")

    assert (answer.status_code, answer.json()["code"]) == (404, "document_not_found")
    assert other_api.get("/documents").json()["count"] == 0


def test_a_key_needs_the_documents_scopes(company, make_key, ubl):
    from payables.conftest import ApiClient

    reader = ApiClient(make_key(company, ["documents:read"], integrator="Reader"))

    assert multipart(reader, [("a.xml", ubl)]).status_code == 403
    assert reader.get("/documents/upload-location", {"filename": "a.pdf"}).status_code == 403
    assert reader.get("/feeds/digitized").status_code == 200
