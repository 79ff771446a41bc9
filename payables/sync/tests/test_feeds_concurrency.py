"""The exported feed under concurrent exports (PostgreSQL: real row locks across connections)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from payables.conftest import ApiClient
from payables.invoices.models import Invoice


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reader_pulling_during_concurrent_exports_sees_each_once_in_order(api_key, make_approved):
    """Writers export (one by one and in batches) while a reader pages with a small limit.

    An export whose position came before one the reader had already passed, but committed
    after it, would be lost to the reader for good; the company lock and the clamp on
    ``exported_at`` keep commit order and feed order the same.
    """
    writers, per_writer = 3, 8
    batches = [[make_approved() for _ in range(per_writer)] for _ in range(writers)]
    barrier = threading.Barrier(writers + 1)
    writing_done = threading.Event()
    errors: list[BaseException] = []
    seen: list[str] = []

    def write(invoices: list[Invoice]) -> None:
        try:
            client = ApiClient(api_key)
            barrier.wait(timeout=10)
            singles, batch = invoices[:-3], invoices[-3:]
            for invoice in singles:
                response = client.post(f"/invoices/{invoice.id}/export")
                assert response.status_code == 200, response.json()
            response = client.post("/invoices/export", {"invoices": [str(i.id) for i in batch]})
            assert [r["outcome"] for r in response.json()["results"]] == ["exported"] * 3
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    def read() -> None:
        try:
            client = ApiClient(api_key)
            barrier.wait(timeout=10)
            position = ""
            for _ in range(10_000):  # bounded; ends once writing is over and read out
                done = writing_done.is_set()
                page = client.get("/feeds/exported", {"from": position, "limit": 3}).json()
                seen.extend(d["document_id"] for d in page["items"])
                position = page["cursor"] or position
                if page["next"] is None:
                    if done:
                        return
                    time.sleep(0.001)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(batch,)) for batch in batches]
    threads.append(threading.Thread(target=read))
    for thread in threads:
        thread.start()
    for thread in threads[:-1]:
        thread.join(timeout=120)
    writing_done.set()
    threads[-1].join(timeout=120)
    assert not errors, errors
    in_order = Invoice.objects.filter(exported_at__isnull=False).order_by("exported_at", "id")
    assert len(in_order) == writers * per_writer
    assert seen == [f"{i.id}/1" for i in in_order]
