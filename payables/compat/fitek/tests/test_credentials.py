"""Fitek's credentials in the body: IntegratorId and AuthorizationToken (an integrator's API
key, with the scope of the native endpoint), and the envelope of every refusal."""

from __future__ import annotations

import pytest

from payables.compat.fitek.tests.conftest import BASE, FitekClient, errors_of
from payables.invoices.models import Attachment
from payables.masterdata.schemas.bulk import UserRecord
from payables.masterdata.services import create_user
from payables.tenancy.actors import Actor
from payables.tenancy.services import (
    create_company,
    create_integrator,
    create_personal_api_key,
    revoke_api_key,
)

FILE = {"InternalInvoiceId": 1, "Filename": "note.txt", "ContentBase64": "aGVsbG8="}


@pytest.fixture
def invoice(make_invoice):
    return make_invoice()


def test_the_credentials_let_the_request_in_and_the_answer_names_its_request_id(fitek, invoice):
    answer = fitek.post("/FileImport", FILE, request_id="abc-1")

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["RequestId"], body["Success"], body["Errors"]) == ("abc-1", True, [])
    assert answer["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize("field", ["IntegratorId", "AuthorizationToken"])
def test_a_missing_credential_is_401_at_that_field(fitek, invoice, field):
    answer = fitek.post("/FileImport", FILE, **{field: None})

    assert answer.status_code == 401
    assert errors_of(answer) == [(field, "credentials_missing")]
    assert answer.json()["RequestId"].startswith("req-")
    assert not Attachment.objects.exists()


def test_an_unknown_token_is_401(fitek, invoice):
    answer = fitek.post("/FileImport", FILE, AuthorizationToken="pk_nothing")

    assert answer.status_code == 401
    assert errors_of(answer) == [("AuthorizationToken", "api_key_invalid")]


def test_a_revoked_token_is_401(fitek, invoice, integrator):
    revoke_api_key(integrator.api_keys.get())

    answer = fitek.post("/FileImport", FILE)

    assert answer.status_code == 401
    assert errors_of(answer) == [("AuthorizationToken", "api_key_invalid")]


def test_a_token_of_another_integrator_is_401_at_integrator_id(fitek, invoice, company, make_token):
    other = create_integrator(company, name="Scanning service")

    answer = fitek.post("/FileImport", FILE, AuthorizationToken=make_token(other))

    assert answer.status_code == 401
    assert errors_of(answer) == [("IntegratorId", "integrator_mismatch")]


def test_another_companys_credentials_are_401_with_this_integrator(fitek, other_fitek, invoice):
    answer = fitek.post("/FileImport", FILE, AuthorizationToken=other_fitek.token)

    assert answer.status_code == 401
    assert errors_of(answer) == [("IntegratorId", "integrator_mismatch")]


def test_an_integrator_id_that_is_no_uuid_is_401(fitek, invoice):
    answer = fitek.post("/FileImport", FILE, IntegratorId="ERP")

    assert answer.status_code == 401
    assert errors_of(answer) == [("IntegratorId", "integrator_mismatch")]


def test_a_personal_key_is_no_integrators_token(fitek, invoice, company):
    record = UserRecord(code="E-1", name="Mari", email="mari@example.com", roles=["admin"])
    user = create_user(record.model_dump(), actor=Actor.system(company))
    token = create_personal_api_key(user, scopes=["invoices:write"])[1]

    answer = fitek.post("/FileImport", FILE, AuthorizationToken=token)

    assert answer.status_code == 401
    assert errors_of(answer) == [("IntegratorId", "integrator_mismatch")]


def test_a_token_without_the_native_scope_is_403(integrator, make_token, invoice):
    fitek = FitekClient(integrator, make_token(integrator, ["invoices:read"]))

    answer = fitek.post("/FileImport", FILE)

    assert answer.status_code == 403
    assert errors_of(answer) == [("AuthorizationToken", "missing_scope")]


def test_another_companys_invoice_is_not_found(other_fitek, invoice):
    answer = other_fitek.post("/FileImport", FILE | {"InvoiceGuid": str(invoice.id)})

    assert answer.status_code == 404
    assert errors_of(answer) == [("Payload.InvoiceGuid", "invoice_not_found")]


def test_a_missing_request_id_is_422_at_request_id(fitek, invoice):
    answer = fitek.post("/FileImport", FILE, RequestId="")

    assert answer.status_code == 422
    assert errors_of(answer) == [("RequestId", "missing")]


def test_a_body_that_is_not_json_is_422(fitek):
    answer = fitek.raw("/FileImport", b"{nope")

    assert answer.status_code == 422
    assert errors_of(answer) == [(None, "json_invalid")]


def test_an_unknown_field_beside_the_payload_is_422_at_it(fitek, invoice):
    answer = fitek.post("/FileImport", FILE, Extra="x")

    assert answer.status_code == 422
    assert errors_of(answer) == [("Extra", "extra_forbidden")]


def test_an_unknown_path_and_a_get_answer_in_the_envelope(fitek):
    unknown = fitek.raw("/Nothing", b"{}")
    wrong_method = fitek.client.get(f"{BASE}/FileImport")

    assert (unknown.status_code, errors_of(unknown)) == (404, [(None, "not_found")])
    assert (wrong_method.status_code, errors_of(wrong_method)) == (
        405,
        [(None, "method_not_allowed")],
    )
    assert wrong_method["Allow"] == "POST"


def test_the_api_documents_itself(fitek):
    schema = fitek.client.get("/compat/fitek/openapi.json").json()

    assert f"{BASE}/InvoiceImport" in schema["paths"]
    body = schema["paths"][f"{BASE}/TransactionRowsImport"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("TransactionRowsImportIn")
    assert "securitySchemes" not in schema.get("components", {})


def test_a_company_without_that_integrator_answers_401(fitek, invoice):
    stranger = create_company(name="Stranger AS", country="EE")
    other = create_integrator(stranger, name="ERP")

    answer = fitek.post("/FileImport", FILE, IntegratorId=str(other.id))

    assert answer.status_code == 401
