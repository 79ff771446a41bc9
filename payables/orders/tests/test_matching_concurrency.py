"""Invoices racing for the last open quantity of an order line (PostgreSQL: real row locks
across connections): never both accepted as matched."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from payables.conftest import ApiClient
from payables.orders.models import InvoiceMatch, MatchAllocation
from payables.orders.tests.matching_cases import invoice_body, row

ROUNDS = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_invoices_racing_for_the_last_quantity_are_never_both_matched(
    api_key, make_order, supplier
):
    for n in range(ROUNDS):
        make_order(number=f"PO-{n}")  # 10 boxes of paper each
    outcomes: dict[int, list[str]] = {n: [] for n in range(ROUNDS)}
    failures: list[BaseException] = []
    barrier = threading.Barrier(2)

    def bill(thread: int) -> None:
        try:
            client = ApiClient(api_key)
            for n in range(ROUNDS):
                rows = [row("Paper A4, box of 5 reams", "6", "12.50")]
                body = invoice_body(supplier, f"R-{thread}-{n}", rows, order_number=f"PO-{n}")
                barrier.wait()
                answer = client.post("/invoices", body)
                assert answer.status_code == 201, answer.content
                outcomes[n].append(answer.json()["po_match_status"])
        except BaseException as exc:
            failures.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=bill, args=(t,)) for t in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    for n in range(ROUNDS):
        assert sorted(outcomes[n]) == ["discrepancy", "matched"], outcomes[n]
    # What the two hold of each order's paper line adds up to what they billed: 6 + 6.
    for match in InvoiceMatch.objects.filter(status="discrepancy"):
        held = MatchAllocation.objects.filter(line__match=match).get()
        assert held.quantity == 6
