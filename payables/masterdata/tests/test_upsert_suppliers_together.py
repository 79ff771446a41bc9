"""Upserting many suppliers at once: the new ones are written together (a few statements
for any number), their events in the order of the records, and a supplier a later record
names is the one an earlier record just created."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from stdnum.ee import registrikood

from payables.events.models import Event
from payables.masterdata.models import Supplier, SupplierBankAccount
from payables.masterdata.services.suppliers import plan_supplier, upsert_suppliers
from payables.tenancy.services import take_next_value

IBAN = "EE382200221020145685"


def registry_code(n: int) -> str:
    base = f"{1100000 + n:07d}"
    return next(base + d for d in "0123456789" if registrikood.is_valid(base + d))


def plan(n: int, **changes: object):
    data = {
        "name": f"Tarnija {n} OÜ",
        "country": "EE",
        "registry_code": registry_code(n),
        "bank_accounts": [{"iban": IBAN}],
    } | changes
    return plan_supplier(f"S-{n}", data)


def outcomes(results: list) -> list[str]:
    return [getattr(r, "outcome", None) or r.code for r in results]


def statements_to_create(actor, first: int, count: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        results = upsert_suppliers([plan(n) for n in range(first, first + count)], actor=actor)
    assert outcomes(results) == ["created"] * count
    return len(captured.captured_queries)


def test_new_suppliers_cost_the_same_statements_however_many(actor):
    statements_to_create(actor, 0, 1)  # the counters exist from now on
    assert statements_to_create(actor, 100, 30) == statements_to_create(actor, 200, 3)


def test_new_suppliers_get_gap_free_ids_accounts_and_events_in_order(actor):
    before = take_next_value(actor.company, "supplier")
    results = upsert_suppliers([plan(n) for n in range(5)], actor=actor)
    suppliers = [r.record for r in results]
    assert [s.internal_id for s in suppliers] == list(range(before + 1, before + 6))
    assert SupplierBankAccount.objects.filter(supplier__in=suppliers, iban=IBAN).count() == 5
    events = list(Event.objects.filter(type="supplier.created").order_by("sequence"))
    assert [e.payload["erp_code"] for e in events] == [f"S-{n}" for n in range(5)]
    sequences = [e.sequence for e in events]
    assert sequences == list(range(sequences[0], sequences[0] + 5))


def test_a_record_naming_a_supplier_created_just_before_updates_it(actor):
    first = plan(1)
    again = plan_supplier(
        "", {"name": "Tarnija Uus Nimi OÜ", "country": "EE", "registry_code": registry_code(1)}
    )
    results = upsert_suppliers([first, plan(2), again], actor=actor)
    assert outcomes(results) == ["created", "created", "updated"]
    assert results[2].record.pk == results[0].record.pk
    assert Supplier.objects.get(pk=results[0].record.pk).name == "Tarnija Uus Nimi OÜ"
    types = list(Event.objects.order_by("sequence").values_list("type", "payload__erp_code"))
    assert types[-3:] == [
        ("supplier.created", "S-1"),
        ("supplier.created", "S-2"),
        ("supplier.updated", "S-1"),
    ]


def test_a_new_supplier_taking_another_new_ones_vat_number_is_refused_alone(actor):
    results = upsert_suppliers(
        [plan(1, vat_number="EE100931558"), plan(2, vat_number="EE100931558"), plan(3)],
        actor=actor,
    )
    assert outcomes(results) == ["created", "duplicate_supplier", "created"]
    assert Supplier.objects.count() == 2


def test_unchanged_suppliers_write_nothing(actor):
    upsert_suppliers([plan(n) for n in range(3)], actor=actor)
    with CaptureQueriesContext(connection) as captured:
        results = upsert_suppliers([plan(n) for n in range(3)], actor=actor)
    assert outcomes(results) == ["unchanged"] * 3
    written = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SELECT")]
    assert written == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_supplier_stored_meanwhile_by_a_writer_without_the_lock_refuses_only_its_record(
    actor,
):
    """The suppliers go in one insert; should the database refuse it, each is written on
    its own, so only the record whose identity was taken is refused."""
    inserted, release = threading.Event(), threading.Event()

    def sneak_in() -> None:
        try:
            with transaction.atomic():
                Supplier.objects.create(
                    company=actor.company, internal_id=10_000, name="Sneaky OÜ", country="EE",
                    erp_code="S-2",
                )  # fmt: skip
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=sneak_in)
    thread.start()
    inserted.wait(10)
    # Released while the insert below waits on the unique index for the sneaky row.
    threading.Timer(0.5, release.set).start()
    results = upsert_suppliers([plan(1), plan(2), plan(3)], actor=actor)
    thread.join()
    assert outcomes(results) == ["created", "duplicate_supplier", "created"]
    assert sorted(Supplier.objects.values_list("erp_code", flat=True)) == ["S-1", "S-2", "S-3"]
    assert Event.objects.filter(type="supplier.created").count() == 2
