"""With S3 storage (moto's standalone server) a backup holds every object under the prefix,
and a restore makes the bucket hold exactly those again."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from payables.backup.tests.conftest import database_dump
from payables.invoices.services import add_attachment

pytest.importorskip("moto.server", reason="moto[server] is not installed")
pytest.importorskip("boto3", reason="boto3 is not installed")
pytest.importorskip("storages", reason="django-storages is not installed")

# The documents tests' S3 fixtures: moto's server once per module, a fresh bucket per test.
from payables.documents.tests import test_s3_uploads as s3_fixtures

s3 = s3_fixtures.s3
s3_endpoint = s3_fixtures.s3_endpoint

pytestmark = pytest.mark.django_db(transaction=True)


def bucket_objects(client) -> dict[str, bytes]:
    """Every object in the test bucket, with its bytes (the key's prefix included)."""
    bucket = settings.STORAGES["default"]["OPTIONS"]["bucket_name"]
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {key: client.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


def test_a_restore_brings_back_the_buckets_objects(s3, payables, make_invoice, actor, tmp_path):
    kept = add_attachment(make_invoice(), actor=actor, content=b"%PDF kept", filename="k.pdf")
    add_attachment(make_invoice(), actor=actor, content=b"scan", filename="s.png")
    before = database_dump(), bucket_objects(s3)
    assert len(before[1]) == 2 and all(key.startswith("prefix/") for key in before[1])

    made = payables("backup", str(tmp_path / "backup"))

    assert made.code == 0, made.err
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    bucket = settings.STORAGES["default"]["OPTIONS"]["bucket_name"]
    assert (manifest["storage"], manifest["files"]["count"]) == (f"s3://{bucket}/prefix", 2)
    assert (tmp_path / "backup" / "files" / kept.attachment.file.name).read_bytes() == b"%PDF kept"
    add_attachment(make_invoice(), actor=actor, content=b"new", filename="n.pdf")
    kept.attachment.file.storage.delete(kept.attachment.file.name)

    restored = payables("restore", str(tmp_path / "backup"), "--force")

    assert restored.code == 0, restored.err
    assert (database_dump(), bucket_objects(s3)) == before
