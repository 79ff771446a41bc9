"""Concurrent real-time syncs of one company (PostgreSQL: real row locks across connections)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from payables.conftest import ApiClient as MasterDataClient
from payables.events.models import Event
from payables.masterdata.models import DimensionType, ProductItem, SellerMapping

THREADS = 4


def _together(call: Callable[[MasterDataClient], object], api_key: str) -> list[object]:
    """Run ``call`` in THREADS threads at once; return what each answered."""
    barrier = threading.Barrier(THREADS)
    answers: list[object] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            client = MasterDataClient(api_key)
            barrier.wait()
            answers.append(call(client))
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_upserts_of_a_new_code_create_it_once(api, api_key):
    supplier = api.post("/suppliers", {"name": "Tarnija OÜ", "country": "EE", "erp_code": "S-1"})
    assert supplier.status_code == 201
    item = {
        "description": "Office paper A4",
        "seller_mappings": [{"supplier_code": "S-1", "seller_code": "A4-500"}],
    }
    answers = _together(lambda c: c.put("/items/by-code/PAPER", item), api_key)
    assert sorted(a.status_code for a in answers) == [200] * (THREADS - 1) + [201]
    assert ProductItem.objects.count() == SellerMapping.objects.count() == 1
    assert Event.objects.filter(type="item.created").count() == 1
    assert not Event.objects.filter(type="item.updated").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_uses_of_dimensions_create_the_defaults_once(api_key, company):
    answers = _together(lambda c: c.get("/dimension-types"), api_key)
    assert [a.json()["count"] for a in answers] == [3] * THREADS
    assert DimensionType.objects.filter(company=company).count() == 3
    assert Event.objects.filter(type="dimension_type.created").count() == 3
