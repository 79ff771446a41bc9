"""Merit's signing (ApiId, timestamp, signature) with payables' API keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from payables.compat.merit.auth import signing_secret
from payables.compat.merit.tests.conftest import (
    BASE,
    EXAMPLE_CREATE,
    MeritClient,
    credentials_of,
    example,
)
from payables.invoices.models import Invoice
from payables.tenancy.models import ApiKey
from payables.tenancy.services import revoke_api_key


def body_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_credentials_are_the_keys_id_and_its_signing_secret(company, make_key):
    raw = make_key(company, ["invoices:write"])

    found = credentials_of(raw)

    api_key = ApiKey.objects.get()
    assert found == {"ApiId": str(api_key.id), "ApiKey": signing_secret(api_key)}
    assert credentials_of(raw) == found  # asked again: the same
    assert len(found["ApiKey"]) == 44  # base64 of 256 bits, as Merit's own keys


@pytest.mark.parametrize("key", [None, "pay_not-a-key"])
def test_credentials_need_a_valid_key(db, key):
    headers = {"X-API-Key": key} if key else {}

    response = Client().post(BASE + "credentials", headers=headers)

    assert response.status_code == 401
    assert "ApiKey" not in body_of(response)


def test_a_signed_request_is_let_in(merit, books):
    assert merit.post("api/v1/gettaxes").status_code == 200


def test_query_parameter_names_may_be_in_any_case(merit, books):
    body = b"{}"
    url = merit.url("api/v1/gettaxes", body).replace("ApiId=", "apiId=")

    assert Client().post(url, body, content_type="application/json").status_code == 200


def test_a_signature_whose_plus_signs_were_not_url_encoded(merit, books):
    for n in range(40):  # find a request whose signature has a "+"
        body = json.dumps({"n": n}).encode()
        url = merit.url("api/v1/gettaxes", body)
        if "%2B" in url:
            break
    else:
        pytest.fail("no signature with a plus sign")

    response = Client().post(url.replace("%2B", "+"), body, content_type="application/json")

    assert response.status_code == 200


def test_a_tampered_body_is_refused_as_merit_refuses_it(merit, books):
    signed = json.dumps(example(EXAMPLE_CREATE)).encode()
    url = merit.url("api/v1/sendpurchinvoice", signed)

    response = Client().post(url, signed.replace(b"987654324", b"987654325"), "application/json")

    assert response.status_code == 401
    body = body_of(response)
    assert body["Message"] == "api-wrongsignature"
    assert [e["Field"] for e in body["Errors"]] == ["query.signature"]
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("shift", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_an_old_or_future_timestamp_is_refused(merit, books, shift):
    stamp = (datetime.now(UTC) + shift).strftime("%Y%m%d%H%M%S")

    response = merit.post("api/v1/gettaxes", timestamp=stamp)

    assert response.status_code == 401
    assert body_of(response)["Message"] == "api-wrongsignature"
    assert body_of(response)["Errors"][0]["Field"] == "query.timestamp"


@pytest.mark.parametrize("stamp", ["", "2026-01-01T00:00:00", "20261301000000"])
def test_a_malformed_timestamp_is_refused(merit, books, stamp):
    assert merit.post("api/v1/gettaxes", timestamp=stamp).status_code == 401


@pytest.mark.parametrize("api_id", ["", "not-a-guid", "0b6c8d3e-0000-4000-8000-000000000001"])
def test_an_unknown_api_id_is_refused(merit, books, api_id):
    response = MeritClient(api_id, merit.api_key).post("api/v1/gettaxes")

    assert response.status_code == 401
    assert body_of(response)["Message"] == "api-unknownapiid"


def test_a_revoked_key_is_refused(merit, books):
    revoke_api_key(ApiKey.objects.get(pk=merit.api_id))

    response = merit.post("api/v1/gettaxes")

    assert response.status_code == 401
    assert body_of(response)["Message"] == "api-unknownapiid"


def test_the_signing_secret_of_another_key_does_not_sign(company, make_key, make_merit, books):
    mine, theirs = make_merit(company), make_merit(company)

    response = MeritClient(mine.api_id, theirs.api_key).post("api/v1/gettaxes")

    assert response.status_code == 401


def test_a_key_without_the_scope_is_refused(company, make_merit, books):
    reader = make_merit(company, ["masterdata:read"])

    response = reader.post("api/v1/sendpurchinvoice", example(EXAMPLE_CREATE))

    assert response.status_code == 403
    assert "invoices:write" in body_of(response)["Message"]
    assert reader.post("api/v1/gettaxes").status_code == 200
    assert make_merit(company, ["invoices:write"]).post("api/v2/getdimensions").status_code == 403


def test_a_signing_secret_of_the_former_server_secret_still_works(merit, books, settings):
    old = merit.api_key
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-server-secret-after-rotation"

    assert merit.post("api/v1/gettaxes").status_code == 200
    assert credentials_of_merit(merit) != old


def credentials_of_merit(merit: MeritClient) -> str:
    return signing_secret(ApiKey.objects.get(pk=merit.api_id))


def test_the_same_signed_request_twice_acts_once(merit, books):
    body = json.dumps(example(EXAMPLE_CREATE)).encode()
    url = merit.url("api/v1/sendpurchinvoice", body)
    client = Client()

    first = client.post(url, body, content_type="application/json")
    again = client.post(url, body, content_type="application/json")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Invoice.objects.count() == 1


def test_an_idempotency_key_survives_a_new_timestamp(merit, books):
    headers = {"Idempotency-Key": "erp-bill-987654324"}
    first = merit.post("api/v1/sendpurchinvoice", example(EXAMPLE_CREATE), headers=headers)
    stamp = (datetime.now(UTC) - timedelta(seconds=61)).strftime("%Y%m%d%H%M%S")

    again = merit.post(
        "api/v1/sendpurchinvoice", example(EXAMPLE_CREATE), headers=headers, timestamp=stamp
    )

    assert again.status_code == 200
    assert again.json() == first.json()
    assert Invoice.objects.count() == 1
