"""The new invoices of an upsert chunk are stored together: the database ends up as if each
item had been written alone, in order (internal ids, events, audit entries, posting lines,
webhook messages), and a bad item, found before or when they are stored, changes nothing
while the others land."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payables.approvals.models import ApprovalStep
from payables.approvals.routing import active_rules
from payables.approvals.services import create_rule
from payables.coding.models import PostingLine
from payables.errors import FieldError
from payables.events.models import Event, WebhookMessage, WebhookSubscription
from payables.invoices import lifecycle
from payables.invoices.models import AuditEntry, Invoice
from payables.invoices.services import upsert_invoices
from payables.invoices.tests.upsert_support import upsert
from payables.masterdata.schemas import UserIn
from payables.masterdata.services.users import create_user
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company


def written_alone(index: int, invoice: Invoice, outcome: str) -> None:
    """A caller's ``after_apply`` has every item written alone, in its own savepoint."""


@pytest.fixture
def routed_and_watched(actor: Actor, company: Company) -> None:
    """A routing rule (so routing adds an audit entry and an event to each new invoice) and
    a webhook subscription to every event."""
    user = UserIn(
        code="A1", name="Ann", email="ann@example.com", roles=["approver"],
        can_be_last_approver=True,
    )  # fmt: skip
    approver = create_user(user.model_dump(), actor=actor)
    create_rule(
        {"name": "Everything", "approvers": [{"user": str(approver.pk), "level": 1}]},
        actor=actor,
    )
    WebhookSubscription.objects.create(
        company=company, name="ERP", target="https://erp.example.com/hook", event_types=["*"],
        state="active", secret="s", confirm_token_hash="h",
    )  # fmt: skip


def trail(numbers: list[str]) -> dict:
    """What the invoices of these numbers left, with each number replaced by its place."""
    invoices = {i.id: i for i in Invoice.objects.filter(invoice_number__in=numbers)}
    place = {pk: numbers.index(i.invoice_number) for pk, i in invoices.items()}
    varying = {"id", "internal_id", "invoice_number"}
    events = [
        (e.type, place[e.subject_id], {k: v for k, v in e.payload.items() if k not in varying})
        for e in Event.objects.filter(subject_id__in=invoices).order_by("sequence")
    ]
    entries = [
        (place[a.invoice_id], a.action, a.comment, a.actor)
        for a in AuditEntry.objects.filter(invoice__in=invoices).order_by("at", "pk")
    ]
    lines = sorted(
        (place[p.invoice_id], p.position, p.description, p.net_amount)
        for p in PostingLine.objects.filter(invoice__in=invoices)
    )
    steps = sorted(
        (place[s.invoice_id], s.status, s.is_current)
        for s in ApprovalStep.objects.filter(invoice__in=invoices)
    )
    messages = sorted(
        (m.type, place[m.event.subject_id])
        for m in WebhookMessage.objects.filter(event__subject_id__in=invoices).select_related(
            "event"
        )
    )
    statuses = [invoices_by_number(invoices)[n].status for n in numbers]
    return {
        "events": events, "audit": entries, "posting lines": lines, "steps": steps,
        "messages": messages, "statuses": statuses,
    }  # fmt: skip


def invoices_by_number(invoices: dict) -> dict[str, Invoice]:
    return {i.invoice_number: i for i in invoices.values()}


def gap_free(values: list[int]) -> bool:
    return sorted(values) == list(range(min(values), min(values) + len(values)))


def test_a_chunk_stores_what_its_items_written_alone_would(actor, items, routed_and_watched):
    assert upsert(actor, items(3), after_apply=written_alone) == ["imported"] * 3
    assert upsert(actor, items(3, first=4)) == ["imported"] * 3

    alone, together = trail(["EXT-1", "EXT-2", "EXT-3"]), trail(["EXT-4", "EXT-5", "EXT-6"])
    assert together == alone
    assert [e[:2] for e in together["events"]] == [
        ("invoice.created", 0), ("invoice.assigned", 0),
        ("invoice.created", 1), ("invoice.assigned", 1),
        ("invoice.created", 2), ("invoice.assigned", 2),
    ]  # fmt: skip
    assert [a[:2] for a in together["audit"]] == [
        (0, "created"), (0, "routed"), (1, "created"), (1, "routed"), (2, "created"), (2, "routed"),
    ]  # fmt: skip
    assert together["statuses"] == ["assigned"] * 3
    assert list(
        Invoice.objects.order_by("internal_id").values_list("invoice_number", "internal_id")
    ) == [(f"EXT-{n}", n) for n in range(1, 7)]
    assert gap_free(list(Event.objects.values_list("sequence", flat=True)))


def test_a_chunk_of_new_invoices_costs_the_same_statements_whatever_its_size(actor, items):
    upsert(actor, items(1, first=100))  # the counters exist, as after any first write

    def statements(batch: list[dict]) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert upsert(actor, batch) == ["imported"] * len(batch)
        return len(captured.captured_queries)

    assert statements(items(2)) == statements(items(6, first=3))


def test_routing_a_chunks_new_invoices_costs_three_statements_each(
    actor, items, routed_and_watched
):
    """The approvers are read once per chunk and the first step is stored current: each
    routed invoice costs its step's internal id, its step and its status, nothing more."""
    upsert(actor, items(1, first=100))  # the counters exist, as after any first write

    def statements(batch: list[dict]) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert upsert(actor, batch) == ["imported"] * len(batch)
        return len(captured.captured_queries)

    assert statements(items(6, first=3)) - statements(items(2)) == 4 * 3
    assert trail(["EXT-3"])["steps"] == [(0, "waiting", True)]


def test_a_bad_item_in_the_middle_changes_nothing_and_the_others_land(actor, items):
    first, bad, last = items(3)
    bad["gross_amount"] = "999.00"
    report = upsert_invoices(
        [first, bad, last], actor=actor, import_policy="preserve_if_unique_else_fallback"
    )
    assert [r.outcome for r in report.results] == ["imported", "error", "imported"]
    assert report.results[1].errors[0]["loc"] == ["gross_amount"]
    assert list(
        Invoice.objects.order_by("internal_id").values_list("invoice_number", "internal_id")
    ) == [("EXT-1", 1), ("EXT-3", 2)]
    assert trail(["EXT-1", "EXT-3"])["audit"] == [
        (0, "created", "", "test"), (1, "created", "", "test"),
    ]  # fmt: skip
    assert [e[:2] for e in trail(["EXT-1", "EXT-3"])["events"]] == [
        ("invoice.created", 0), ("invoice.created", 1),
    ]  # fmt: skip
    assert PostingLine.objects.filter(invoice__invoice_number="EXT-2").count() == 0
    assert gap_free(list(Event.objects.values_list("sequence", flat=True)))


@pytest.fixture
def refuse_ext_2(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hook of new invoices that refuses EXT-2: a refusal found only once the chunk's
    invoices are inserted, as any hook's could be."""

    def refuse(invoice: Invoice, *, actor: Actor) -> None:
        if invoice.invoice_number == "EXT-2":
            raise FieldError("Refused by a hook.", loc=["rows", 0], code="refused")

    hooks = lifecycle._hooks[lifecycle.Moment.ROUTABLE]
    monkeypatch.setitem(lifecycle._hooks, lifecycle.Moment.ROUTABLE, [*hooks, refuse])


def test_an_item_refused_when_the_chunk_is_stored_changes_nothing_and_the_others_land(
    actor, items, refuse_ext_2
):
    report = upsert_invoices(
        items(3), actor=actor, import_policy="preserve_if_unique_else_fallback"
    )
    assert [r.outcome for r in report.results] == ["imported", "error", "imported"]
    assert report.results[1].errors == [
        {"index": 1, "source_invoice_id": "doc-2", "loc": ["rows", 0],
         "msg": "Refused by a hook.", "type": "refused"},
    ]  # fmt: skip
    assert list(
        Invoice.objects.order_by("internal_id").values_list("invoice_number", "internal_id")
    ) == [("EXT-1", 1), ("EXT-3", 2)]
    assert [e[:2] for e in trail(["EXT-1", "EXT-3"])["events"]] == [
        ("invoice.created", 0), ("invoice.created", 1),
    ]  # fmt: skip
    assert AuditEntry.objects.count() == 2
    assert PostingLine.objects.filter(invoice__invoice_number="EXT-2").count() == 0
    assert gap_free(list(Event.objects.values_list("sequence", flat=True)))


def test_a_number_two_items_of_a_chunk_bring_is_kept_by_the_first(actor, items):
    first, second = items(2)
    second["invoice_number"] = "EXT-1"
    report = upsert_invoices(
        [first, second], actor=actor, import_policy="preserve_if_unique_else_fallback"
    )
    assert [r.outcome for r in report.results] == ["imported", "imported"]
    stored = {i.source_invoice_id: i for i in Invoice.objects.all()}
    assert (stored["doc-1"].invoice_number, stored["doc-1"].external_number) == ("EXT-1", "")
    assert stored["doc-2"].invoice_number.startswith("PI-")  # the policy's fallback
    assert stored["doc-2"].external_number == "EXT-1"
    assert (stored["doc-1"].internal_id, stored["doc-2"].internal_id) == (1, 2)


def test_a_number_two_items_bring_is_a_conflict_for_the_second_where_the_policy_says(actor, items):
    first, second = items(2)
    second["invoice_number"] = "EXT-1"
    report = upsert_invoices(
        [first, second], actor=actor, import_policy="always_preserve_and_reject_on_conflict"
    )
    assert [r.outcome for r in report.results] == ["imported", "conflict"]
    holder = Invoice.objects.get()
    assert (report.results[1].invoice_id, report.results[1].number) == (holder.id, "EXT-1")
    assert f"internal id {holder.internal_id}" in report.results[1].detail


def test_settings_read_inside_an_item_that_rolled_back_are_read_again(actor, items):
    """The item made a routing rule, and its write read the rules again, before it was
    refused: the rule is gone with it, and the next item must not be routed by it."""
    user = UserIn(
        code="A1", name="Ann", email="ann@example.com", roles=["approver"],
        can_be_last_approver=True,
    )  # fmt: skip
    approver = create_user(user.model_dump(), actor=actor)

    def make_a_rule_then_refuse(index: int, invoice: Invoice, outcome: str) -> None:
        if index == 0:
            rule = {"name": "Everything", "approvers": [{"user": str(approver.pk), "level": 1}]}
            create_rule(rule, actor=actor)
            assert [r.name for r in active_rules(actor.company)] == ["Everything"]
            raise FieldError("Refused by the caller.", loc=["metadata"], code="refused")

    assert upsert(actor, items(2), after_apply=make_a_rule_then_refuse) == ["error", "imported"]
    assert Invoice.objects.get().status == "new"
    assert not ApprovalStep.objects.exists()
