"""Fixtures of the documents tests: sample files, upload locations and PUTs to them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from payables.conftest import ApiClient

SAMPLES = Path(__file__).resolve().parents[2] / "einvoice" / "tests" / "samples"
UBL = SAMPLES / "validation-ubl-invoice-two-vat-rates.xml"
CII = SAMPLES / "validation-cii-en16931-invoice-two-vat-rates.xml"
CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"


@pytest.fixture
def ubl() -> bytes:
    """An e-invoice (UBL 2.1, two VAT rates) that imports cleanly."""
    return UBL.read_bytes()


@pytest.fixture
def tasks_on_commit(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager],
) -> Callable[[], AbstractContextManager]:
    """Run what a block queues after commit (the pipeline task) at the block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def location(api: ApiClient, filename: str = "invoice.xml", **params: Any) -> dict:
    """Ask for an upload location; fail the test unless it is given."""
    answer = api.get("/documents/upload-location", {"filename": filename, **params})
    assert answer.status_code == 200, answer.content
    return answer.json()


def put(url: str, data: bytes, content_type: str, **extra: Any) -> Any:
    """PUT bytes to an upload location as an S3 client would (no API key, no cookie)."""
    return Client().generic("PUT", urlsplit(url).path, data, content_type=content_type, **extra)


def multipart(api: ApiClient, files: list[tuple[str, bytes]], **fields: Any) -> Any:
    """POST files (name, bytes) to /documents as multipart/form-data."""
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    return api.upload("/documents", {"files": uploads, **fields})


@pytest.fixture
def uploaded(api: ApiClient, tasks_on_commit: Callable) -> Iterator[Callable[..., dict]]:
    """Upload one file through an upload location and run its pipeline; answer the document."""

    def upload(data: bytes, filename: str = "invoice.xml", **params: Any) -> dict:
        where = location(api, filename, **params)
        with tasks_on_commit():
            answer = put(where["url"], data, where["Content-Type"])
        assert answer.status_code == 200, answer.content
        return api.get(f"/documents/{where['document_id']}").json()

    yield upload
