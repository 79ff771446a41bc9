"""Concurrent upserts of overlapping batches (PostgreSQL: real row locks across connections)."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection

from payables.conftest import ApiClient
from payables.invoices.models import Invoice

THREADS = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_batches_give_one_invoice_per_identity_and_gap_free_numbers(
    api_key, invoice_payload
):
    identities = 30
    items = [
        invoice_payload(source_system="erp", source_invoice_id=f"doc-{n}", invoice_number=f"E-{n}")
        for n in range(identities)
    ]
    # Each thread sends an overlapping window of the identities, in its own order.
    batches = [items[t * 5 : t * 5 + 20][:: 1 if t % 2 else -1] for t in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    answers: list[dict] = []
    failures: list[BaseException] = []

    def send(batch: list[dict]) -> None:
        try:
            client = ApiClient(api_key)
            barrier.wait()
            response = client.post(
                "/invoices/import/upsert",
                {"invoices": batch, "import_policy": "always_local_numbering"},
            )
            assert response.status_code == 200, response.content
            answers.append(response.json())
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(b,)) for b in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    sent = {item["source_invoice_id"] for batch in batches for item in batch}
    stored = list(Invoice.objects.values_list("source_invoice_id", "invoice_number"))
    assert sorted(s for s, _ in stored) == sorted(sent)
    sequence = sorted(int(re.search(r"(\d+)$", number).group(1)) for _, number in stored)
    assert sequence == list(range(1, len(sent) + 1))
    outcomes = [r["outcome"] for a in answers for r in a["results"]]
    assert outcomes.count("imported") == len(sent)
    assert set(outcomes) <= {"imported", "skipped"}
