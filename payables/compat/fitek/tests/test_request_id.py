"""RequestId is the idempotency key: a repeat gets the first answer and changes nothing; the
same id with another body is refused; ids are the integrator's own."""

from __future__ import annotations

import pytest

from payables.compat.fitek.tests.conftest import errors_of
from payables.invoices.models import Attachment

LINK = "https://archive.example.com/contracts/7"


@pytest.fixture
def payload(make_invoice) -> dict:
    return {"InternalInvoiceId": make_invoice().internal_id, "Url": LINK}


def test_a_repeat_gets_the_first_answer_and_attaches_nothing_more(fitek, payload):
    first = fitek.post("/FileImport", payload, request_id="r-1")

    again = fitek.post("/FileImport", payload, request_id="r-1")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Attachment.objects.count() == 1


def test_a_refusal_is_repeated_as_it_was(fitek, payload):
    first = fitek.post("/FileImport", payload | {"Url": "ftp://x"}, request_id="r-2")

    again = fitek.post("/FileImport", payload | {"Url": "ftp://x"}, request_id="r-2")

    assert (first.status_code, again.status_code) == (422, 422)
    assert again.content == first.content


def test_the_same_request_id_with_another_body_is_422_at_request_id(fitek, payload):
    fitek.post("/FileImport", payload, request_id="r-3")

    answer = fitek.post("/FileImport", payload | {"Url": LINK + "?v=2"}, request_id="r-3")

    assert answer.status_code == 422
    assert errors_of(answer) == [("RequestId", "idempotency_key_reused")]
    assert "RequestId was already used" in answer.json()["Errors"][0]["Message"]
    assert Attachment.objects.count() == 1


def test_the_same_request_id_on_another_endpoint_is_refused_too(fitek, payload):
    fitek.post("/FileImport", payload, request_id="r-4")

    answer = fitek.post("/UsersImport/OneByOne", {"Code": "E-1", "Name": "Mari"}, request_id="r-4")

    assert errors_of(answer) == [("RequestId", "idempotency_key_reused")]


def test_request_ids_are_each_integrators_own(fitek, other_fitek, payload):
    fitek.post("/FileImport", payload, request_id="r-5")

    answer = other_fitek.post("/FileImport", payload, request_id="r-5")

    assert answer.status_code == 404  # answered anew: the other company has no such invoice
    assert "Idempotent-Replayed" not in answer


def test_an_unauthenticated_request_is_not_remembered(fitek, payload):
    refused = fitek.post("/FileImport", payload, request_id="r-6", AuthorizationToken="pk_x")

    answer = fitek.post("/FileImport", payload, request_id="r-6")

    assert refused.status_code == 401
    assert answer.status_code == 200
