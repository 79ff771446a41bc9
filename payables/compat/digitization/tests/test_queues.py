"""The digitized and exported queues: `from=<timestamp>`, `next`, `$schema`, `documents`.

Shapes from shared/vendor-apis/digitization-service-integration.txt ("Synchronize
results"): ascending by digitizedat / exportedat, `next` the last document's timestamp.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from payables.compat.digitization.tests.conftest import VendorClient
from payables.documents.models import Document
from payables.documents.services.outcomes import DIGITIZED_FEED
from payables.documents.tests.conftest import multipart
from payables.events.models import FeedClock
from payables.handoff.services import export_invoices
from payables.invoices.models import Invoice

AT = datetime(2019, 11, 26, 12, 30, 47, 373000, tzinfo=UTC)


def read_junk(api, tasks_on_commit, count: int, userdata: str = "") -> list[str]:
    """Upload ``count`` unreadable files (each read at once: failed, in the queue)."""
    with tasks_on_commit():
        files = [(f"{n}.bin", f"junk {userdata} {n}".encode()) for n in range(count)]
        answer = multipart(api, files, userdata=userdata)
    return [d["id"] for d in answer.json()["documents"]]


def pull(vendor: VendorClient, queue: str, start: str | None = None, **params) -> tuple:
    """Follow `next` to the end as the description says; answer the ids and the pages."""
    seen, pages, cursor = [], [], start
    while True:
        answer = vendor.get(f"/{queue}", {**params, **({"from": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.content
        page = answer.json()
        pages.append(page)
        seen += [d["documentid"] for d in page["documents"]]
        if "next" not in page:
            return seen, pages
        cursor = page["next"]


def test_a_page_has_the_schema_the_documents_and_no_next_at_the_end(
    vendor, api, upload, ubl, tasks_on_commit
):
    location = upload(ubl, "invoice.xml", userdata="file-1")
    [failed] = read_junk(api, tasks_on_commit, 1, userdata="file-2")

    page = vendor.get("/digitized").json()

    assert set(page) == {"$schema", "documents"}
    first, second = page["documents"]
    assert (first["documentid"], first["userdata"]) == (location["documentid"], "file-1")
    assert first["state"] == "invoice_created" and first["invoiceid"]
    assert first["invoicenumber"] and first["totalamount"] and first["confidence"]["invoicenumber"]
    assert (second["documentid"], second["state"]) == (failed, "failed")
    assert second["failurereason"] == "unsupported_format"
    assert first["digitizedat"] < second["digitizedat"]
    assert first["digitizedat"].endswith("Z") and len(first["digitizedat"]) == 24
    schema = Client().get(page["$schema"].removeprefix("http://127.0.0.1:8000"))
    assert schema.status_code == 200 and "documents" in schema.json()["properties"]


def test_from_the_last_digitizedat_gives_what_came_after(vendor, api, tasks_on_commit):
    first = read_junk(api, tasks_on_commit, 2, userdata="a")
    last_seen = vendor.get("/digitized").json()["documents"][-1]["digitizedat"]
    later = read_junk(api, tasks_on_commit, 1, userdata="b")

    page = vendor.get("/digitized", {"from": last_seen}).json()

    assert [d["documentid"] for d in page["documents"]] == later
    assert len(first) == 2 and "next" not in page
    assert vendor.get("/digitized", {"from": "2999-01-01T00:00:00Z"}).json()["documents"] == []


def test_pages_follow_next_without_skipping_or_repeating(vendor, api, tasks_on_commit):
    sent = read_junk(api, tasks_on_commit, 7)

    seen, pages = pull(vendor, "digitized", limit=3)

    assert seen == sent and len(pages) == 3
    assert pages[0]["next"] == pages[0]["documents"][-1]["digitizedat"]


def _tie(ids: list[str], at: datetime) -> None:
    """Stamp documents in one millisecond, as a clock of coarser precision would."""
    for n, document_id in enumerate(ids):
        Document.objects.filter(pk=document_id).update(digitized_at=at + timedelta(microseconds=n))


def test_documents_of_one_millisecond_are_never_split_by_a_page(vendor, api, tasks_on_commit):
    ids = read_junk(api, tasks_on_commit, 6)
    _tie(ids[:1], AT - timedelta(seconds=1))
    _tie(ids[1:4], AT)  # three in one millisecond, across the boundary of a page of 2
    _tie(ids[4:], AT + timedelta(seconds=1))

    seen, pages = pull(vendor, "digitized", limit=2)

    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
    assert [len(p["documents"]) for p in pages] == [4, 2]
    assert pages[0]["next"] == "2019-11-26T12:30:47.373Z"


def test_the_same_timestamp_repeats_nothing_when_asked_again(vendor, api, tasks_on_commit):
    ids = read_junk(api, tasks_on_commit, 3)
    _tie(ids, AT)

    page = vendor.get("/digitized", {"from": "2019-11-26T12:30:47.373Z"}).json()
    earlier = vendor.get("/digitized", {"from": "2019-11-26T12:30:47.372Z"}).json()

    assert page["documents"] == []
    assert sorted(d["documentid"] for d in earlier["documents"]) == sorted(ids)


def test_a_document_stamped_in_the_millisecond_last_seen_but_committed_later_comes_next(
    vendor, api, tasks_on_commit
):
    """A reader that saw the feed's latest document keeps its millisecond; a document
    whose stamp the feed's clock gives out next must fall in a later millisecond, or
    `from=<that millisecond>` skips it for good."""
    [seen] = read_junk(api, tasks_on_commit, 1)
    latest = datetime(2999, 1, 1, 0, 0, 0, 100, tzinfo=UTC)  # the clock ahead of now
    Document.objects.filter(pk=seen).update(digitized_at=latest)
    FeedClock.objects.filter(name=DIGITIZED_FEED).update(last_at=latest)
    [page] = vendor.get("/digitized").json()["documents"][-1:]
    assert page["documentid"] == seen

    later = read_junk(api, tasks_on_commit, 1)

    pulled = vendor.get("/digitized", {"from": page["digitizedat"]}).json()["documents"]
    assert [d["documentid"] for d in pulled] == later


def test_a_millisecond_fuller_than_two_pages_continues_by_an_opaque_next(
    vendor, api, tasks_on_commit
):
    ids = read_junk(api, tasks_on_commit, 7)
    _tie(ids, AT)

    seen, pages = pull(vendor, "digitized", limit=2)

    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
    assert [len(p["documents"]) for p in pages] == [4, 3]
    assert not pages[0]["next"].startswith("2019")  # no timestamp could say where


def test_a_from_that_is_no_timestamp_is_located(vendor):
    answer = vendor.get("/digitized", {"from": "yesterday"})

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["query", "from"]


@pytest.mark.parametrize(
    ("start", "read"),
    [
        ("9999-12-31T23:59:59.999Z", False),  # its following millisecond is past year 9999
        ("9999-12-31T23:59:59-05:00", False),  # in UTC, past year 9999
        ("0001-01-01T00:00:00+05:00", True),  # in UTC, before year 1
    ],
)
def test_a_from_at_the_ends_of_time_reads_nothing_or_everything(
    vendor, api, tasks_on_commit, start, read
):
    ids = read_junk(api, tasks_on_commit, 1)

    answer = vendor.get("/digitized", {"from": start})

    assert answer.status_code == 200, answer.content
    assert [d["documentid"] for d in answer.json()["documents"]] == (ids if read else [])


def test_another_company_s_documents_are_not_in_the_queue(
    vendor, other_vendor, api, tasks_on_commit
):
    read_junk(api, tasks_on_commit, 2)

    assert other_vendor.get("/digitized").json()["documents"] == []
    assert other_vendor.get("/exported").json()["documents"] == []


def test_the_exported_queue_gives_coded_invoices_by_exportedat(
    vendor, make_exported, make_approved, actor
):
    single = make_exported(invoice_number="E-1")
    batch = [make_approved(invoice_number=f"B-{n}") for n in range(3)]
    export_invoices([str(i.pk) for i in batch], actor=actor)  # one exportedat for the three

    seen, pages = pull(vendor, "exported", limit=2)

    assert seen[0] == str(single.pk) and sorted(seen[1:]) == sorted(str(i.pk) for i in batch)
    assert [len(p["documents"]) for p in pages] == [4]  # the batch is not split
    document = pages[0]["documents"][0]
    assert document["exportid"] == f"{single.pk}/1"
    assert (document["invoicenumber"], document["totalamount"]) == ("E-1", "176.50")
    assert document["state"] == "exported" and document["exportedat"].endswith("Z")
    assert {line["netamount"] for line in document["lines"]} == {"100.00", "50.00"}
    assert document["companycode"] == "10137319"


def test_an_invoice_from_an_upload_is_named_by_the_upload_in_the_exported_queue(
    vendor, upload, ubl, actor, approver
):
    from payables.approvals.services import ApproverRequest, append_approvers, approve_step
    from payables.handoff.services import export_invoice
    from payables.invoices.services.review import clear_review
    from payables.tenancy.actors import Actor

    location = upload(ubl, "invoice.xml", userdata="file-9")
    invoice = Invoice.objects.get(pk=Document.objects.get(pk=location["documentid"]).invoice_id)
    if invoice.needs_review:
        clear_review(invoice, actor=actor, reason="test")
    append_approvers(invoice, [ApproverRequest(user=str(approver.id), level=1)], actor=actor)
    approve_step(invoice.approval_steps.get(is_current=True), actor=Actor.for_user(approver))
    export_invoice(Invoice.objects.get(pk=invoice.pk), actor=actor)

    [document] = vendor.get("/exported").json()["documents"]

    assert (document["documentid"], document["userdata"]) == (location["documentid"], "file-9")
    assert document["invoiceid"] == str(invoice.pk) and document["digitizedat"]


def test_an_office_key_reads_every_company_and_may_name_one(
    company, other_company, api, tasks_on_commit
):
    from payables.conftest import ApiClient
    from payables.tenancy.scopes import SCOPES
    from payables.tenancy.services import create_api_key, create_integrator, grant_companies

    key, raw = create_api_key(create_integrator(other_company, name="Office"), scopes=list(SCOPES))
    grant_companies(key, [company])
    mine = read_junk(api, tasks_on_commit, 1)
    theirs = read_junk(ApiClient(raw), tasks_on_commit, 1)
    office = VendorClient(raw)

    both = [d["documentid"] for d in office.get("/digitized").json()["documents"]]
    one = office.get("/digitized", {"companycode": "10137319"}).json()["documents"]

    assert both == mine + theirs
    assert [d["documentid"] for d in one] == mine


def test_the_queues_need_their_scopes(company, make_key):
    documents_only = VendorClient(make_key(company, ["documents:read"]))

    assert documents_only.get("/digitized").status_code == 200
    assert documents_only.get("/exported").status_code == 403
