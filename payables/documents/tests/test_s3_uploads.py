"""With S3 storage an upload location is S3's own pre-signed PUT URL (moto's S3 server here).

The client PUTs to S3; payables notices the upload when told (``POST …/uploaded``) or by
its periodic check, checks the size S3 cannot bound, and reads the document.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator

import pytest

from payables.documents.models import Document
from payables.documents.services import check_arrived_uploads
from payables.documents.tests.conftest import location

moto_server = pytest.importorskip("moto.server", reason="moto[server] is not installed")
boto3 = pytest.importorskip("boto3", reason="boto3 is not installed")
pytest.importorskip("storages", reason="django-storages is not installed")

BUCKET = "payables-documents"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(settings, s3_endpoint, monkeypatch) -> object:
    """Files in an S3 bucket (a fresh one per test), as PAYABLES_STORAGE=s3://… sets up."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    bucket = f"{BUCKET}-{_free_port()}"
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "location": "prefix",
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "signature_version": "s3v4",
            },
        },
    }
    return client


def s3_put(url: str, data: bytes, content_type: str) -> int:
    request = urllib.request.Request(
        url, data=data, method="PUT", headers={"Content-Type": content_type}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status


def test_the_location_is_s3s_and_the_upload_is_read_once_told(
    api, s3, s3_endpoint, ubl, tasks_on_commit
):
    where = location(api, "invoice.xml", userdata="via s3")
    assert where["url"].startswith(s3_endpoint) and "X-Amz-Signature" in where["url"]

    assert s3_put(where["url"], ubl, where["Content-Type"]) == 200
    with tasks_on_commit():
        answer = api.post(f"/documents/{where['document_id']}/uploaded")

    assert answer.status_code == 200, answer.content
    document = api.get(f"/documents/{where['document_id']}").json()
    assert (document["state"], document["userdata"]) == ("invoice_created", "via s3")
    assert api.get(f"/documents/{where['document_id']}/content").content == ubl


def test_before_the_put_the_upload_is_not_there(api, s3):
    where = location(api, "invoice.xml")

    answer = api.post(f"/documents/{where['document_id']}/uploaded")

    assert (answer.status_code, answer.json()["code"]) == (409, "upload_not_received")


def test_the_periodic_check_takes_in_arrived_uploads_and_expires_the_rest(
    api, s3, ubl, settings, tasks_on_commit
):
    arrived = location(api, "a.xml")
    s3_put(arrived["url"], ubl, arrived["Content-Type"])
    settings.PAYABLES_UPLOAD_URL_SECONDS = -1
    never = location(api, "b.xml")

    with tasks_on_commit():
        assert check_arrived_uploads() == 2

    states = {str(pk): state for pk, state in Document.objects.values_list("id", "state")}
    assert [states[d["document_id"]] for d in (arrived, never)] == ["invoice_created", "failed"]
    expired = Document.objects.get(pk=never["document_id"])
    assert (expired.failure_reason, expired.digitized_at) == ("upload_expired", None)


def test_an_upload_over_the_limit_is_failed_and_deleted(api, s3, settings):
    settings.PAYABLES_DOCUMENT_MAX_BYTES = 100
    where = location(api, "scan.png")
    s3_put(where["url"], b"\x89PNG\r\n\x1a\n" + bytes(500), "image/png")

    document = api.post(f"/documents/{where['document_id']}/uploaded").json()

    assert (document["state"], document["failure_reason"]) == ("failed", "too_large")
    bucket = settings.STORAGES["default"]["OPTIONS"]["bucket_name"]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
