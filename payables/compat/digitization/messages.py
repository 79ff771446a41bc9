"""The digitization service's webhook bodies: Amazon SNS's, as the description shows them.

A ``SubscriptionConfirmation`` whose ``SubscribeURL`` the receiver opens (GET), then
``Notification`` messages whose ``Message`` is a JSON string: the document (on_digitized)
or ``{"companyCode": …}`` (on_exported). payables' webhook engine sends them: signed with
Standard Webhooks headers (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``,
the subscription's secret), retried on the description's schedule. SNS's own RSA
``Signature`` is not made: ``SignatureVersion`` says so, and ``Signature`` is empty.
"""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

from payables.compat.digitization.documents import digitized_document, stamp_text
from payables.documents.queries import documents_of
from payables.events import event_types
from payables.events.models import Event, WebhookSubscription
from payables.events.webhooks.formats import MessageFormat
from payables.tenancy.models import Company
from payables.tenancy.queries import company_code

FORMAT = "digitization-sns"
# The description's event types and the events that make them.
EVENT_TYPES = {
    "on_digitized": [event_types.DOCUMENT_DIGITIZED, event_types.DOCUMENT_FAILED],
    "on_exported": [event_types.INVOICE_EXPORTED],
}
# "Up to 10 times with exponential backoff from 20 sec to 10 min": 20 · 30^(k/9) seconds.
RETRY_SCHEDULE = [20, 29, 43, 62, 91, 132, 193, 282, 411, 600]
SIGNATURE_VERSION = "standard-webhooks"  # not SNS's "1": see the webhook-signature header


def vendor_event_type(subscription: WebhookSubscription) -> str:
    """The description's name of what the subscription receives."""
    if event_types.INVOICE_EXPORTED in subscription.event_types:
        return "on_exported"
    return "on_digitized"


def topic_arn(company: Company, event_type: str) -> str:
    """An ARN-like name of the company's topic (payables has no SNS topics)."""
    return f"arn:payables:digitization:{company_code(company)}:{event_type}"


def _common(subscription: WebhookSubscription, message_id: UUID, at: datetime) -> dict:
    return {
        "MessageId": str(message_id),
        "TopicArn": topic_arn(subscription.company, vendor_event_type(subscription)),
        "Timestamp": stamp_text(at),
        "SignatureVersion": SIGNATURE_VERSION,
        "Signature": "",
        "SigningCertURL": "",
    }


def notification(event: Event, subscription: WebhookSubscription, message_id: UUID) -> dict:
    """The ``Notification`` of an event: the document read, or the company with exports."""
    company = event.company
    if event.type == event_types.INVOICE_EXPORTED:
        message: dict = {"companyCode": company_code(company)}
    else:
        document = documents_of([company]).get(pk=event.subject_id)
        message = digitized_document(document)
    return {
        "Type": "Notification",
        **_common(subscription, message_id, event.created_at),
        "Message": json.dumps(message, default=str, separators=(",", ":"), ensure_ascii=False),
        "UnsubscribeURL": "",
        "MessageAttributes": {"account": {"Type": "String", "Value": str(company.id)}},
    }


def confirmation(
    subscription: WebhookSubscription, message_id: UUID, at: datetime, confirm_url: str
) -> dict:
    """The ``SubscriptionConfirmation``: open ``SubscribeURL`` (GET) to confirm."""
    event_type = vendor_event_type(subscription)
    return {
        "Type": "SubscriptionConfirmation",
        **_common(subscription, message_id, at),
        "Token": confirm_url.rsplit("/", 1)[-1],
        "Message": (
            f"You have chosen to subscribe to {event_type} of "
            f"{company_code(subscription.company)} ({subscription.name}). To confirm the "
            "subscription, visit the SubscribeURL included in this message."
        ),
        "SubscribeURL": confirm_url,
    }


MESSAGE_FORMAT = MessageFormat(FORMAT, notification, confirmation)
