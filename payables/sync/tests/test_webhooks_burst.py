"""A burst of events to two subscriptions: every event reaches every receiver, none is lost.

The thousand events come from a bulk supplier load through the API (one event per
supplier, a few hundred per transaction): the fan-out and the batched delivery of a
real burst, fast enough for the suite.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from payables.conftest import ApiClient
from payables.masterdata.models import Supplier
from payables.sync.models import Event, WebhookMessage
from payables.sync.tests.receivers import Receiver, running_receiver, subscribe_confirmed
from payables.sync.webhooks.dispatch import deliver_due

pytestmark = pytest.mark.django_db(transaction=True)

BURST = 1_000


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
