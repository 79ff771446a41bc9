"""The upload flow end to end, as in production: an upload location, a PUT, a real
``payables worker`` process reading the document, the digitized feed with the uploader's
user data, and the ``document.digitized`` webhook received and verified (Standard
Webhooks signature)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from standardwebhooks import Webhook

from payables.documents.tests.conftest import location, put
from payables.events.tests.receivers import Receiver, confirm, running_receiver, subscribe
from payables.tests.task_worker import (
    WorkerProcesses,
    database_for_processes,
    use_database_tasks,
    wait_until,
)

# A worker process starts and reads: several seconds.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def worker(settings, tmp_path) -> Iterator[WorkerProcesses]:
    """A ``payables worker`` on the test database, with this test's storage folder."""
    use_database_tasks(settings)
    with database_for_processes(tmp_path) as env:
        processes = WorkerProcesses(tmp_path, env | {"PAYABLES_DATA_DIR": str(tmp_path)})
        try:
            yield processes
        finally:
            processes.stop_all()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


def test_an_upload_is_read_by_the_worker_and_announced_by_a_signed_webhook(
    api, worker, receiver, ubl
):
    subscription = subscribe(api, receiver.url, ["document.digitized"])
    worker.start()
    wait_until(lambda: receiver.messages("SubscriptionConfirmation"), what="the confirmation")
    confirm(receiver)

    where = location(api, "invoice.xml", userdata="erp:4711")
    assert put(where["url"], ubl, where["Content-Type"]).status_code == 200

    [request] = wait_until(
        lambda: [r for r in receiver.received if r.message["type"] == "document.digitized"],
        what="the document.digitized webhook",
    )
    message = Webhook(subscription["secret"]).verify(request.body, request.headers)
    assert message["type"] == "document.digitized"
    payload = message["data"]["payload"]
    assert (payload["id"], payload["userdata"]) == (where["document_id"], "erp:4711")
    assert payload["state"] == "invoice_created" and payload["invoice_id"]

    [entry] = api.get("/feeds/digitized").json()["items"]
    assert (entry["id"], entry["userdata"], entry["invoice_id"]) == (
        where["document_id"],
        "erp:4711",
        payload["invoice_id"],
    )
    assert entry["fields"]["invoice_number"]["value"], worker.logs()
