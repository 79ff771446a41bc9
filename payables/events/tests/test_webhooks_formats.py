"""Vendor message formats: another body, the same engine (handshake, signature, retries)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from django.test import Client
from standardwebhooks import Webhook

from payables.events.models import WebhookMessage
from payables.events.webhooks import formats
from payables.events.webhooks.delivery import deliver_due
from payables.events.webhooks.formats import MessageFormat
from payables.events.webhooks.services import create_subscription

pytestmark = pytest.mark.django_db(transaction=True)


def _notification(event, subscription, message_id) -> dict:
    return {"Kind": "Note", "Id": str(message_id), "What": event.type, "To": subscription.name}


def _confirmation(subscription, message_id, at, confirm_url) -> dict:
    return {"Kind": "Confirm", "Id": str(message_id), "Url": confirm_url, "At": at.isoformat()}


@pytest.fixture
def vendor_format(monkeypatch) -> str:
    monkeypatch.setitem(
        formats._INSTALLED,
        "test-vendor",
        MessageFormat("test-vendor", _notification, _confirmation),
    )
    return "test-vendor"


def _subscribe(actor, receiver, vendor_format, **extra):
    data = {"name": "Vendor", "event_types": ["invoice.created"], "target": receiver.url}
    return create_subscription(data | {"message_format": vendor_format} | extra, actor=actor)


def test_a_vendor_format_shapes_the_handshake_and_the_events(
    actor, receiver, vendor_format, make_invoice
):
    subscription = _subscribe(actor, receiver, vendor_format)

    [request] = receiver.received
    confirmation = Webhook(subscription.secret).verify(request.body, request.headers)
    assert confirmation["Kind"] == "Confirm" and "token-sent" not in confirmation["Url"]
    assert Client().get(urlsplit(confirmation["Url"]).path).json()["state"] == "active"
    invoice = make_invoice()

    body = Webhook(subscription.secret).verify(
        receiver.received[-1].body, receiver.received[-1].headers
    )
    message = WebhookMessage.objects.get(type="invoice.created")
    assert body == {
        "Kind": "Note",
        "Id": str(message.pk),
        "What": "invoice.created",
        "To": "Vendor",
    }
    assert receiver.received[-1].headers["webhook-id"] == str(message.pk)
    assert message.event.subject_id == invoice.pk


def test_a_vendor_format_s_messages_retry_on_the_subscription_s_schedule(
    actor, receiver, vendor_format, make_invoice
):
    from payables.events.tests.receivers import Reply

    subscription = _subscribe(actor, receiver, vendor_format, retry_schedule=[20, 600])
    request = json.loads(receiver.received[0].body)
    Client().get(urlsplit(request["Url"]).path)
    receiver.answer(Reply(500), Reply(500), Reply(500))
    make_invoice()

    message = WebhookMessage.objects.get(type="invoice.created")
    first_retry = message.next_attempt_at - message.created_at
    deliver_due(now=message.next_attempt_at)
    message.refresh_from_db()
    deliver_due(now=message.next_attempt_at)
    message.refresh_from_db()

    assert 18 <= first_retry.total_seconds() <= 22
    assert (message.state, message.attempt_count) == ("dead", 3)
    assert subscription.retry_schedule == [20, 600]


def test_an_unknown_format_is_refused(actor, receiver):
    with pytest.raises(ValueError, match="not installed"):
        _subscribe(actor, receiver, "nobody's")


def test_a_failing_vendor_body_never_undoes_the_change(actor, receiver, monkeypatch, make_invoice):
    def broken(event, subscription, message_id):
        raise KeyError("a bug in the vendor's renderer")

    monkeypatch.setitem(
        formats._INSTALLED, "broken", MessageFormat("broken", broken, _confirmation)
    )
    _subscribe(actor, receiver, "broken")
    Client().get(urlsplit(json.loads(receiver.received[0].body)["Url"]).path)

    invoice = make_invoice()

    body = json.loads(receiver.received[-1].body)
    assert body["type"] == "invoice.created"
    assert body["data"]["subject_id"] == str(invoice.pk)
