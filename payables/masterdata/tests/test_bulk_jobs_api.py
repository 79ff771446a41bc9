"""The bulk endpoints and `GET /jobs/{id}`: envelopes, scopes, progress, events, the worker."""

from __future__ import annotations

import signal
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from payables.cli import main
from payables.events.models import Event
from payables.events.task_leases import reap_expired_tasks
from payables.masterdata.models import Account, BulkJob, BulkJobChunk, VatCode
from payables.masterdata.services.bulk import MAX_STORED_ERRORS
from payables.masterdata.tests.bulk_jobs import job_row, queued_tasks, run_load, submit
from payables.masterdata.tests.kinds import KINDS, KindCase
from payables.tests.task_worker import run_worker, use_database_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _database_tasks(settings):
    use_database_tasks(settings)


def account(code: str, **changes: object) -> dict:
    return {"code": code, "name": f"Account {code}"} | changes


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_kind_is_loaded_in_bulk(api, company, kind: KindCase):
    kind.setup(api)

    job = run_load(api, kind.path, [kind.payload])

    assert (job["state"], job["counts"]["created"], job["errors"]) == ("done", 1, [])
    found = api.get(f"{kind.path}/{kind.code}")
    assert found.status_code == 200
    assert Event.objects.filter(company=company, type=f"{kind.subject_type}.created").exists()


def test_a_load_is_answered_202_with_its_queued_job(api):
    answer = api.post("/accounts/bulk", {"records": [account("A1"), account("A2")]})

    assert answer.status_code == 202
    job = answer.json()
    assert job["kind"] == "account"
    assert job["mode"] == "upsert"
    assert (job["state"], job["total"], job["processed"]) == ("queued", 2, 0)
    assert job["started_at"] is None
    assert queued_tasks() == 1
    assert not Account.objects.exists()


@pytest.mark.parametrize(
    ("envelope", "loc", "kind"),
    [
        ({"records": [account(f"A{n}") for n in range(10_001)]}, ["body", "records"], "too_long"),
        ({"records": []}, ["body", "records"], "too_short"),
        ({"records": [account("A1")], "mode": "replace"}, ["body", "mode"], "literal_error"),
        ({"recrods": [account("A1")]}, ["body", "records"], "missing"),
        ({"records": {"A1": account("A1")}}, ["body", "records"], "list_type"),
    ],
    ids=["over-10000", "empty", "bad-mode", "misspelt", "not-a-list"],
)
def test_a_bad_envelope_is_a_422_and_queues_nothing(api, envelope, loc, kind):
    answer = api.post("/accounts/bulk", envelope)

    assert answer.status_code == 422
    assert {"loc": loc, "type": kind} in [
        {"loc": e["loc"], "type": e["type"]} for e in answer.json()["detail"]
    ]
    assert not BulkJob.objects.exists()
    assert queued_tasks() == 0


def test_a_load_of_exactly_10000_records_is_taken(api):
    answer = api.post("/accounts/bulk", {"records": [account(f"A{n}") for n in range(10_000)]})

    assert answer.status_code == 202
    assert answer.json()["total"] == 10_000
    assert sum(len(c.records) for c in BulkJobChunk.objects.all()) == 10_000


def test_an_unknown_dimension_type_is_a_404(api):
    answer = api.post("/dimension-types/nope/values/bulk", {"records": [{"code": "X"}]})

    assert answer.status_code == 404
    assert not BulkJob.objects.exists()


def test_a_key_without_the_write_scope_may_not_load(client_with):
    answer = client_with("masterdata:read").post("/accounts/bulk", {"records": [account("A1")]})

    assert answer.status_code == 403
    assert not BulkJob.objects.exists()


def test_a_key_without_the_read_scope_may_not_see_jobs(api, client_with):
    job = submit(api, "/accounts", [account("A1")])

    assert client_with("masterdata:write").get(f"/jobs/{job['id']}").status_code == 403
    assert client_with("masterdata:read").get(f"/jobs/{job['id']}").status_code == 200


def test_other_company_gets_404_for_a_job(api, other_api):
    job = submit(api, "/accounts", [account("A1")])

    answer = other_api.get(f"/jobs/{job['id']}")

    assert answer.status_code == 404
    assert answer.json()["code"] == "job_not_found"


def test_the_job_shows_its_progress_chunk_by_chunk(api, settings):
    settings.PAYABLES_BULK_CHUNK_SIZE = 3
    settings.PAYABLES_BULK_CHUNKS_PER_TASK = 1
    job = submit(api, "/accounts", [account(f"A{n}") for n in range(7)])
    seen = []

    for _ in range(3):
        run_worker(max_tasks=1)
        shown = api.get(f"/jobs/{job['id']}").json()
        seen.append((shown["state"], shown["processed"], shown["counts"]["created"]))

    assert seen == [("running", 3, 3), ("running", 6, 6), ("running", 7, 7)]
    assert Account.objects.count() == 7
    run_worker()
    assert api.get(f"/jobs/{job['id']}").json()["state"] == "done"


def test_a_finished_job_records_its_event_with_the_counts(api, company):
    job = run_load(api, "/accounts", [account("A1"), account("A2", type="x")])

    event = Event.objects.get(company=company, type="masterdata.job_finished")
    assert (event.subject_type, str(event.subject_id)) == ("bulk_job", job["id"])
    assert event.payload == {
        "id": job["id"],
        "kind": "account",
        "dimension_type": None,
        "mode": "upsert",
        "state": "done",
        "total": 2,
        "counts": {"created": 1, "updated": 0, "unchanged": 0, "failed": 1, "deactivated": 0},
        "error_count": 1,
    }
    created = Event.objects.get(company=company, type="account.created")
    assert created.actor == event.actor
    assert created.actor.startswith("integrator:ERP")
    assert created.sequence < event.sequence


def test_the_stored_records_are_removed_when_the_job_is_done(api):
    job = run_load(api, "/accounts", [account("A1")])

    assert not BulkJobChunk.objects.filter(job_id=job["id"]).exists()
    assert job_row(job).finished_at is not None


def test_a_code_given_twice_is_refused_the_second_time(api):
    job = run_load(api, "/accounts", [account("A1"), account("A1", name="Again")])

    assert job["counts"]["created"] == 1
    assert job["errors"] == [
        {
            "index": 1,
            "code": "A1",
            "loc": ["code"],
            "msg": "This code is given at index 0 of the load already.",
            "type": "repeated_in_load",
        }
    ]
    assert Account.objects.get().name == "Account A1"


def test_numbers_keep_their_decimals_on_the_way_to_the_worker(api):
    job = run_load(api, "/vat-codes", [{"code": "V", "rate": 25.5, "non_deductible_share": 0.1}])

    assert job["counts"]["created"] == 1
    vat_code = VatCode.objects.get()
    assert (vat_code.rate, vat_code.non_deductible_share) == (Decimal("25.5"), Decimal("0.1"))


def test_errors_beyond_the_kept_ones_are_still_counted(api):
    records = [{"code": f"A{n}"} for n in range(MAX_STORED_ERRORS + 5)]

    job = run_load(api, "/accounts", records)

    assert job["counts"]["failed"] == job["error_count"] == MAX_STORED_ERRORS + 5
    assert len(job["errors"]) == MAX_STORED_ERRORS
    assert job["errors"][-1]["index"] == MAX_STORED_ERRORS - 1


def test_a_repeated_request_with_the_same_idempotency_key_gives_the_same_job(api):
    headers = {"Idempotency-Key": "nightly-2026-11-22"}
    body = {"records": [account("A1")]}

    first = api.post("/accounts/bulk", body, headers=headers)
    again = api.post("/accounts/bulk", body, headers=headers)

    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert BulkJob.objects.count() == 1
    assert queued_tasks() == 1


def test_a_job_stopped_by_an_unexpected_error_is_failed(api, company):
    job = submit(api, "/accounts", [account("A1")])
    BulkJobChunk.objects.filter(job_id=job["id"]).update(records=42)  # not a list

    run_worker()

    shown = api.get(f"/jobs/{job['id']}").json()
    assert shown["state"] == "failed"
    assert shown["finished_at"] is not None
    assert job_row(job).failure.startswith("TypeError")
    event = Event.objects.get(company=company, type="masterdata.job_finished")
    assert event.payload["state"] == "failed"
    assert DBTaskResult.objects.get().status == "FAILED"


def test_a_job_whose_worker_keeps_dying_is_failed_with_the_reason(api, company, settings):
    """Its task is claimed by workers that die at once; the lease reaper gives it up."""
    job = submit(api, "/accounts", [account("A1")])
    task = DBTaskResult.objects.get()
    later = timezone.now()
    for worker in ("w1", "w2", "w3"):
        task.claim(worker)
        later += timedelta(seconds=settings.PAYABLES_TASK_LEASE_SECONDS + 1)
        reap_expired_tasks(now=later)
        task.refresh_from_db()

    shown = api.get(f"/jobs/{job['id']}").json()
    assert shown["state"] == "failed"
    assert shown["failure"] == (
        "The worker running it died 3 times (its lease expired each time); it is not tried again."
    )
    assert shown["finished_at"] is not None
    event = Event.objects.get(company=company, type="masterdata.job_finished")
    assert event.payload["state"] == "failed"
    assert task.status == "FAILED"
    run_worker()  # nothing is left to run it
    assert not Account.objects.exists()


def test_payables_worker_runs_the_queued_jobs(api):
    job = submit(api, "/accounts", [account("A1"), account("A2")])
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        main(["worker", "--batch", "--no-startup-delay", "--verbosity", "0"])
    finally:
        for number, handler in handlers.items():  # the worker sets its own
            signal.signal(number, handler)

    assert api.get(f"/jobs/{job['id']}").json()["state"] == "done"
    assert Account.objects.count() == 2


def test_the_admin_lists_bulk_jobs_read_only(api, admin_client):
    job = submit(api, "/accounts", [account("A1")])

    listed = admin_client.get(reverse("admin:masterdata_bulkjob_changelist"))
    page = admin_client.get(reverse("admin:masterdata_bulkjob_change", args=[job["id"]]))

    assert listed.status_code == page.status_code == 200
    assert "account" in listed.content.decode()
    assert admin_client.get(reverse("admin:masterdata_bulkjob_add")).status_code == 403
