"""Hostile e-invoices through the import: the API, the service and the CLI each refuse
them with a clear 4xx answer and store nothing.

A document beyond what a real invoice has is a 422 whose entries have the type
``document_too_complex`` (whatever the company's policy for invalid documents); one over
the size limit is a 413 ``payload_too_large``; unsafe XML is a 422 ``PAY-UNSAFE``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from payables.einvoice.tests.corpus import CORPUS_DIR, SAMPLES_DIR
from payables.einvoice.tests.hostile_documents import (
    CASES,
    EDGE_CASES,
    billion_laughs,
    empty_elements,
    vat_groups,
)
from payables.errors import PayloadTooLarge
from payables.invoices.models import Attachment, Invoice
from payables.invoices.services.einvoice_import import (
    DocumentRefused,
    DocumentTooComplex,
    import_einvoice,
)
from payables.tenancy.actors import Actor
from payables.tenancy.services import update_company

IMPORT = "/invoices/import"
UBL_SAMPLE = SAMPLES_DIR / "validation-ubl-invoice-two-vat-rates.xml"


def content_type(data: bytes) -> str:
    return "application/pdf" if data.startswith(b"%PDF") else "application/xml"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_each_hostile_document_gets_a_clear_4xx_from_the_import_api(api, case):
    data = case.build()

    response = api.post(IMPORT, raw=data, content_type=content_type(data))

    assert response.status_code == case.status, response.content[:500]
    body = response.json()
    if case.status == 413:
        assert body["code"] == case.code
        assert "limit" in body["detail"]
    else:
        entry = body["detail"][0]
        assert (entry["type"], entry["loc"], entry["severity"]) == (case.code, ["body"], "fatal")
        assert entry["msg"]
    assert not Invoice.objects.exists()
    assert not Attachment.objects.exists()


@pytest.fixture
def settings_with_schemas(settings):
    settings.PAYABLES_EINVOICE_SCHEMA_DIR = CORPUS_DIR / "xsd"
    settings.PAYABLES_EINVOICE_RULES_DIR = CORPUS_DIR / "xslt" / "en16931"
    return settings


@pytest.mark.parametrize("case", EDGE_CASES, ids=lambda case: case.name)
def test_the_largest_documents_the_limits_let_through_are_imported_or_refused_as_invalid(
    actor, settings_with_schemas, case
):
    """Not too complex: valid ones import, invalid ones are refused by their findings
    (where the company refuses invalid documents)."""
    company = update_company(actor.company, {"einvoice_invalid_policy": "refuse"})
    actor = Actor.system(company, "test")
    try:
        document = import_einvoice(case.build(), actor=actor)
    except DocumentRefused as refused:
        assert case.outcome == "refused"
        assert not isinstance(refused, DocumentTooComplex)
        assert refused.findings[0].rule_id != "PAY-LIMIT"
    else:
        assert case.outcome == "imported"
        assert {result.outcome for result in document.results} == {"imported"}


def test_a_too_complex_document_names_the_engine_rule_and_the_limit(api):
    response = api.post(IMPORT, raw=empty_elements())

    entry = response.json()["detail"][0]
    assert entry["type"] == "document_too_complex"
    assert entry["rule_id"] == "PAY-LIMIT"
    assert "more than 100 times" in entry["msg"]


def test_a_too_complex_document_is_refused_even_where_invalid_ones_are_imported(api, company):
    company.einvoice_invalid_policy = "review"
    company.save()

    response = api.post(IMPORT, raw=vat_groups())

    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "document_too_complex"
    assert not Invoice.objects.exists()


def test_the_service_refuses_too_complex_documents_with_their_code(actor):
    with pytest.raises(DocumentTooComplex) as refused:
        import_einvoice(empty_elements(), actor=actor)

    assert refused.value.code == "document_too_complex"
    assert refused.value.status == 422
    assert refused.value.findings[0].rule_id == "PAY-LIMIT"


def test_a_document_over_the_size_limit_is_413_before_it_is_read(api, actor, settings):
    settings.PAYABLES_EINVOICE_MAX_BYTES = 1000
    data = UBL_SAMPLE.read_bytes()

    response = api.post(IMPORT, raw=data)

    assert response.status_code == 413
    assert response.json() == {
        "detail": f"The document has {len(data)} bytes; the limit is 1000.",
        "code": "payload_too_large",
    }
    with pytest.raises(PayloadTooLarge):
        import_einvoice(data, actor=actor)


def test_a_body_over_the_http_limit_is_413_with_the_same_code(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = api.post(IMPORT, raw=UBL_SAMPLE.read_bytes())

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_a_hostile_file_among_uploaded_ones_gets_its_own_refused_entry(api):
    hostile = SimpleUploadedFile("bomb.xml", vat_groups(), content_type="application/xml")
    other = SimpleUploadedFile("laughs.xml", billion_laughs(), content_type="application/xml")

    response = api.upload(IMPORT, {"files": [hostile, other]})

    assert response.status_code == 200
    documents = {d["filename"]: d for d in response.json()["documents"]}
    assert documents["bomb.xml"]["status"] == "refused"
    assert documents["bomb.xml"]["findings"][0]["rule_id"] == "PAY-LIMIT"
    assert documents["laughs.xml"]["findings"][0]["rule_id"] == "PAY-UNSAFE"


def test_the_cli_refuses_a_file_over_the_limit_from_its_size(company, tmp_path, capsys, settings):
    settings.PAYABLES_EINVOICE_MAX_BYTES = 30
    (tmp_path / "large.xml").write_bytes(b"<x/>" * 10)

    with pytest.raises(SystemExit) as exit_info:
        call_command("import", str(tmp_path), "--company", company.name)

    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert f"FAILED {tmp_path / 'large.xml'}: payload_too_large: 40 bytes; the limit is 30" in out


def test_the_cli_names_a_too_complex_document(company, tmp_path, capsys):
    (tmp_path / "bomb.xml").write_bytes(empty_elements())

    with pytest.raises(SystemExit):
        call_command("import", str(tmp_path), "--company", company.name)

    assert "document_too_complex: PAY-LIMIT:" in capsys.readouterr().out


def test_the_body_limit_admits_every_einvoice_the_einvoice_limit_admits():
    assert settings.PAYABLES_EINVOICE_MAX_BYTES <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert settings.PAYABLES_EINVOICE_MAX_BYTES <= settings.PAYABLES_MAX_ATTACHMENT_BYTES


MIB = 1024 * 1024
BODY_FOR_20_MIB_ATTACHMENTS = 20 * MIB * 4 // 3 + MIB


@pytest.mark.parametrize(
    ("environment", "einvoice", "body"),
    [
        ({}, 20 * MIB, BODY_FOR_20_MIB_ATTACHMENTS),
        ({"PAYABLES_EINVOICE_MAX_BYTES": str(100 * MIB)}, 20 * MIB, BODY_FOR_20_MIB_ATTACHMENTS),
        ({"PAYABLES_EINVOICE_MAX_BYTES": str(5 * MIB)}, 5 * MIB, BODY_FOR_20_MIB_ATTACHMENTS),
        ({"PAYABLES_MAX_ATTACHMENT_BYTES": str(MIB)}, MIB, MIB * 4 // 3 + MIB),
    ],
    ids=["defaults", "capped-by-attachments", "smaller", "small-attachments"],
)
def test_the_size_settings_derive_from_each_other(tmp_path, environment, einvoice, body):
    """Settings are read once per process: each environment gets its own."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.PAYABLES_EINVOICE_MAX_BYTES, s.DATA_UPLOAD_MAX_MEMORY_SIZE]))"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PAYABLES_")},
        "DJANGO_SETTINGS_MODULE": "payables.settings",
        "PAYABLES_DATA_DIR": str(tmp_path),
        **environment,
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert json.loads(result.stdout.splitlines()[-1]) == [einvoice, body]
