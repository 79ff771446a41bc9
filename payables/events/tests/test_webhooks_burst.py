"""A burst of events to two subscriptions: every event reaches every receiver, none is lost.

The thousand events come from a bulk supplier load through the API (one event per
supplier, a few hundred per transaction): the fan-out and the batched delivery of a
real burst, fast enough for the suite.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django_tasks_db.models import DBTaskResult

from payables.conftest import ApiClient, invoice_data
from payables.events.models import Event, WebhookMessage
from payables.events.tests.receivers import Receiver, running_receiver, subscribe_confirmed
from payables.events.webhooks.delivery import deliver_due
from payables.masterdata.models import Supplier
from payables.tests.task_worker import use_database_tasks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BURST = 1_000
INVOICES = 500


@pytest.fixture
def make_rule_for_burst(company) -> None:
    """A default routing rule, so every new invoice is also assigned (a second event)."""
    from payables.approvals.services import create_rule
    from payables.masterdata.schemas import UserIn
    from payables.masterdata.services.users import create_user
    from payables.tenancy.actors import Actor

    actor = Actor.system(company)
    create_user(
        UserIn(code="ANN", name="Ann", roles=["approver"], can_be_last_approver=True).model_dump(),
        actor=actor,
    )
    create_rule(
        {"name": "all", "is_default": True, "approvers": [{"user": "ANN", "level": 1}]},
        actor=actor,
    )


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    with running_receiver() as first, running_receiver() as second:
        yield first, second


def test_a_thousand_events_reach_both_subscribers(
    api: ApiClient, receivers: tuple[Receiver, Receiver]
):
    first, second = receivers
    subscribe_confirmed(api, first, event_types=["supplier.created"])
    subscribe_confirmed(api, second, event_types=["*"])
    records = [
        {"erp_code": f"B-{n:04d}", "name": f"Toimittaja {n} Oy", "country": "FI"}
        for n in range(BURST)
    ]

    answer = api.post("/suppliers/bulk", {"records": records})
    assert answer.status_code == 202, answer.content
    deliver_due()  # whatever a first attempt left behind (none expected)

    created = {str(pk) for pk in Supplier.objects.values_list("pk", flat=True)}
    assert len(created) == BURST
    assert Event.objects.filter(type="supplier.created").count() == BURST
    for receiver in receivers:
        got = [m["data"]["subject_id"] for m in receiver.messages("supplier.created")]
        assert set(got) == created
    assert not WebhookMessage.objects.exclude(state="delivered").exists()


def test_a_thousand_invoice_events_reach_both_subscribers(
    api: ApiClient, receivers: tuple[Receiver, Receiver], make_rule_for_burst: None, settings
):
    """500 invoices, each created and assigned by the default routing rule: 1,000 events.

    The burst is queued as production queues it (database tasks, one per transaction)
    while the receivers wait; then the worker's sweep delivers everything that is due.
    """
    first, second = receivers
    subscribe_confirmed(api, first, event_types=["invoice.created", "invoice.assigned"])
    subscribe_confirmed(api, second, event_types=["*"])
    use_database_tasks(settings)
    supplier = api.post("/suppliers", {"name": "Burst AS", "country": "EE"}).json()
    for chunk in range(INVOICES // 100):
        items = [
            {
                "source_system": "burst",
                "source_invoice_id": f"S-{chunk}-{n}",
                **invoice_data(supplier["id"], invoice_number=f"B-{chunk}-{n}"),
            }
            for n in range(100)
        ]
        answer = api.post("/invoices/import/upsert", {"invoices": items})
        assert answer.status_code == 200, answer.content
        assert {r["outcome"] for r in answer.json()["results"]} == {"imported"}, answer.json()
    assert DBTaskResult.objects.filter(status="READY").exists()
    assert not WebhookMessage.objects.filter(
        type__startswith="invoice.", state="delivered"
    ).exists()
    deliver_due()

    events = Event.objects.filter(type__in=["invoice.created", "invoice.assigned"])
    expected = {str(sequence) for sequence in events.values_list("sequence", flat=True)}
    assert len(expected) == 2 * INVOICES
    for receiver in receivers:
        got = [
            m["data"]["cursor"]
            for m in receiver.messages()
            if m["type"] in ("invoice.created", "invoice.assigned")
        ]
        assert set(got) == expected  # every one at least once, nothing else
    assert not WebhookMessage.objects.exclude(state="delivered").exists()
