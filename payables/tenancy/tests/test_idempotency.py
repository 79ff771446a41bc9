"""Idempotent POSTs: a retried request gets the first answer and creates nothing new."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from payables.conftest import ApiClient
from payables.events.models import Event
from payables.invoices.models import Attachment, Invoice, Payment
from payables.tenancy.idempotency import request_fingerprint
from payables.tenancy.models import Company, IdempotencyKey
from payables.tenancy.scopes import SCOPES
from payables.tenancy.services import (
    claim_idempotency_key,
    complete_idempotency_key,
    create_api_key,
    prune_idempotency_keys,
    revoke_api_key,
)

KEY = {"Idempotency-Key": "5f0c9d1e-order-1001"}


def _created_events() -> int:
    return Event.objects.filter(type="invoice.created").count()


def test_repeat_with_same_key_and_body_returns_the_first_answer(api, invoice_payload):
    first = api.post("/invoices", invoice_payload(), headers=KEY)
    again = api.post("/invoices", invoice_payload(), headers=KEY)
    assert first.status_code == 201, first.json()
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Invoice.objects.count() == 1
    assert _created_events() == 1


def test_first_answer_is_not_marked_replayed(api, invoice_payload):
    first = api.post("/invoices", invoice_payload(), headers=KEY)
    assert first.status_code == 201
    assert not first.has_header("Idempotent-Replayed")


def test_request_id_in_body_works_like_the_header(api, invoice_payload):
    payload = invoice_payload(request_id="erp-batch-7-line-1")
    first = api.post("/invoices", payload)
    again = api.post("/invoices", payload)
    assert first.status_code == 201, first.json()
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Invoice.objects.count() == 1
    assert _created_events() == 1


def test_same_key_with_different_body_is_refused(api, invoice_payload):
    api.post("/invoices", invoice_payload(), headers=KEY)
    response = api.post("/invoices", invoice_payload(invoice_number="INV-1002"), headers=KEY)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["header", "Idempotency-Key"],
            "msg": response.json()["detail"][0]["msg"],
            "type": "idempotency_key_reused",
        }
    ]
    assert list(Invoice.objects.values_list("invoice_number", flat=True)) == ["INV-1001"]
    assert _created_events() == 1


def test_same_request_id_with_different_body_points_at_request_id(api, invoice_payload):
    api.post("/invoices", invoice_payload(request_id="r-1"))
    response = api.post("/invoices", invoice_payload(request_id="r-1", invoice_number="INV-2"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "request_id"]
    assert response.json()["detail"][0]["type"] == "idempotency_key_reused"
    assert Invoice.objects.count() == 1


def test_same_key_on_another_endpoint_is_refused(api, invoice_payload, make_invoice):
    invoice = make_invoice()
    api.post(
        f"/invoices/{invoice.id}/payments",
        {"amount": "10.00", "payment_date": "2026-11-20"},
        headers=KEY,
    )
    response = api.post("/invoices", invoice_payload(), headers=KEY)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "idempotency_key_reused"
    assert Invoice.objects.count() == 1


def test_another_integrator_may_use_the_same_key(api, company, make_key, invoice_payload):
    scanner = ApiClient(make_key(company, integrator="Scanner"))
    first = api.post("/invoices", invoice_payload(), headers=KEY)
    second = scanner.post("/invoices", invoice_payload(invoice_number="INV-2002"), headers=KEY)
    assert first.status_code == 201
    assert second.status_code == 201, second.json()
    assert not second.has_header("Idempotent-Replayed")
    assert Invoice.objects.count() == 2
    assert IdempotencyKey.objects.filter(key=KEY["Idempotency-Key"]).count() == 2


def test_another_company_may_use_the_same_key(api, other_api, invoice_payload):
    first = api.post("/invoices", invoice_payload(), headers=KEY)
    other = other_api.post(
        "/suppliers", {"name": "Helsingin Paperi Oy", "country": "FI"}, headers=KEY
    )
    assert first.status_code == 201
    assert other.status_code == 201, other.json()
    assert not other.has_header("Idempotent-Replayed")


def test_keys_of_one_integrator_share_their_idempotency_keys(
    api, company, make_key, invoice_payload
):
    second_key = ApiClient(make_key(company))  # another key of the same integrator "ERP"
    first = api.post("/invoices", invoice_payload(), headers=KEY)
    again = second_key.post("/invoices", invoice_payload(), headers=KEY)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Invoice.objects.count() == 1


def test_failed_validation_replays_as_the_same_422(api, invoice_payload):
    bad = invoice_payload(gross_amount="176.51")
    first = api.post("/invoices", bad, headers=KEY)
    again = api.post("/invoices", bad, headers=KEY)
    assert first.status_code == 422
    assert again.status_code == 422
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Invoice.objects.count() == 0
    assert _created_events() == 0


def test_fixed_body_after_a_422_needs_a_new_key(api, invoice_payload):
    api.post("/invoices", invoice_payload(gross_amount="176.51"), headers=KEY)
    response = api.post("/invoices", invoice_payload(), headers=KEY)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "idempotency_key_reused"
    assert Invoice.objects.count() == 0


def test_repeat_while_the_first_is_still_running_is_409(api, company, invoice_payload):
    payload = invoice_payload()
    body = json.dumps(payload).encode()
    integrator = company.integrators.get(name="ERP")
    claim_idempotency_key(
        integrator.api_keys.first(),
        key=KEY["Idempotency-Key"],
        fingerprint=request_fingerprint("POST", "/api/v1/invoices", body),
    )
    response = api.post("/invoices", raw=body, headers=KEY)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_request_in_progress"
    assert Invoice.objects.count() == 0
    record = IdempotencyKey.objects.get(integrator=integrator, key=KEY["Idempotency-Key"])
    assert record.state == IdempotencyKey.State.RUNNING


def test_answer_stored_by_the_first_request_is_replayed(api, company, invoice_payload):
    body = json.dumps(invoice_payload()).encode()
    integrator = company.integrators.get(name="ERP")
    claim = claim_idempotency_key(
        integrator.api_keys.first(),
        key=KEY["Idempotency-Key"],
        fingerprint=request_fingerprint("POST", "/api/v1/invoices", body),
    )
    complete_idempotency_key(
        claim.record, status=202, content_type="application/json", body=b'{"queued": true}'
    )
    response = api.post("/invoices", raw=body, headers=KEY)
    assert response.status_code == 202
    assert response.json() == {"queued": True}
    assert Invoice.objects.count() == 0


def test_payment_repeated_with_same_key_is_recorded_once(api, make_invoice):
    invoice = make_invoice()
    body = {"amount": "50.00", "payment_date": "2026-11-20"}
    first = api.post(f"/invoices/{invoice.id}/payments", body, headers=KEY)
    again = api.post(f"/invoices/{invoice.id}/payments", body, headers=KEY)
    assert first.status_code == 201
    assert again.json() == first.json()
    assert Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.paid_amount == Decimal("50.00")
    assert Event.objects.filter(type="payment.recorded").count() == 1


def test_over_long_key_is_refused_before_anything_runs(api, invoice_payload):
    response = api.post("/invoices", invoice_payload(), headers={"Idempotency-Key": "k" * 256})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert Invoice.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0


def test_empty_key_is_refused(api, invoice_payload):
    response = api.post("/invoices", invoice_payload(), headers={"Idempotency-Key": ""})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert Invoice.objects.count() == 0


@pytest.mark.parametrize("key", ["key\x00", "key\n1", "\x7f"], ids=["nul", "newline", "delete"])
def test_key_with_control_characters_is_refused(api, invoice_payload, key):
    """PostgreSQL cannot store NUL in text; control characters are never a sensible key."""
    response = api.post("/invoices", invoice_payload(), headers={"Idempotency-Key": key})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert Invoice.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0


def test_request_without_valid_api_key_stores_no_key(invoice_payload):
    response = ApiClient("pay_unknown").post("/invoices", invoice_payload(), headers=KEY)
    assert response.status_code == 401
    assert IdempotencyKey.objects.count() == 0


def test_refusal_for_a_missing_scope_is_not_remembered(company, make_key, invoice_payload):
    """A 403 was never attempted: the same key must run once the key has the scope."""
    reader = ApiClient(make_key(company, scopes=["invoices:read"]))
    writer = ApiClient(make_key(company))
    assert reader.post("/invoices", invoice_payload(), headers=KEY).status_code == 403
    response = writer.post("/invoices", invoice_payload(), headers=KEY)
    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert Invoice.objects.count() == 1


def test_get_requests_ignore_the_key(api, make_invoice):
    make_invoice()
    assert api.get("/invoices", headers=KEY).status_code == 200
    assert IdempotencyKey.objects.count() == 0


def _age(record: IdempotencyKey, hours: float) -> None:
    """Move a key's creation into the past (test setup only; nothing in the app does this)."""
    IdempotencyKey.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )


def test_prune_removes_keys_older_than_the_ttl_and_keeps_younger(company, settings, make_key):
    settings.PAYABLES_IDEMPOTENCY_TTL_HOURS = 24
    make_key(company)
    integrator = company.integrators.get(name="ERP")
    old = claim_idempotency_key(integrator.api_keys.first(), key="old", fingerprint="a").record
    young = claim_idempotency_key(integrator.api_keys.first(), key="young", fingerprint="b").record
    fresh = claim_idempotency_key(integrator.api_keys.first(), key="fresh", fingerprint="c").record
    _age(old, 25)
    _age(young, 23)
    assert prune_idempotency_keys() == 1
    assert set(IdempotencyKey.objects.values_list("key", flat=True)) == {"young", "fresh"}
    assert {young.pk, fresh.pk} == set(IdempotencyKey.objects.values_list("pk", flat=True))


def test_prune_follows_the_ttl_setting(company, settings, make_key):
    settings.PAYABLES_IDEMPOTENCY_TTL_HOURS = 2
    make_key(company)
    integrator = company.integrators.get(name="ERP")
    record = claim_idempotency_key(integrator.api_keys.first(), key="k", fingerprint="a").record
    _age(record, 3)
    assert prune_idempotency_keys() == 1
    assert not IdempotencyKey.objects.exists()


def test_pruned_key_runs_the_request_again(api, company, invoice_payload):
    api.post("/invoices", invoice_payload(), headers=KEY)
    _age(IdempotencyKey.objects.get(), 48)
    prune_idempotency_keys()
    again = api.post("/invoices", invoice_payload(invoice_number="INV-9"), headers=KEY)
    assert again.status_code == 201
    assert not again.has_header("Idempotent-Replayed")
    assert Invoice.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_posts_create_one_invoice(api_key, invoice_payload):
    threads_count = 4
    barrier = threading.Barrier(threads_count)
    payload = invoice_payload()
    answers: list[tuple[int, dict, bool]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def send() -> None:
        try:
            client = ApiClient(api_key)
            barrier.wait(timeout=10)
            response = client.post("/invoices", payload, headers=KEY)
            with lock:
                answers.append(
                    (
                        response.status_code,
                        response.json(),
                        response.has_header("Idempotent-Replayed"),
                    )
                )
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(answers) == threads_count
    assert Invoice.objects.count() == 1
    assert _created_events() == 1
    invoice_id = str(Invoice.objects.get().id)
    fresh = [a for a in answers if a[0] == 201 and not a[2]]
    assert len(fresh) == 1
    for status, body, replayed in answers:
        assert status in {201, 409}, body
        if status == 201:
            assert body["id"] == invoice_id
        else:
            assert body["code"] == "idempotency_request_in_progress"
            assert not replayed


def test_key_of_a_request_that_died_is_taken_over_by_a_retry(
    api, company, invoice_payload, settings
):
    """A process that died after claiming never stores an answer: retries must not 409 forever."""
    body = json.dumps(invoice_payload()).encode()
    integrator = company.integrators.get(name="ERP")
    record = claim_idempotency_key(
        integrator.api_keys.first(),
        key=KEY["Idempotency-Key"],
        fingerprint=request_fingerprint("POST", "/api/v1/invoices", body),
    ).record
    abandoned = timezone.now() - timedelta(
        seconds=settings.PAYABLES_IDEMPOTENCY_ABANDONED_SECONDS + 1
    )
    IdempotencyKey.objects.filter(pk=record.pk).update(created_at=abandoned)
    response = api.post("/invoices", raw=body, headers=KEY)
    assert response.status_code == 201
    assert Invoice.objects.count() == 1
    assert IdempotencyKey.objects.get(pk=record.pk).state == IdempotencyKey.State.DONE
    assert api.post("/invoices", raw=body, headers=KEY)["Idempotent-Replayed"] == "true"


# --- a stored answer, or a refusal about the key, only after authentication and scope ---------


def _caller(company: Company, caller: str) -> ApiClient:
    """A client that must not get ERP's stored answer: its keys share ERP's idempotency keys."""
    if caller == "no key":
        return ApiClient(None)
    if caller == "unknown key":
        return ApiClient("pay_unknown")
    integrator = company.integrators.get(name="ERP")
    scopes = ["invoices:read"] if caller == "ERP key lacking the scope" else list(SCOPES)
    row, raw = create_api_key(integrator, scopes=scopes)
    if caller == "revoked ERP key":
        revoke_api_key(row)
    return ApiClient(raw)


@pytest.mark.parametrize(
    ("caller", "status", "code"),
    [
        ("no key", 401, "api_key_missing"),
        ("unknown key", 401, "api_key_invalid"),
        ("revoked ERP key", 401, "api_key_invalid"),
        ("ERP key lacking the scope", 403, "missing_scope"),
    ],
)
@pytest.mark.parametrize("earlier", ["answered", "answered another body", "still running"])
def test_key_is_looked_at_only_after_authentication_and_scope(
    api, company, invoice_payload, caller, status, code, earlier
):
    """Neither a replay nor a 422/409 about the key reaches a request the API would refuse."""
    body = json.dumps(invoice_payload()).encode()
    if earlier == "still running":
        claim_idempotency_key(
            company.integrators.get(name="ERP").api_keys.first(),
            key=KEY["Idempotency-Key"],
            fingerprint=request_fingerprint("POST", "/api/v1/invoices", body),
        )
    else:
        assert api.post("/invoices", raw=body, headers=KEY).status_code == 201
    if earlier == "answered another body":
        body = json.dumps(invoice_payload(invoice_number="INV-2")).encode()
    before = list(IdempotencyKey.objects.values())
    invoices = Invoice.objects.count()

    response = _caller(company, caller).post("/invoices", raw=body, headers=KEY)

    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not response.has_header("Idempotent-Replayed")
    assert list(IdempotencyKey.objects.values()) == before
    assert Invoice.objects.count() == invoices


def test_body_over_the_upload_limit_is_413_and_claims_no_key(api, invoice_payload, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64
    response = api.post("/invoices", invoice_payload(), headers=KEY)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not IdempotencyKey.objects.exists()
    assert Invoice.objects.count() == 0


def test_body_over_the_upload_limit_without_a_valid_key_is_401(invoice_payload, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64
    response = ApiClient("pay_unknown").post("/invoices", invoice_payload(), headers=KEY)
    assert response.status_code == 401


def test_patch_over_the_upload_limit_is_413(api, make_invoice, settings):
    invoice = make_invoice()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64
    response = api.patch(f"/invoices/{invoice.id}", {"description": "x" * 100})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_upload_repeated_with_same_key_stores_one_attachment(api, make_invoice):
    """A multipart body is read for the fingerprint and still parsed for its file."""
    invoice = make_invoice()
    path = f"/invoices/{invoice.id}/attachments/upload"

    def upload() -> object:
        return api.upload(path, {"file": SimpleUploadedFile("scan.pdf", b"%PDF-1.4")}, headers=KEY)

    first, again = upload(), upload()
    assert first.status_code == 201, first.content
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Attachment.objects.count() == 1
