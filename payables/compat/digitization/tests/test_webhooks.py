"""Webhook subscriptions {name, eventType, target}: the SubscriptionConfirmation handshake,
Notification messages in the description's body, Standard Webhooks signatures, retries.

Shapes from shared/vendor-apis/digitization-service-integration.txt ("Subscribe to
webhook", the Notification body, "Webhook event delivery retries").
"""

from __future__ import annotations

import json
from itertools import pairwise
from urllib.parse import urlsplit

import pytest
from django.test import Client
from standardwebhooks import Webhook

from payables.compat.digitization.messages import RETRY_SCHEDULE
from payables.compat.digitization.tests.conftest import VendorClient
from payables.documents.tests.conftest import multipart
from payables.events.models import WebhookAttempt, WebhookMessage, WebhookSubscription
from payables.events.tests.receivers import Reply
from payables.events.webhooks.delivery import deliver_due

pytestmark = pytest.mark.django_db(transaction=True)

NOTIFICATION_KEYS = {
    "Type",
    "MessageId",
    "TopicArn",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
    "UnsubscribeURL",
    "MessageAttributes",
}


def subscribe(vendor: VendorClient, receiver, event_type: str = "on_exported") -> dict:
    # The description's curl --data, with the receiver as the target.
    body = f'{{"name":"SubscriptionName","eventType":"{event_type}","target":"{receiver.url}"}}'
    answer = vendor.post("/webhooks", body)
    assert answer.status_code == 201, answer.content
    return answer.json()


def confirm(receiver) -> None:
    request = json.loads(receiver.received[-1].body)
    assert request["Type"] == "SubscriptionConfirmation"
    answer = Client().get(urlsplit(request["SubscribeURL"]).path)
    assert answer.status_code == 200 and answer.json()["state"] == "active"


def test_the_target_gets_a_confirmation_with_a_subscribe_url(vendor, receiver):
    created = subscribe(vendor, receiver)

    [request] = receiver.received
    body = Webhook(created["secret"]).verify(request.body, request.headers)
    assert body["Type"] == "SubscriptionConfirmation"
    assert body["SubscribeURL"].startswith("http") and body["Token"] in body["SubscribeURL"]
    assert created["state"] == "pending" and created["eventType"] == "on_exported"
    confirm(receiver)
    assert vendor.get(f"/webhooks/{created['id']}").json()["state"] == "active"


def test_nothing_is_sent_before_the_confirmation(vendor, receiver, make_exported):
    subscribe(vendor, receiver)

    make_exported()

    assert len(receiver.received) == 1
    assert not WebhookMessage.objects.filter(type="invoice.exported").exists()


def test_an_export_is_a_notification_naming_the_company(vendor, receiver, make_exported, company):
    created = subscribe(vendor, receiver)
    confirm(receiver)

    make_exported()

    request = receiver.received[-1]
    body = Webhook(created["secret"]).verify(request.body, request.headers)
    assert set(body) == NOTIFICATION_KEYS
    assert body["Type"] == "Notification"
    assert json.loads(body["Message"]) == {"companyCode": "10137319"}
    assert body["MessageId"] == request.headers["webhook-id"]
    assert body["MessageAttributes"]["account"] == {"Type": "String", "Value": str(company.id)}
    assert body["Timestamp"].endswith("Z")


def test_a_digitized_document_is_a_notification_carrying_the_document(
    vendor, api, receiver, tasks_on_commit
):
    created = subscribe(vendor, receiver, "on_digitized")
    confirm(receiver)

    answer = multipart(api, [("a.bin", b"junk")], userdata="file-7")

    [document] = answer.json()["documents"]
    request = receiver.received[-1]
    body = Webhook(created["secret"]).verify(request.body, request.headers)
    message = json.loads(body["Message"])
    queued = vendor.get("/digitized").json()["documents"][0]
    assert message == queued
    assert (message["documentid"], message["userdata"]) == (document["id"], "file-7")


def test_failed_deliveries_are_retried_ten_times_from_20_seconds_to_10_minutes(
    vendor, receiver, make_exported
):
    subscribe(vendor, receiver)
    confirm(receiver)
    receiver.answer(*[Reply(500)] * 11)

    make_exported()
    message = WebhookMessage.objects.get(type="invoice.exported")
    while message.state == "pending":
        deliver_due(now=message.next_attempt_at)
        message.refresh_from_db()

    attempts = list(WebhookAttempt.objects.filter(message=message).order_by("number"))
    waits = [(b.attempted_at - a.attempted_at).total_seconds() for a, b in pairwise(attempts)]
    assert message.state == "dead" and len(attempts) == 11
    assert all(0.89 * s <= w <= 1.11 * s for w, s in zip(waits, RETRY_SCHEDULE, strict=True))
    assert (RETRY_SCHEDULE[0], RETRY_SCHEDULE[-1]) == (20, 600)


def test_subscriptions_are_listed_and_deleted(vendor, api, receiver):
    created = subscribe(vendor, receiver)
    api.post("/webhooks", {"name": "native", "event_types": ["*"], "target": receiver.url})

    listed = vendor.get("/webhooks").json()["subscriptions"]
    deleted = vendor.delete(f"/webhooks/{created['id']}")

    assert [s["id"] for s in listed] == [created["id"]]  # not the native API's one
    assert listed[0]["retries"] == RETRY_SCHEDULE
    assert deleted.status_code == 204
    assert vendor.get(f"/webhooks/{created['id']}").status_code == 404
    assert WebhookSubscription.objects.count() == 1


def test_the_native_api_shows_the_subscription_with_its_format(vendor, api, receiver):
    created = subscribe(vendor, receiver)

    native = api.get(f"/webhooks/{created['id']}").json()

    assert native["message_format"] == "digitization-sns"
    assert native["event_types"] == ["invoice.exported"]


def test_a_bad_subscription_is_located(vendor, receiver):
    kind = vendor.post("/webhooks", {"name": "x", "eventType": "on_paid", "target": receiver.url})
    target = vendor.post("/webhooks", {"name": "x", "eventType": "on_exported", "target": "ftp:x"})

    assert kind.status_code == 422 and kind.json()["errors"][0]["loc"] == ["body", "eventType"]
    assert target.status_code == 422 and target.json()["errors"][0]["loc"] == ["body", "target"]
    assert not WebhookSubscription.objects.exists()


def test_another_company_s_subscription_is_not_found(vendor, other_vendor, receiver):
    created = subscribe(vendor, receiver)

    assert other_vendor.get(f"/webhooks/{created['id']}").status_code == 404
    assert other_vendor.delete(f"/webhooks/{created['id']}").status_code == 404
    assert other_vendor.get("/webhooks").json()["subscriptions"] == []
