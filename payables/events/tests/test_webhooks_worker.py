"""Webhooks with the database task backend and the worker ``payables worker`` runs.

Delivery tasks are queued after commit, retries are queued with ``run_after``, and the
sweep delivers messages whose task was lost (a crash between commit and enqueue).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db.models import F
from django_tasks_db.models import DBTaskResult

from payables.conftest import ApiClient
from payables.events.models import WebhookMessage
from payables.events.tasks import deliver_webhooks, sweep_webhook_deliveries
from payables.events.tests.receivers import (
    Receiver,
    Reply,
    confirm,
    deliveries,
    running_receiver,
    subscribe,
)
from payables.events.webhooks.delivery import queue_sweep
from payables.invoices.models import Invoice
from payables.tests.task_worker import run_worker, use_database_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    use_database_tasks(settings)
    with running_receiver() as receiver:
        yield receiver


def queued(task) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task.module_path, status="READY"))


def confirmed(api: ApiClient, receiver: Receiver) -> dict:
    subscription = subscribe(api, receiver.url, ["invoice.created"])
    assert receiver.received == []  # queued, not sent: the worker sends it
    run_worker()
    confirm(receiver)
    run_worker()  # the sweep queued on confirmation is not due yet: nothing runs
    return subscription


def test_the_worker_delivers_queued_messages(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    subscription = confirmed(api, receiver)

    make_invoice()
    assert receiver.messages("invoice.created") == []
    run_worker()

    assert len(receiver.messages("invoice.created")) == 1
    assert deliveries(api, subscription)[0]["state"] == "delivered"


def test_a_failed_attempt_queues_its_retry_for_when_it_is_due(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    subscription = confirmed(api, receiver)
    receiver.answer(Reply(503))

    make_invoice()
    run_worker()

    [message] = WebhookMessage.objects.filter(subscription_id=subscription["id"], state="pending")
    [retry] = queued(deliver_webhooks)
    assert retry.run_after == message.next_attempt_at
    assert retry.args_kwargs["args"] == [[str(message.pk)]]


def test_the_sweep_delivers_a_message_whose_task_was_lost(
    api: ApiClient, receiver: Receiver, make_invoice: Callable[..., Invoice]
):
    subscription = confirmed(api, receiver)
    make_invoice()
    DBTaskResult.objects.filter(task_path=deliver_webhooks.module_path).delete()  # the "crash"
    DBTaskResult.objects.filter(task_path=sweep_webhook_deliveries.module_path).update(
        run_after=F("enqueued_at")
    )  # the sweep's time has come

    run_worker()

    assert len(receiver.messages("invoice.created")) == 1
    assert deliveries(api, subscription)[0]["state"] == "delivered"
    assert len(queued(sweep_webhook_deliveries)) == 1  # the next sweep, and only one


def test_one_sweep_is_queued_however_often_it_is_asked_for(receiver: Receiver):
    assert queue_sweep() is True
    assert queue_sweep() is False

    assert len(queued(sweep_webhook_deliveries)) == 1
