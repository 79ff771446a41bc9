"""The invoice counts by status that the database's triggers keep, and the list's ``count``
read from them: always what ``COUNT(*)`` says."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from payables.invoices.models import Invoice, InvoiceStatusCount
from payables.invoices.services import cancel_invoice, recount_invoice_statuses
from payables.tenancy.models import Company

TRIGGERS = {
    "postgresql": {"invoices_count_status_insert_delete", "invoices_count_status_update"},
    "sqlite": {
        "invoices_count_status_insert",
        "invoices_count_status_delete",
        "invoices_count_status_update",
    },
}


def _kept(company: Company) -> dict[str, int]:
    rows = InvoiceStatusCount.objects.filter(company=company).exclude(count=0)
    return dict(rows.values_list("status", "count"))


def _counted(company: Company) -> dict[str, int]:
    rows = Invoice.objects.filter(company=company).order_by().values_list("status")
    return dict(rows.annotate(n=Count("pk")))


def test_the_triggers_survive_every_migration(db):
    """A migration that rebuilds the invoice table on SQLite drops them: it must add them back
    (``0018_invoice_status_counts.create_triggers``)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'invoices_invoice'::regclass"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["invoices_invoice"],
            )
        found = {name for (name,) in cursor.fetchall()}
    assert found >= TRIGGERS[connection.vendor]


def test_counts_follow_every_insert_status_change_and_delete(
    api, company, other_company, make_invoice, make_exported, actor, invoice_payload
):
    for _ in range(3):
        make_invoice()
    make_exported()
    cancel_invoice(make_invoice(), actor=actor, reason="sent twice")
    items = [
        invoice_payload(source_system="erp", source_invoice_id=f"s-{n}", invoice_number=f"S-{n}")
        for n in range(4)
    ]
    assert api.post("/invoices/import/upsert", {"invoices": items}).json()["imported_count"] == 4
    assert _kept(company) == _counted(company) == {
        "new": 7, "exported": 1, "cancelled": 1
    }  # fmt: skip
    Invoice.objects.filter(company=company, invoice_number="S-0").update(status="booked")
    Invoice.objects.filter(company=company, invoice_number="S-1").delete()
    assert _kept(company) == _counted(company) == {
        "new": 5, "exported": 1, "cancelled": 1, "booked": 1
    }  # fmt: skip
    assert _kept(other_company) == {}


def test_a_recount_gives_the_same_counts(company, make_invoice, make_exported):
    make_invoice()
    make_exported()
    kept = _kept(company)
    InvoiceStatusCount.objects.update(count=99)
    assert recount_invoice_statuses() == 2
    assert _kept(company) == kept == {"new": 1, "exported": 1}


LIST_FILTERS = [
    {},
    {"status": "new"},
    {"status": "exported"},
    {"status": "rejected"},
    {"booked": "true"},
    {"booked": "false"},
    {"approved": "true"},
    {"approved": "false"},
    {"status": "new", "approved": "false"},
    {"status": "new", "approved": "true"},
    {"status": "cancelled", "booked": "false"},
]


@pytest.mark.parametrize("filters", LIST_FILTERS, ids=lambda f: str(f) or "none")
def test_list_count_by_status_is_what_counting_the_rows_gives(
    api, actor, make_invoice, make_exported, filters
):
    for _ in range(2):
        make_invoice()
    make_exported()
    cancel_invoice(make_invoice(), actor=actor, reason="duplicate")
    Invoice.objects.filter(status="exported").update(status="booked")
    kept = api.get("/invoices", filters).json()
    # Any other filter counts the rows themselves; this one selects every invoice.
    counted = api.get("/invoices", filters | {"invoice_date_from": "1900-01-01"}).json()
    assert kept["count"] == counted["count"] == len(counted["items"])
    assert kept["items"] == counted["items"]


def test_a_page_past_the_end_or_of_nothing_still_counts(api, make_invoice):
    for _ in range(3):
        make_invoice()
    past = api.get("/invoices", {"page": 3, "page_size": 2}).json()
    none = api.get("/invoices", {"status": "booked"}).json()
    assert (past["items"], past["count"]) == ([], 3)
    assert (none["items"], none["count"]) == ([], 0)


def test_a_page_by_status_reads_its_count_in_the_same_statement(api, make_invoice):
    for _ in range(3):
        make_invoice()
    with CaptureQueriesContext(connection) as captured:
        page = api.get("/invoices", {"status": "new", "page_size": 2}).json()
    assert (len(page["items"]), page["count"]) == (2, 3)
    statements = [q["sql"] for q in captured.captured_queries]
    assert len([s for s in statements if "invoices_invoicestatuscount" in s]) == 1
    assert len([s for s in statements if "invoices_invoice" in s]) == 1, statements


@pytest.mark.django_db(transaction=True)
def test_migration_counts_the_invoices_that_exist(company, make_invoice, make_exported):
    make_invoice()
    make_exported()
    before = ("invoices", "0018_invoice_status_counts")
    after = ("invoices", "0019_count_existing_invoices")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        InvoiceStatusCount.objects.all().delete()
        make_invoice()  # counted by the trigger, and again by the migration's fresh count
        executor.loader.build_graph()
        executor.migrate([after])
        assert _kept(company) == _counted(company) == {"new": 2, "exported": 1}
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_opposite_status_changes_at_once_never_deadlock(company, make_invoice):
    """Two invoices moving between two statuses in opposite directions, in two transactions
    at once, many times: the trigger changes the two count rows in status order, so both
    always commit (changing them old-then-new deadlocked here within a few rounds)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: nothing to race")
    import threading

    from django.db import connections, transaction

    first, second = make_invoice(), make_invoice()
    Invoice.objects.filter(pk=second.pk).update(status="approved")
    Invoice.objects.filter(pk=first.pk).update(status="assigned")
    failures: list[BaseException] = []
    barrier = threading.Barrier(2)

    def flip(invoice_id, statuses: tuple[str, str]) -> None:
        try:
            for n in range(60):
                barrier.wait(timeout=30)
                with transaction.atomic():
                    Invoice.objects.filter(pk=invoice_id).update(status=statuses[n % 2])
        except BaseException as exc:  # a deadlock is raised in the thread that lost
            failures.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=flip, args=(first.pk, ("approved", "assigned"))),
        threading.Thread(target=flip, args=(second.pk, ("assigned", "approved"))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert _kept(company) == _counted(company)
