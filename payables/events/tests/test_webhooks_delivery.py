"""Webhook delivery to real receivers on 127.0.0.1: handshake, signatures, retries, dead letters.

Transactional tests: messages are queued by real ``on_commit`` callbacks, and the
immediate task backend makes each first attempt at once. Later attempts are driven by
``deliver_due(now=…)`` with a clock the test moves on: no sleeping through schedules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from payables.conftest import ApiClient
from payables.events.models import Event, WebhookMessage, WebhookSubscription
from payables.events.tests.receivers import (
    Receiver,
    Reply,
    deliveries,
    subscribe,
    subscribe_confirmed,
)
from payables.events.webhooks.delivery import deliver_due
from payables.invoices.models import Invoice
from payables.masterdata.services import create_supplier
from payables.tenancy.actors import Actor

pytestmark = pytest.mark.django_db(transaction=True)


def verify(secret: str, request) -> dict:
    return Webhook(secret).verify(request.body, request.headers)


def run_until_settled(subscription: dict, *, limit: int = 20) -> None:
    """Move the clock to each next attempt and run what is due, until nothing is pending."""
    for _ in range(limit):
        pending = WebhookMessage.objects.filter(subscription_id=subscription["id"], state="pending")
        if not pending.exists():
            return
        deliver_due(now=min(m.next_attempt_at for m in pending))
    raise AssertionError("messages still pending")


def test_confirmation_handshake_comes_before_any_event(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    created = subscribe(api, receiver.url, ["invoice.created"])
    [request] = receiver.received
    confirmation = verify(created["secret"], request)
    assert confirmation["type"] == "SubscriptionConfirmation"
    assert confirmation["data"]["subscription_id"] == created["id"]

    make_invoice()
    assert len(receiver.received) == 1  # pending: nothing but the confirmation request
    assert not WebhookMessage.objects.exclude(type="SubscriptionConfirmation").exists()

    answer = api.client.get(
        confirmation["data"]["confirm_url"].removeprefix("http://127.0.0.1:8000")
    )
    assert answer.status_code == 200
    assert answer.json()["state"] == "active"
    confirmed = Event.objects.get(type="webhook_subscription.confirmed")
    assert confirmed.payload["id"] == created["id"]
    make_invoice()

    assert [m["type"] for m in receiver.messages()] == [
        "SubscriptionConfirmation",
        "invoice.created",
    ]
    assert api.get(f"/webhooks/{created['id']}").json()["state"] == "active"


def test_deliveries_verify_with_standard_webhooks_and_tampering_fails(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    created = subscribe_confirmed(api, receiver)
    invoice = make_invoice()

    request = receiver.received[-1]
    body = verify(created["secret"], request)
    assert body["type"] == "invoice.created"
    assert body["data"]["subject_id"] == str(invoice.pk)
    assert body["data"]["cursor"] == str(Event.objects.get(subject_id=invoice.pk).sequence)
    assert set(body) == {"type", "timestamp", "data"}
    [delivery] = deliveries(api, created, state="delivered")
    assert request.headers["webhook-id"] == delivery["id"]
    tampered = request.body.replace(
        str(invoice.pk).encode(), b"00000000-0000-0000-0000-000000000000"
    )
    with pytest.raises(WebhookVerificationError):
        Webhook(created["secret"]).verify(tampered, request.headers)


def test_retries_follow_the_schedule_until_delivered(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    created = subscribe_confirmed(api, receiver, event_types=["invoice.created"])
    receiver.answer(Reply(500), Reply(500), Reply(500))

    make_invoice()
    run_until_settled(created)

    [delivery] = deliveries(api, created, state="delivered")
    attempts = delivery["attempts"]
    assert [a["status_code"] for a in attempts] == [500, 500, 500, 200]
    times = [datetime.fromisoformat(a["attempted_at"]) for a in attempts]
    gaps = [(later - earlier).total_seconds() for earlier, later in pairwise(times)]
    for gap, planned in zip(gaps, [20, 40, 80], strict=True):
        assert planned * 0.9 <= gap <= planned * 1.1
    ids = {r.headers["webhook-id"] for r in receiver.received[1:]}
    assert ids == {delivery["id"]}  # one id on every attempt: receivers dedupe by it


def test_a_message_dies_after_ten_attempts_and_redelivery_delivers_it(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    created = subscribe_confirmed(api, receiver, event_types=["invoice.created"])
    receiver.stop()

    make_invoice()
    run_until_settled(created)

    [dead] = deliveries(api, created, state="dead")
    assert len(dead["attempts"]) == 10
    assert all(a["status_code"] is None and a["error"] for a in dead["attempts"])
    assert deliveries(api, created, state="pending") == []
    assert api.get(f"/webhooks/{created['id']}").json()["state"] == "active"

    receiver.start()
    answer = api.post(f"/webhooks/{created['id']}/deliveries/{dead['id']}/redeliver")

    assert answer.status_code == 202, answer.content
    [delivered] = deliveries(api, created, state="delivered")
    assert delivered["id"] == dead["id"]
    assert len(delivered["attempts"]) == 11
    [request] = [r for r in receiver.received if r.message["type"] == "invoice.created"]
    assert request.headers["webhook-id"] == dead["id"]


def test_a_timeout_counts_as_a_failure(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice], settings
):
    created = subscribe_confirmed(api, receiver, event_types=["invoice.created"])
    settings.PAYABLES_WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.answer(Reply(200, delay=2))

    make_invoice()

    [delivery] = deliveries(api, created, state="pending")
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] is None
    assert attempt["error"].startswith("timeout")


def test_redirects_are_not_followed(
    api: ApiClient,
    receiver: Receiver,
    second_receiver: Receiver,
    make_invoice: Callable[..., Invoice],
):
    created = subscribe_confirmed(api, receiver, event_types=["invoice.created"])
    receiver.answer(Reply(307, headers={"Location": second_receiver.url}))

    make_invoice()

    [delivery] = deliveries(api, created, state="pending")
    assert delivery["attempts"][0]["status_code"] == 307
    assert "redirect" in delivery["attempts"][0]["error"]
    assert second_receiver.received == []


def test_only_the_first_bytes_of_an_answer_are_read(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    created = subscribe_confirmed(api, receiver, event_types=["invoice.created"])
    receiver.answer(Reply(200, body=b"x" * 200_000))

    make_invoice()

    [delivery] = deliveries(api, created, state="delivered")
    assert delivery["attempts"][0]["response_body"] == "x" * 4096


def test_a_target_turned_private_is_refused_at_delivery(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice], settings
):
    """The address is checked again before each attempt (DNS may answer differently now)."""
    created = subscribe_confirmed(api, receiver, event_types=["invoice.created"])
    settings.PAYABLES_WEBHOOK_ALLOW_PRIVATE = False

    make_invoice()

    [delivery] = deliveries(api, created, state="pending")
    assert delivery["attempts"][0]["error"].startswith("refused")
    assert receiver.messages("invoice.created") == []


def test_event_types_filter_and_star(
    api: ApiClient,
    receiver: Receiver,
    second_receiver: Receiver,
    actor: Actor,
    make_invoice: Callable[..., Invoice],
):
    subscribe_confirmed(api, receiver, event_types=["invoice.created"])
    subscribe_confirmed(api, second_receiver, event_types=["*"])

    create_supplier({"name": "Helsingin Siivous Oy", "country": "FI"}, actor=actor)
    make_invoice()

    assert [m["type"] for m in receiver.messages()[1:]] == ["invoice.created"]
    everything = {m["type"] for m in second_receiver.messages()[1:]}
    assert {"supplier.created", "invoice.created"} <= everything


def test_deleting_a_subscription_stops_its_deliveries(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    created = subscribe_confirmed(api, receiver, event_types=["invoice.created"])
    receiver.stop()
    make_invoice()  # fails; a retry is pending
    receiver.start()

    api.client.delete(f"/api/v1/webhooks/{created['id']}", headers={"X-API-Key": api.key})
    ran = deliver_due(now=datetime.now().astimezone() + timedelta(days=1))
    make_invoice()

    assert ran == 0
    assert receiver.messages("invoice.created") == []
    assert not WebhookMessage.objects.exists()


def test_after_rotation_only_the_new_secret_verifies(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    created = subscribe_confirmed(api, receiver, event_types=["invoice.created"])
    rotated = api.post(f"/webhooks/{created['id']}/rotate-secret").json()["secret"]

    make_invoice()

    request = receiver.received[-1]
    assert verify(rotated, request)["type"] == "invoice.created"
    with pytest.raises(WebhookVerificationError):
        verify(created["secret"], request)


def test_a_subscription_whose_messages_keep_dying_for_a_day_is_disabled(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    created = subscribe_confirmed(
        api, receiver, event_types=["invoice.created"], retry_schedule=[60]
    )
    receiver.stop()
    make_invoice()
    failing_since = api.get(f"/webhooks/{created['id']}").json()["failing_since"]
    run_until_settled(created)  # dead after a minute: not a day yet
    assert WebhookSubscription.objects.get(pk=created["id"]).state == "active"

    make_invoice()  # fails at once (real clock), dies a day later (test clock)
    deliver_due(now=datetime.fromisoformat(failing_since) + timedelta(hours=25))

    shown = api.get(f"/webhooks/{created['id']}").json()
    assert shown["state"] == "disabled"
    assert Event.objects.filter(
        type="webhook_subscription.disabled", subject_id=created["id"]
    ).exists()
    assert len(deliveries(api, created, state="dead")) == 2
    make_invoice()
    assert len(deliveries(api, created)) == 2  # the two dead: the disabled gets no new one
