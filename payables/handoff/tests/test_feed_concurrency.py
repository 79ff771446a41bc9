"""The exported feed under concurrent exports (PostgreSQL: real row locks across connections)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from payables.conftest import ApiClient
from payables.events.tests.feed_support import Writer, read_while_writing
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

    def exporting(invoices: list[Invoice]) -> Writer:
        def write(client: ApiClient, start: Callable[[], None]) -> None:
            start()
            singles, batch = invoices[:-3], invoices[-3:]
            for invoice in singles:
                response = client.post(f"/invoices/{invoice.id}/export")
                assert response.status_code == 200, response.json()
            response = client.post("/invoices/export", {"invoices": [str(i.id) for i in batch]})
            assert [r["outcome"] for r in response.json()["results"]] == ["exported"] * 3

        return write

    seen = read_while_writing(
        api_key,
        "/feeds/exported",
        [exporting(invoices) for invoices in batches],
        identity=lambda document: document["document_id"],
    )
    in_order = Invoice.objects.filter(exported_at__isnull=False).order_by("exported_at", "id")
    assert len(in_order) == writers * per_writer
    assert seen == [f"{i.id}/1" for i in in_order]
