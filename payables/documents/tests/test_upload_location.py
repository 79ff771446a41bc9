"""Upload locations: signed, expiring PUT URLs, refused as S3 refuses what was not signed."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from payables.documents.models import Document
from payables.documents.tests.conftest import location, put


def test_a_location_names_the_headers_to_put_with_and_the_document(api, settings):
    before = timezone.now()
    where = location(api, "Scan 7.PDF", userdata="erp-ref-42")

    assert set(where) == {"url", "Content-Type", "Content-Disposition", "expires_at", "document_id"}
    assert where["Content-Type"] == "application/pdf"
    assert where["Content-Disposition"] == 'attachment; filename="Scan 7.PDF"'
    assert urlsplit(where["url"]).path.startswith("/uploads/")
    expires = timezone.datetime.fromisoformat(where["expires_at"])
    assert expires - before >= timedelta(seconds=settings.PAYABLES_UPLOAD_URL_SECONDS - 5)
    document = api.get(f"/documents/{where['document_id']}").json()
    assert (document["state"], document["userdata"]) == ("awaiting_upload", "erp-ref-42")


def test_a_put_stores_the_bytes_and_the_document_is_read(api, uploaded, ubl):
    document = uploaded(ubl, "invoice.xml", userdata="batch 7 / line 3")

    assert document["state"] == "invoice_created"
    assert (document["kind"], document["method"]) == ("xml", "e-invoice")
    assert document["userdata"] == "batch 7 / line 3"
    assert document["size"] == len(ubl)
    invoice = api.get(f"/invoices/{document['invoice_id']}").json()
    assert invoice["origin"] == "e-invoice"
    assert document["fields"]["invoice_number"]["value"] == invoice["invoice_number"]
    assert document["fields"]["gross_amount"] == {
        "value": invoice["gross_amount"],
        "confidence": 1.0,
        "validated": True,
        "page": None,
        "box": None,
        "label": "",
    }
    assert api.get(f"/documents/{document['id']}/content").content == ubl


def test_the_answer_to_a_put_is_s3s(api, ubl, tasks_on_commit):
    where = location(api)
    with tasks_on_commit():
        answer = put(where["url"], ubl, "application/xml")

    assert answer.status_code == 200
    assert answer["ETag"].startswith('"') and answer.content == b""


def test_the_same_bytes_put_again_are_taken_as_the_retry_they_are(api, ubl, tasks_on_commit):
    where = location(api)
    with tasks_on_commit():
        put(where["url"], ubl, "application/xml")

    assert put(where["url"], ubl, "application/xml").status_code == 200
    refused = put(where["url"], ubl + b" ", "application/xml")
    assert refused.status_code == 403
    assert b"<Code>AccessDenied</Code>" in refused.content


def _s3_code(answer) -> str:
    assert answer["Content-Type"] == "application/xml"
    return answer.content.split(b"<Code>")[1].split(b"</Code>")[0].decode()


def test_an_altered_token_does_not_match_its_signature(api, ubl):
    where = location(api)
    url = where["url"][:-3] + ("AAA" if not where["url"].endswith("AAA") else "BBB")

    answer = put(url, ubl, "application/xml")

    assert (answer.status_code, _s3_code(answer)) == (403, "SignatureDoesNotMatch")
    assert Document.objects.get().state == "awaiting_upload"


def test_a_token_signed_with_another_key_does_not_match(api, ubl, settings):
    where = location(api)
    settings.SECRET_KEY = "another-secret-key-of-another-server"

    answer = put(where["url"], ubl, "application/xml")

    assert (answer.status_code, _s3_code(answer)) == (403, "SignatureDoesNotMatch")


def test_an_expired_location_is_refused(api, ubl, settings):
    settings.PAYABLES_UPLOAD_URL_SECONDS = -1
    where = location(api)

    answer = put(where["url"], ubl, "application/xml")

    assert (answer.status_code, _s3_code(answer)) == (403, "AccessDenied")
    assert b"Request has expired" in answer.content


def test_another_content_type_than_signed_is_refused(api, ubl):
    where = location(api, "invoice.pdf")

    answer = put(where["url"], ubl, "application/xml")

    assert (answer.status_code, _s3_code(answer)) == (403, "SignatureDoesNotMatch")


def test_a_body_over_the_signed_size_limit_is_refused(api, settings):
    settings.PAYABLES_DOCUMENT_MAX_BYTES = 1000
    where = location(api, "scan.png")
    settings.PAYABLES_DOCUMENT_MAX_BYTES = 10**6  # the limit signed into the URL holds

    answer = put(where["url"], b"\x89PNG\r\n\x1a\n" + bytes(2000), "image/png")

    assert (answer.status_code, _s3_code(answer)) == (400, "EntityTooLarge")
    assert Document.objects.get().state == "awaiting_upload"


def test_a_put_without_content_length_is_refused(api, ubl):
    where = location(api)

    answer = put(where["url"], ubl, "application/xml", CONTENT_LENGTH="")

    assert (answer.status_code, _s3_code(answer)) == (411, "MissingContentLength")


def test_only_put_is_answered(api):
    where = location(api)

    answer = Client().get(urlsplit(where["url"]).path)

    assert (answer.status_code, _s3_code(answer)) == (405, "MethodNotAllowed")
    assert answer["Allow"] == "PUT"


def test_userdata_over_one_kilobyte_is_refused(api):
    answer = api.get("/documents/upload-location", {"filename": "a.pdf", "userdata": "ä" * 513})

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "userdata"]
    assert not Document.objects.exists()


def test_userdata_of_exactly_one_kilobyte_is_kept(api):
    where = location(api, "a.pdf", userdata="x" * 1024)

    assert api.get(f"/documents/{where['document_id']}").json()["userdata"] == "x" * 1024


def test_a_location_without_a_file_name_takes_any_bytes(api):
    where = location(api, "")

    assert (where["Content-Type"], where["Content-Disposition"]) == (
        "application/octet-stream",
        "attachment",
    )


@pytest.mark.parametrize("params", [{"filename": "a" * 256}, {"filename": "a.pdf", "size": "3"}])
def test_a_location_request_is_checked(api, params):
    answer = api.get("/documents/upload-location", params)

    assert answer.status_code == 422


def test_a_local_upload_is_complete_when_put(api):
    where = location(api)

    answer = api.post(f"/documents/{where['document_id']}/uploaded")

    assert (answer.status_code, answer.json()["code"]) == (409, "upload_not_received")
