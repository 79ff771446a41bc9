"""Webhook defects found in review, each pinned by a test that failed before its fix.

Confirmation only through the target, the confirm token never shown, answers the
database cannot store, the clock of a long sweep, a receiver that trickles, late
outcomes of lost leases, and sending a confirmation request again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from standardwebhooks import Webhook

from payables.conftest import ApiClient
from payables.events.models import WebhookAttempt, WebhookMessage, WebhookSubscription
from payables.events.tests.receivers import (
    Receiver,
    Reply,
    confirm,
    deliveries,
    raw_server,
    subscribe,
    subscribe_confirmed,
)
from payables.events.webhooks.delivery import Attempted, Claim, deliver_due, record_outcomes
from payables.events.webhooks.fanout import message_body
from payables.events.webhooks.transport import Outcome, post_message
from payables.invoices.models import Invoice

pytestmark = pytest.mark.django_db(transaction=True)

CONFIRMATION = "SubscriptionConfirmation"


def token_sent(receiver: Receiver) -> str:
    """The token in the confirm URL of the last confirmation request the receiver got."""
    url = receiver.messages(CONFIRMATION)[-1]["data"]["confirm_url"]
    return urlsplit(url).path.rsplit("/", 1)[1]


def open_url(url: str) -> int:
    return Client().get(urlsplit(url).path).status_code


# 1. Only a confirmed subscription can be active.


def test_a_pending_subscription_paused_and_resumed_stays_unconfirmed(api: ApiClient):
    created = subscribe(api, "http://127.0.0.1:9/hooks")  # nothing listens: never confirms
    webhook = f"/webhooks/{created['id']}"

    assert api.patch(webhook, {"state": "disabled"}).status_code == 200
    answer = api.patch(webhook, {"state": "active"})

    assert answer.status_code == 409, answer.content
    assert answer.json()["code"] == "webhook_state_refused"
    assert "confirm" in answer.json()["detail"]
    assert WebhookSubscription.objects.get(pk=created["id"]).state == "disabled"


def test_a_confirmed_subscription_pauses_and_resumes(api: ApiClient, receiver: Receiver):
    created = subscribe_confirmed(api, receiver)
    webhook = f"/webhooks/{created['id']}"

    assert api.patch(webhook, {"state": "disabled"}).json()["state"] == "disabled"
    assert api.patch(webhook, {"state": "active"}).json()["state"] == "active"


def test_a_subscription_paused_before_confirming_can_resume_once_confirmed(
    api: ApiClient, receiver: Receiver
):
    created = subscribe(api, receiver.url)
    webhook = f"/webhooks/{created['id']}"
    api.patch(webhook, {"state": "disabled"})

    assert confirm(receiver)["state"] == "disabled"  # confirmed, still paused
    answer = api.patch(webhook, {"state": "active"})

    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "active"


# 2. The confirm token is sent to the target and shown nowhere else.


def test_the_confirm_token_is_never_shown_to_the_subscriber_or_the_admin(
    api: ApiClient, receiver: Receiver, admin_client
):
    created = subscribe(api, receiver.url)
    token = token_sent(receiver)
    message = WebhookMessage.objects.get(subscription_id=created["id"])

    listed = api.get(f"/webhooks/{created['id']}/deliveries")
    one = api.get(f"/webhooks/{created['id']}/deliveries/{message.pk}")
    admin_page = admin_client.get(f"/admin/sync/webhookmessage/{message.pk}/change/")

    assert listed.status_code == one.status_code == admin_page.status_code == 200
    for shown in (listed.content.decode(), one.content.decode(), admin_page.content.decode()):
        assert token not in shown
    assert token not in str(message.payload)
    shown_url = listed.json()["items"][0]["payload"]["data"]["confirm_url"]
    assert open_url(shown_url) == 404  # what the subscriber sees confirms nothing
    assert WebhookSubscription.objects.get(pk=created["id"]).state == "pending"
    assert confirm(receiver)["state"] == "active"  # the target's URL does


def test_every_attempt_of_a_confirmation_carries_the_same_working_url(
    api: ApiClient, receiver: Receiver
):
    receiver.answer(Reply(500))
    created = subscribe(api, receiver.url)
    deliver_due(now=timezone.now() + timedelta(hours=1))

    first, second = (m["data"]["confirm_url"] for m in receiver.messages(CONFIRMATION))
    assert first == second
    request = receiver.received[0]  # signed at the real time (the retry at the test's)
    verified = Webhook(created["secret"]).verify(request.body, request.headers)
    assert verified["data"]["confirm_url"] == first
    assert confirm(receiver)["state"] == "active"


# 3. What a receiver answers is stored, whatever bytes it holds.


def test_nul_bytes_in_answers_are_stored_and_the_other_outcomes_too(
    api: ApiClient,
    receiver: Receiver,
    second_receiver: Receiver,
    make_invoice: Callable[..., Invoice],
):
    with raw_server((0, b"\x00bad\r\n\r\n")) as broken:
        nul_body = subscribe_confirmed(api, receiver, event_types=["invoice.created"])
        fine = subscribe_confirmed(api, second_receiver, event_types=["invoice.created"])
        bad_status = subscribe(api, broken, ["invoice.created"])
        WebhookSubscription.objects.filter(pk=bad_status["id"]).update(
            state="active", confirmed_at=timezone.now()
        )  # the raw server cannot confirm; its answer to the event is what matters
        receiver.answer(Reply(200, body=b"ok\x00"))

        make_invoice()  # one batch, one company: three outcomes recorded together

    [delivered] = deliveries(api, nul_body, state="delivered")
    assert delivered["attempts"][0]["response_body"] == "ok\\x00"
    assert len(deliveries(api, fine, state="delivered")) == 1
    [failed] = deliveries(api, bad_status, state="pending")
    [attempt] = failed["attempts"]
    assert attempt["status_code"] is None
    assert attempt["error"].startswith("BadStatusLine")
    assert "\x00" not in attempt["error"]


def test_an_outcome_that_cannot_be_recorded_does_not_lose_the_others(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    created = subscribe_confirmed(api, receiver, event_types=["invoice.created"])
    receiver.stop()
    make_invoice()
    make_invoice()
    good, bad = WebhookMessage.objects.filter(
        subscription_id=created["id"], type="invoice.created"
    ).order_by("pk")
    impossible = Outcome(200, duration_ms=-1)  # a row the database refuses (negative)

    record_outcomes(
        [attempted(good, Outcome(200, 5)), attempted(bad, impossible)], now=timezone.now()
    )

    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.state, good.attempt_count) == ("delivered", 2)
    assert (bad.state, bad.attempt_count) == ("pending", 2)
    last = bad.attempts.get(number=2)
    assert last.status_code is None
    assert last.error.startswith("the answer could not be stored")


def attempted(message: WebhookMessage, outcome: Outcome, *, lease: datetime | None = None):
    """An attempt of ``message`` as a worker holding its current lease made it."""
    subscription = message.subscription
    claim = Claim(
        message.pk,
        subscription.company_id,
        subscription.target,
        subscription.secret,
        b"{}",
        lease or message.next_attempt_at,
    )
    return Attempted(claim, timezone.now(), outcome)


# 4. A sweep reads the clock as it goes.


def test_a_long_sweep_signs_each_attempt_with_the_time_it_is_sent(
    api: ApiClient, receiver: Receiver
):
    created = subscribe_confirmed(api, receiver, event_types=["invoice.created"])
    subscription = WebhookSubscription.objects.get(pk=created["id"])
    due = timezone.now() - timedelta(seconds=1)
    for n in range(2):
        WebhookMessage.objects.create(
            subscription=subscription,
            type="invoice.created",
            payload=message_body("invoice.created", due, {"n": n}),
            next_attempt_at=due,
        )
    receiver.answer(Reply(200, delay=1.05))  # the first answer takes a second
    before = len(receiver.received)

    deliver_due()

    first, second = receiver.received[before:]
    stamps = [int(r.headers["webhook-timestamp"]) for r in (first, second)]
    assert stamps[1] - stamps[0] >= 1
    for request in (first, second):
        Webhook(created["secret"]).verify(request.body, request.headers)
    by_id = {
        str(a.message_id): a.attempted_at
        for a in WebhookAttempt.objects.filter(message__type="invoice.created")
    }
    sent = [by_id[r.headers["webhook-id"]] for r in (first, second)]
    assert [int(at.timestamp()) for at in sent] == stamps


# 5. The timeout bounds the whole exchange.


def test_a_receiver_trickling_its_headers_is_cut_off_at_the_timeout():
    trickle = [(0, b"HTTP/1.1 200 OK\r\n")] + [(0.2, b"X-Slow: yes\r\n")] * 15
    with raw_server(*trickle, (0, b"Content-Length: 0\r\n\r\n")) as target:
        outcome = post_message(
            target, b"{}", {}, timeout=0.5, max_response_bytes=100, allow_private=True
        )

    assert outcome.error.startswith("timeout")
    assert outcome.status_code is None
    assert outcome.duration_ms < 1500  # not the 3 s the headers take


# 7. A confirmation request can be sent again; a new target never gets the old one.


def test_a_target_that_was_down_gets_the_confirmation_again(api: ApiClient, receiver: Receiver):
    receiver.stop()
    created = subscribe(api, receiver.url)  # the request fails; its retries are pending
    [first] = WebhookMessage.objects.filter(subscription_id=created["id"])
    receiver.start()

    answer = api.post(f"/webhooks/{created['id']}/resend-confirmation")

    assert answer.status_code == 202, answer.content
    assert answer.json()["state"] == "pending"
    first.refresh_from_db()
    assert first.state == "dead"  # its URL is void: it is not sent any more
    deliver_due(now=timezone.now() + timedelta(days=1))
    assert len(receiver.messages(CONFIRMATION)) == 1
    assert confirm(receiver)["state"] == "active"
    again = api.post(f"/webhooks/{created['id']}/resend-confirmation")
    assert again.status_code == 409
    assert again.json()["code"] == "confirmation_refused"


def test_resending_voids_the_url_sent_before(api: ApiClient, receiver: Receiver):
    created = subscribe(api, receiver.url)
    old_url = receiver.messages(CONFIRMATION)[-1]["data"]["confirm_url"]

    api.post(f"/webhooks/{created['id']}/resend-confirmation")

    new_url = receiver.messages(CONFIRMATION)[-1]["data"]["confirm_url"]
    assert new_url != old_url
    assert open_url(old_url) == 404
    assert open_url(new_url) == 200


def test_a_subscription_paused_before_confirming_is_pending_again_on_resend(
    api: ApiClient, receiver: Receiver
):
    created = subscribe(api, receiver.url)
    api.patch(f"/webhooks/{created['id']}", {"state": "disabled"})

    answer = api.post(f"/webhooks/{created['id']}/resend-confirmation")

    assert answer.json()["state"] == "pending"
    assert confirm(receiver)["state"] == "active"


def test_a_new_target_never_gets_the_old_confirmation(
    api: ApiClient, receiver: Receiver, second_receiver: Receiver
):
    receiver.stop()
    created = subscribe(api, receiver.url)  # its confirmation is pending, retrying
    receiver.start()

    api.patch(f"/webhooks/{created['id']}", {"target": second_receiver.url})
    deliver_due(now=timezone.now() + timedelta(days=1))

    assert receiver.messages() == []
    [request] = second_receiver.messages(CONFIRMATION)
    assert open_url(request["data"]["confirm_url"]) == 200
    states = WebhookMessage.objects.filter(
        subscription_id=created["id"], type=CONFIRMATION
    ).order_by("created_at")
    assert [m.state for m in states] == ["dead", "delivered"]


def test_the_confirmation_request_is_not_retried_once_the_target_confirmed(
    api: ApiClient, receiver: Receiver
):
    receiver.answer(Reply(500))  # the target takes the URL but answers the request with an error
    created = subscribe(api, receiver.url)
    message = WebhookMessage.objects.get(subscription_id=created["id"], type=CONFIRMATION)
    assert message.state == "pending"  # a retry is planned

    assert confirm(receiver)["state"] == "active"
    message.refresh_from_db()
    deliver_due(now=timezone.now() + timedelta(days=1))

    assert (message.state, message.next_attempt_at) == ("delivered", None)
    assert message.delivered_at is not None
    assert len(receiver.messages(CONFIRMATION)) == 1
    shown = api.get(f"/webhooks/{created['id']}/deliveries/{message.pk}").json()
    assert shown["state"] == "delivered"


def test_a_subscription_paused_then_confirmed_gets_no_more_confirmation_requests(
    api: ApiClient, receiver: Receiver
):
    receiver.answer(Reply(500))
    created = subscribe(api, receiver.url)
    api.patch(f"/webhooks/{created['id']}", {"state": "disabled"})

    assert confirm(receiver)["state"] == "disabled"
    api.patch(f"/webhooks/{created['id']}", {"state": "active"})
    deliver_due(now=timezone.now() + timedelta(days=1))

    message = WebhookMessage.objects.get(subscription_id=created["id"], type=CONFIRMATION)
    assert message.state == "delivered"
    assert len(receiver.messages(CONFIRMATION)) == 1


def test_a_confirmation_request_still_pending_after_its_confirmation_is_delivered_unsent(
    api: ApiClient, receiver: Receiver
):
    """As an earlier version left them: confirmed, yet its request kept being retried."""
    receiver.answer(Reply(500))
    created = subscribe(api, receiver.url)
    confirm(receiver)
    WebhookMessage.objects.filter(subscription_id=created["id"]).update(
        state="pending", delivered_at=None, next_attempt_at=timezone.now()
    )

    deliver_due(now=timezone.now() + timedelta(days=1))

    message = WebhookMessage.objects.get(subscription_id=created["id"], type=CONFIRMATION)
    assert (message.state, message.next_attempt_at) == ("delivered", None)
    assert len(receiver.messages(CONFIRMATION)) == 1


def test_a_confirmation_request_is_not_redelivered(api: ApiClient, receiver: Receiver):
    created = subscribe_confirmed(api, receiver)
    message = WebhookMessage.objects.get(subscription_id=created["id"], type=CONFIRMATION)

    answer = api.post(f"/webhooks/{created['id']}/deliveries/{message.pk}/redeliver")

    assert answer.status_code == 409
    assert answer.json()["code"] == "redelivery_refused"


# 9. An outcome that comes back after its lease was lost does not count in the round.


def test_a_late_failure_after_the_lease_was_lost_is_history_only(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    created = subscribe_confirmed(api, receiver, event_types=["invoice.created"])
    receiver.stop()
    make_invoice()
    [message] = WebhookMessage.objects.filter(subscription_id=created["id"], type="invoice.created")
    lost = message.next_attempt_at - timedelta(minutes=1)  # a lease taken over since

    record_outcomes([attempted(message, Outcome(500, 5), lease=lost)], now=timezone.now())

    late = WebhookMessage.objects.get(pk=message.pk)
    assert (late.attempt_count, late.attempts_in_round) == (2, 1)
    assert late.next_attempt_at == message.next_attempt_at
    assert late.attempts.get(number=2).status_code == 500


def test_a_late_success_still_delivers(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    created = subscribe_confirmed(api, receiver, event_types=["invoice.created"])
    receiver.stop()
    make_invoice()
    [message] = WebhookMessage.objects.filter(subscription_id=created["id"], type="invoice.created")
    lost = message.next_attempt_at - timedelta(minutes=1)

    record_outcomes([attempted(message, Outcome(200, 5), lease=lost)], now=timezone.now())

    assert WebhookMessage.objects.get(pk=message.pk).state == "delivered"
