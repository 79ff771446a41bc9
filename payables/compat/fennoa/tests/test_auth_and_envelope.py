"""Basic authentication on payables' keys, and Fennoa's envelope for every kind of answer."""

from __future__ import annotations

import base64

from payables.compat.fennoa.tests.conftest import FennoaClient, data_of, errors_of
from payables.tenancy.services import revoke_api_key


def test_the_company_code_and_the_key_authenticate(fennoa, supplier):
    assert len(data_of(fennoa.get("purchases_api/get/suppliers"))) == 1


def test_the_company_id_is_a_company_code_too(company, make_key, supplier):
    client = FennoaClient(make_key(company), str(company.id).upper())
    assert len(data_of(client.get("purchases_api/get/suppliers"))) == 1


def test_an_empty_user_name_leaves_the_company_to_the_key(company, make_key, supplier):
    client = FennoaClient(make_key(company), "")
    assert len(data_of(client.get("purchases_api/get/suppliers"))) == 1


def test_x_api_key_is_accepted_as_well(company, make_key, supplier):
    client = FennoaClient(None)
    response = client.get("purchases_api/get/suppliers", **{"X-API-Key": make_key(company)})
    assert len(data_of(response)) == 1


def test_another_companys_code_is_refused(company, other_company, make_key):
    client = FennoaClient(make_key(company), other_company.registry_code)
    response = client.get("purchases_api/get/suppliers")
    assert response.status_code == 401
    assert errors_of(response) == {None: "company_code_invalid"}


def test_no_credentials_is_401_in_the_envelope():
    response = FennoaClient(None).get("purchases_api/get/suppliers")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert errors_of(response) == {None: "api_key_missing"}


def test_an_unknown_or_revoked_key_is_401(company, make_key):
    assert errors_of(FennoaClient("nope", "10137319").get("purchases_api/get/suppliers")) == {
        None: "api_key_invalid"
    }
    key = make_key(company)
    revoke_api_key(company.integrators.get().api_keys.get())
    response = FennoaClient(key, "10137319").get("purchases_api/get/suppliers")
    assert response.status_code == 401
    assert errors_of(response) == {None: "api_key_invalid"}


def test_malformed_basic_credentials_are_401(fennoa):
    response = fennoa.get("purchases_api/get/suppliers", Authorization="Basic ***")
    assert response.status_code == 401
    assert errors_of(response) == {None: "credentials_invalid"}


def test_a_key_with_the_scope_but_wrong_method_gets_405(fennoa):
    response = fennoa.post("purchases_api/get/suppliers")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert errors_of(response) == {None: "method_not_allowed"}


def test_an_unknown_path_is_a_404_in_the_envelope(fennoa):
    response = fennoa.get("purchases_api/get/nothing")
    assert response.status_code == 404
    assert errors_of(response) == {None: "not_found"}
    assert fennoa.post("sales_api/add").status_code == 404


def test_an_id_beyond_what_the_database_holds_is_no_path(fennoa):
    assert fennoa.get("purchases_api/" + "9" * 19).status_code == 404


def test_a_trailing_slash_is_allowed(fennoa, supplier):
    assert len(data_of(fennoa.get("purchases_api/get/suppliers/"))) == 1


def test_answers_are_never_cached(fennoa, supplier):
    assert "no-store" in fennoa.get("purchases_api/get/suppliers")["Cache-Control"]
    assert "no-store" in FennoaClient(None).get("purchases_api/get/suppliers")["Cache-Control"]
    assert "no-store" in fennoa.get("purchases_api/nothing")["Cache-Control"]


def test_a_failure_of_ours_is_a_500_in_the_envelope(fennoa, monkeypatch):
    """Only the network edge may be mocked: here the one seam that fails is Django's storage."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from payables.compat.fennoa.tests.conftest import ADD_FORM

    made = data_of(fennoa.post("purchases_api/add", ADD_FORM))["PurchaseInvoice"]

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("django.core.files.storage.FileSystemStorage._save", broken)
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = fennoa.post(f"purchases_api/do/upload_attachment/{made['id']}", {"file": upload})
    assert response.status_code == 500
    assert errors_of(response) == {None: "server_error"}


def test_a_personal_key_acts_as_its_person_with_basic_auth(make_user, as_user, company):
    client = as_user(make_user("ANN"))
    token = client.headers["Authorization"].split()[1]
    assert base64.b64decode(token).decode().startswith(f"{company.registry_code}:")
    assert data_of(client.get("purchases_api/get/approval_queue"))["count"] == 0
