"""Concurrent writes of one company (PostgreSQL: real row locks across connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from payables.conftest import ApiClient
from payables.invoices.models import Invoice
from payables.masterdata.models import Supplier

THREADS = 4
ROUNDS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_creating_suppliers_on_the_fly_beside_other_invoices_never_deadlocks(
    api_key, invoice_payload
):
    """One writer creates a supplier (an event) before its invoice; another only the invoice.

    Without one lock order for all writers, the first holds the event counter and waits
    for the invoice counter while the second holds them the other way round.
    """
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    failures: list[BaseException] = []

    def write(thread: int) -> None:
        try:
            client = ApiClient(api_key)
            barrier.wait()
            for n in range(ROUNDS):
                if thread % 2:
                    supplier = {"name": f"New {thread}-{n} OÜ", "country": "EE"}
                    payload = invoice_payload(supplier_id=None, supplier=supplier)
                else:
                    payload = invoice_payload()
                payload["invoice_number"] = f"C-{thread}-{n}"
                statuses.append(client.post("/invoices", payload).status_code)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert statuses == [201] * THREADS * ROUNDS
    assert Invoice.objects.count() == THREADS * ROUNDS
    internal_ids = sorted(Invoice.objects.values_list("internal_id", flat=True))
    assert internal_ids == list(range(1, THREADS * ROUNDS + 1))
    assert Supplier.objects.count() == 1 + (THREADS // 2) * ROUNDS
