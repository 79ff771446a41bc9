"""Batch upsert in chunks: a re-sent batch opens no transaction, a chunk is one transaction
under one company lock, a bad item changes nothing while the others land, and a setting
changed mid-way (routing rule, custom field, webhook subscription) is seen by what follows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payables.approvals.services import create_rule
from payables.errors import FieldError
from payables.events.models import Event, WebhookMessage, WebhookSubscription
from payables.invoices.models import AuditEntry, Invoice
from payables.invoices.services import upsert_invoices
from payables.invoices.tests.upsert_support import upsert
from payables.masterdata.models import Supplier
from payables.masterdata.schemas import UserIn
from payables.masterdata.services import create_custom_field
from payables.masterdata.services.users import create_user
from payables.tenancy.actors import Actor
from payables.tenancy.models import CompanyUser


@pytest.fixture
def approver(actor: Actor) -> CompanyUser:
    user = UserIn(
        code="A1", name="Ann", email="ann@example.com", roles=["approver"],
        can_be_last_approver=True,
    )  # fmt: skip
    return create_user(user.model_dump(), actor=actor)


def rule_for(approver: CompanyUser) -> dict:
    return {"name": "Everything", "approvers": [{"user": str(approver.pk), "level": 1}]}


def test_a_resent_batch_is_one_query_and_no_transaction(actor, items):
    assert upsert(actor, items(3)) == ["imported"] * 3
    with CaptureQueriesContext(connection) as captured:
        assert upsert(actor, items(3)) == ["skipped"] * 3
    # Inside the test's transaction a transaction of the service would be a SAVEPOINT.
    assert len(captured.captured_queries) == 1, captured.captured_queries


def test_a_resent_item_among_new_ones_is_skipped_and_the_others_imported(actor, items):
    upsert(actor, items(1, first=2))
    assert upsert(actor, items(3)) == ["imported", "skipped", "imported"]


@pytest.mark.django_db(transaction=True)
def test_each_chunk_is_one_transaction_under_one_lock(actor, items, settings):
    settings.PAYABLES_UPSERT_CHUNK_SIZE = 2
    with CaptureQueriesContext(connection) as captured:
        assert upsert(actor, items(5)) == ["imported"] * 5
    statements = [q["sql"] for q in captured.captured_queries]
    assert statements.count("COMMIT") == 3
    locks = [s for s in statements if s.startswith("SELECT value FROM tenancy_counter")]
    assert len(locks) == 3
    assert list(Invoice.objects.order_by("internal_id").values_list("internal_id", flat=True)) == [
        1, 2, 3, 4, 5,
    ]  # fmt: skip


def test_a_bad_item_changes_nothing_and_the_others_land(actor, items):
    good_one, bad, good_two = items(3)
    bad.pop("supplier_id")
    bad["supplier"] = {"name": "Uus Tarnija OÜ", "country": "EE"}  # created, then undone
    bad["gross_amount"] = "999.00"  # totals are checked once the supplier is known
    report = upsert_invoices(
        [good_one, bad, good_two], actor=actor, import_policy="preserve_if_unique_else_fallback"
    )
    assert [r.outcome for r in report.results] == ["imported", "error", "imported"]
    assert report.results[1].errors[0]["loc"] == ["gross_amount"]
    assert not Supplier.objects.filter(name="Uus Tarnija OÜ").exists()
    assert Invoice.objects.count() == 2


def test_an_item_refused_after_its_invoice_was_written_leaves_no_trace(actor, items):
    def refuse_the_second(index: int, invoice: Invoice, outcome: str) -> None:
        if index == 1:
            raise FieldError("Refused by the caller.", loc=["metadata"], code="refused")

    outcomes = upsert(actor, items(3), after_apply=refuse_the_second)
    assert outcomes == ["imported", "error", "imported"]
    assert sorted(Invoice.objects.values_list("source_invoice_id", flat=True)) == [
        "doc-1", "doc-3",
    ]  # fmt: skip
    assert Event.objects.filter(type="invoice.created").count() == 2
    assert AuditEntry.objects.filter(action="created").count() == 2
    sequences = sorted(Event.objects.values_list("sequence", flat=True))
    assert sequences == list(range(sequences[0], sequences[0] + len(sequences)))  # no gap
    assert sorted(Invoice.objects.values_list("internal_id", flat=True)) == [1, 2]


def test_a_routing_rule_made_by_an_earlier_item_routes_the_later_ones(actor, items, approver):
    """Same chunk, same transaction: recording the rule's event forgets the rules read."""

    def add_a_rule_after_the_first(index: int, invoice: Invoice, outcome: str) -> None:
        if index == 0:
            create_rule(rule_for(approver), actor=actor)

    upsert(actor, items(2), after_apply=add_a_rule_after_the_first)
    statuses = dict(Invoice.objects.values_list("source_invoice_id", "status"))
    assert statuses == {"doc-1": "new", "doc-2": "assigned"}


def test_a_routing_rule_made_between_batches_routes_the_next_batch(actor, items, approver):
    upsert(actor, items(1))
    create_rule(rule_for(approver), actor=actor)
    upsert(actor, items(1, first=2))
    statuses = dict(Invoice.objects.values_list("source_invoice_id", "status"))
    assert statuses == {"doc-1": "new", "doc-2": "assigned"}


def test_a_custom_field_made_by_an_earlier_item_is_required_of_the_later_ones(actor, items):
    def add_a_required_field_after_the_first(index: int, invoice: Invoice, outcome: str) -> None:
        if index == 0:
            create_custom_field(
                {"code": "project", "name": "Project", "type": "text", "is_required": True,
                 "is_active": True},
                actor=actor,
            )  # fmt: skip

    outcomes = upsert(actor, items(2), after_apply=add_a_required_field_after_the_first)
    assert outcomes == ["imported", "error"]


def test_a_custom_field_made_between_batches_is_required_in_the_next_batch(actor, items):
    assert upsert(actor, items(1)) == ["imported"]
    create_custom_field(
        {"code": "project", "name": "Project", "type": "text", "is_required": True,
         "is_active": True},
        actor=actor,
    )  # fmt: skip
    assert upsert(actor, items(1, first=2)) == ["error"]
    assert upsert(actor, items(1, first=3, custom_fields={"project": "P1"})) == ["imported"]


def test_a_webhook_subscription_active_between_batches_gets_the_next_batchs_events(
    actor, items, company
):
    upsert(actor, items(1))
    assert not WebhookMessage.objects.exists()
    WebhookSubscription.objects.create(  # stored directly: no event tells the batch
        company=company, name="ERP", target="https://erp.example.com/hook",
        event_types=["invoice.created"], state="active", secret="s", confirm_token_hash="h",
    )  # fmt: skip
    upsert(actor, items(2, first=2))
    created = WebhookMessage.objects.filter(type="invoice.created")
    assert sorted(m.payload["data"]["payload"]["invoice_number"] for m in created) == [
        "EXT-2", "EXT-3",
    ]  # fmt: skip


def test_the_number_check_asks_the_unique_index_without_an_order(actor, items):
    """One check for the numbers of a chunk's new items. Ordered (by internal id, as
    ``first()`` orders), PostgreSQL may walk every invoice of the company to learn that a
    new number is free."""
    upsert(actor, items(1))
    with CaptureQueriesContext(connection) as captured:
        assert upsert(actor, items(1, first=2)) == ["imported"]
    number_checks = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and "\"invoice_number\" IN ('EXT-2')" in q["sql"]
    ]
    assert len(number_checks) == 1
    assert "ORDER BY" not in number_checks[0]


def by_reference(item: dict, reference: dict) -> dict:
    return {k: v for k, v in item.items() if k != "supplier_id"} | {"supplier": reference}


def test_items_naming_one_supplier_look_it_up_once_per_chunk(actor, items, supplier):
    reference = {"registry_code": supplier.registry_code, "country": "EE"}
    sent = [by_reference(item, reference) for item in items(3)]
    with CaptureQueriesContext(connection) as captured:
        assert upsert(actor, sent) == ["imported"] * 3
    lookups = [q for q in captured.captured_queries if 'FROM "masterdata_supplier"' in q["sql"]]
    assert len(lookups) == 1
    assert set(Invoice.objects.values_list("supplier_id", flat=True)) == {supplier.pk}


def test_a_supplier_made_by_a_refused_item_is_made_again_by_the_next_one(actor, items):
    reference = {"name": "Uus Tarnija OÜ", "country": "EE", "registry_code": "10654211"}
    refused, imported = (by_reference(item, reference) for item in items(2))
    refused["gross_amount"] = "999.00"  # refused once its supplier was made
    assert upsert(actor, [refused, imported]) == ["error", "imported"]
    made = Supplier.objects.get(name="Uus Tarnija OÜ")
    assert Invoice.objects.get().supplier_id == made.pk
    assert Event.objects.filter(type="supplier.created", subject_id=made.pk).count() == 1
