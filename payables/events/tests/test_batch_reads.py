"""Reads a write batch shares, and the company write lock a transaction holds: what they
cost in statements, and that nothing stale is ever answered."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from payables.events.batch_reads import batch_has, batch_read, write_batch
from payables.events.models import WebhookSubscription
from payables.events.services import lock_company_writes, record_event
from payables.events.webhooks.fanout import ACTIVE_SUBSCRIPTIONS
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company, Counter


@pytest.fixture(autouse=True)
def _event_counter(company: Company) -> None:
    """The company has written before: its event counter exists (locking it is one read)."""
    Counter.objects.create(company=company, name="event", value=0)


def subscribe(company: Company, name: str = "ERP") -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        company=company, name=name, target="https://erp.example.com/hook", event_types=["*"],
        state="active", secret="s", confirm_token_hash=f"h-{name}",
    )  # fmt: skip


def statements(call: Callable[[], object]) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        answer = call()
    return answer, len(captured.captured_queries)


def test_outside_a_batch_every_read_asks_the_database(company):
    subscribe(company)
    with transaction.atomic():
        lock_company_writes(company)
        for _ in range(2):
            found, cost = statements(lambda: batch_read(company, ACTIVE_SUBSCRIPTIONS))
            assert ([s.name for s in found], cost) == (["ERP"], 1)


def test_a_batch_asks_once_which_settings_exist_and_reads_each_present_one_once(company):
    subscribe(company)
    with transaction.atomic(), write_batch(company):
        lock_company_writes(company)
        found, cost = statements(lambda: batch_read(company, ACTIVE_SUBSCRIPTIONS))
        assert ([s.name for s in found], cost) == (["ERP"], 2)  # which kinds exist, then these
        found, cost = statements(lambda: batch_read(company, ACTIVE_SUBSCRIPTIONS))
        assert ([s.name for s in found], cost) == (["ERP"], 0)


def test_a_setting_the_company_has_none_of_costs_no_read_of_its_own(company):
    with transaction.atomic(), write_batch(company):
        lock_company_writes(company)
        assert statements(lambda: batch_read(company, ACTIVE_SUBSCRIPTIONS)) == ([], 1)
        assert statements(lambda: batch_has(company, ACTIVE_SUBSCRIPTIONS)) == (False, 0)


def test_without_the_company_lock_a_batch_does_not_keep_reads(company):
    with write_batch(company), transaction.atomic():
        assert statements(lambda: batch_read(company, ACTIVE_SUBSCRIPTIONS))[1] == 1
        assert statements(lambda: batch_read(company, ACTIVE_SUBSCRIPTIONS))[1] == 1
        assert batch_has(company, ACTIVE_SUBSCRIPTIONS) is True  # not known: ask


def test_an_event_of_the_setting_in_the_batch_makes_the_next_read_ask_again(company):
    actor = Actor.system(company, "test")
    with transaction.atomic(), write_batch(company):
        lock_company_writes(company)
        assert batch_read(company, ACTIVE_SUBSCRIPTIONS) == []
        subscription = subscribe(company)
        record_event(
            "webhook_subscription.confirmed", actor=actor, subject_type="webhook_subscription",
            subject_id=subscription.pk, payload={},
        )  # fmt: skip
        assert batch_has(company, ACTIVE_SUBSCRIPTIONS) is True
        assert [s.pk for s in batch_read(company, ACTIVE_SUBSCRIPTIONS)] == [subscription.pk]


def test_the_next_batch_reads_afresh_even_in_the_same_transaction(company):
    with transaction.atomic():
        lock_company_writes(company)
        with write_batch(company):
            assert batch_read(company, ACTIVE_SUBSCRIPTIONS) == []
        subscribe(company)  # stored directly: no event tells anyone
        with write_batch(company):
            assert [s.name for s in batch_read(company, ACTIVE_SUBSCRIPTIONS)] == ["ERP"]


@pytest.mark.django_db(transaction=True)
def test_the_next_transaction_of_a_batch_reads_afresh(company):
    with write_batch(company):
        with transaction.atomic():
            lock_company_writes(company)
            assert batch_read(company, ACTIVE_SUBSCRIPTIONS) == []
        subscribe(company)
        with transaction.atomic():
            lock_company_writes(company)
            assert [s.name for s in batch_read(company, ACTIVE_SUBSCRIPTIONS)] == ["ERP"]


def test_the_lock_is_asked_for_once_per_transaction(company):
    with transaction.atomic():
        assert statements(lambda: lock_company_writes(company))[1] == 1
        assert statements(lambda: lock_company_writes(company))[1] == 0


def test_a_lock_taken_in_a_rolled_back_savepoint_is_asked_for_again(company):
    """PostgreSQL gives up a row lock taken in a savepoint that rolls back."""
    with transaction.atomic():
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            lock_company_writes(company)
            1 / 0  # noqa: B018
        assert statements(lambda: lock_company_writes(company))[1] == 1


def test_a_lock_taken_in_a_released_savepoint_is_still_held(company):
    with transaction.atomic():
        with transaction.atomic():
            lock_company_writes(company)
        assert statements(lambda: lock_company_writes(company))[1] == 0
