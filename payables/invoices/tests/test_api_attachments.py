"""Attachments: base64 JSON, multipart upload, links, download."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from payables.events.models import Event
from payables.invoices.models import Attachment

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_base64_attachment_round_trips_byte_exact(api, make_invoice):
    invoice = make_invoice()
    response = api.post(
        f"/invoices/{invoice.id}/attachments",
        {"filename": "invoice.pdf", "content_base64": base64.b64encode(PDF).decode()},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["content_type"], body["size"]) == (
        "file",
        "application/pdf",
        len(PDF),
    )
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["warnings"] == []
    download = api.get(f"/invoices/{invoice.id}/attachments/{body['id']}/content")
    assert download.status_code == 200
    assert download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="invoice.pdf"' in download["Content-Disposition"]
    assert Event.objects.filter(type="attachment.added", subject_id=invoice.id).count() == 1


def test_download_as_base64_json(api, make_invoice):
    invoice = make_invoice()
    created = api.post(
        f"/invoices/{invoice.id}/attachments",
        {
            "filename": "scan.png",
            "content_type": "image/png",
            "content_base64": base64.b64encode(b"\x89PNG").decode(),
        },
    ).json()
    body = api.get(
        f"/invoices/{invoice.id}/attachments/{created['id']}/content", {"encoding": "base64"}
    ).json()
    assert base64.b64decode(body["content_base64"]) == b"\x89PNG"
    assert (body["content_type"], body["filename"]) == ("image/png", "scan.png")


def test_multipart_upload_keeps_bytes_and_type(api, make_invoice):
    invoice = make_invoice()
    upload = SimpleUploadedFile("bill.pdf", PDF, content_type="application/pdf")
    response = api.upload(f"/invoices/{invoice.internal_id}/attachments/upload", {"file": upload})
    assert response.status_code == 201, response.json()
    attachment_id = response.json()["id"]
    assert api.get(f"/invoices/{invoice.id}/attachments/{attachment_id}/content").content == PDF


def test_url_attachment_is_a_link_and_never_fetched(api, make_invoice):
    invoice = make_invoice()
    url = "https://docs.example.com/invoices/77.pdf"
    body = api.post(
        f"/invoices/{invoice.id}/attachments", {"url": url, "filename": "77.pdf"}
    ).json()
    assert (body["kind"], body["url"], body["size"]) == ("url", url, None)
    content = api.get(f"/invoices/{invoice.id}/attachments/{body['id']}/content")
    assert content.status_code == 404


def test_file_wins_over_url_and_the_answer_says_so(api, make_invoice):
    invoice = make_invoice()
    body = api.post(
        f"/invoices/{invoice.id}/attachments",
        {
            "filename": "a.pdf",
            "content_base64": base64.b64encode(PDF).decode(),
            "url": "https://x.example/a.pdf",
        },
    ).json()
    assert body["kind"] == "file"
    assert body["url"] is None
    assert "URL ignored" in body["warnings"][0]


def test_multipart_file_wins_over_url(api, make_invoice):
    invoice = make_invoice()
    upload = SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf")
    body = api.upload(
        f"/invoices/{invoice.id}/attachments/upload", {"file": upload, "url": "https://x.example/b"}
    ).json()
    assert body["kind"] == "file"
    assert body["warnings"]


def test_lists_attachments(api, make_invoice):
    invoice = make_invoice()
    api.post(f"/invoices/{invoice.id}/attachments", {"url": "https://x.example/1"})
    api.post(f"/invoices/{invoice.id}/attachments", {"url": "https://x.example/2"})
    assert [a["url"] for a in api.get(f"/invoices/{invoice.id}/attachments").json()] == [
        "https://x.example/1",
        "https://x.example/2",
    ]


def test_file_over_the_limit_is_413_and_not_stored(api, make_invoice, settings):
    settings.PAYABLES_MAX_ATTACHMENT_BYTES = 10
    invoice = make_invoice()
    response = api.post(
        f"/invoices/{invoice.id}/attachments",
        {"filename": "big.bin", "content_base64": base64.b64encode(b"x" * 11).decode()},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    upload = SimpleUploadedFile("big.bin", b"x" * 11)
    assert (
        api.upload(f"/invoices/{invoice.id}/attachments/upload", {"file": upload}).status_code
        == 413
    )
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"content_base64": "not base64!!"}, ["body", "content_base64"]),
        ({"url": "ftp://x.example/a"}, ["body", "url"]),
        ({"filename": "nothing.pdf"}, ["body", "content_base64"]),
    ],
)
def test_bad_attachment_is_422_and_not_stored(api, make_invoice, payload, loc):
    invoice = make_invoice()
    response = api.post(f"/invoices/{invoice.id}/attachments", payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert not Attachment.objects.exists()


def test_filename_cannot_point_elsewhere(api, make_invoice):
    invoice = make_invoice()
    body = api.post(
        f"/invoices/{invoice.id}/attachments",
        {"filename": "../../etc/passwd", "content_base64": base64.b64encode(b"x").decode()},
    ).json()
    assert body["filename"] == "passwd"
    stored = Attachment.objects.get()
    assert stored.file.name == f"invoices/{invoice.company_id}/{invoice.id}/{stored.id}"
