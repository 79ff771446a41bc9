"""The routing-rule services: plain data in, checked under the company's write lock."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from payables.approvals.errors import RuleNotFound
from payables.approvals.models import RoutingRule
from payables.approvals.services import create_rule, delete_rule, update_rule
from payables.conftest import ApiClient
from payables.errors import ValidationFailed
from payables.events.models import Event
from payables.tenancy.actors import Actor
from payables.tenancy.errors import RoleRequired

THREADS = 4


def _locs(exc: ValidationFailed) -> list[list]:
    return [list(e.loc or ()) for e in exc.errors]


def _events() -> list[tuple[str, dict]]:
    rows = Event.objects.filter(subject_type="routing_rule").order_by("sequence")
    return [(e.type, e.payload) for e in rows]


@pytest.fixture
def ann(make_user):
    return make_user("ANN")


def test_create_takes_plain_values_and_records_the_event(actor, ann, supplier):
    rule = create_rule(
        {
            "name": " Big ",
            "supplier_ids": [str(supplier.id).upper()],
            "min_amount": "1000",
            "approvers": [{"user": "ann@example.com", "level": 2}],
        },
        actor=actor,
    )
    stored = RoutingRule.objects.get()
    assert (stored.name, stored.supplier_ids, stored.min_amount) == (
        "Big",
        [str(supplier.id)],
        Decimal("1000"),
    )
    assert stored.approvers == [{"user_id": str(ann.pk), "level": 2}]
    assert _events() == [("routing_rule.created", {"id": str(rule.id), "name": "Big"})]


def test_create_locates_every_problem_of_plain_values(actor, ann):
    with pytest.raises(ValidationFailed) as refused:
        create_rule(
            {
                "name": "",
                "position": -1,
                "is_active": "yes",
                "min_amount": 1.5,
                "currencies": ["eur"],
                "dimension_values": {"cost_centre": "IT"},
                "approvers": [{"user": "ANN", "level": 4}, "BOB", {"user": "ANN"}],
                "colour": "red",
            },
            actor=actor,
        )
    assert _locs(refused.value) == [
        ["name"],
        ["position"],
        ["is_active"],
        ["min_amount"],
        ["currencies", 0],
        ["dimension_values", "cost_centre"],
        ["approvers", 0, "level"],
        ["approvers", 1],
        ["approvers", 2, "level"],
        ["colour"],
    ]
    assert not RoutingRule.objects.exists()
    assert _events() == []


def test_a_new_rule_needs_a_name_and_approvers(actor):
    with pytest.raises(ValidationFailed) as refused:
        create_rule({"position": 1}, actor=actor)
    assert _locs(refused.value) == [["name"], ["approvers"]]


def test_only_a_person_whose_roles_allow_it_edits_rules(make_user, ann):
    """The service asks ``tenancy.permissions``, whoever calls it."""
    data = {"name": "All", "approvers": [{"user": "ANN", "level": 1}]}
    former_admin = make_user("OLD", roles=("admin",), active=False)
    for person in (ann, former_admin):
        with pytest.raises(RoleRequired):
            create_rule(data, actor=Actor.for_user(person))
    assert not RoutingRule.objects.exists()
    accountant = make_user("ACC", roles=("accountant",))
    assert create_rule(data, actor=Actor.for_user(accountant)).name == "All"


def test_update_merges_into_the_rule_as_stored_now(actor, ann, make_user, make_rule):
    bob = make_user("BOB")
    stale = make_rule("IT", [(ann, 1)], currencies=["EUR"])
    update_rule(RoutingRule.objects.get(pk=stale.pk), {"position": 7}, actor=actor)

    answer = update_rule(stale, {"approvers": [{"user": "BOB", "level": 1}]}, actor=actor)

    stored = RoutingRule.objects.get()
    assert (stored.position, stored.currencies, stored.name) == (7, ["EUR"], "IT")
    assert stored.approvers == [{"user_id": str(bob.pk), "level": 1}]
    assert (answer.position, answer.approvers) == (7, stored.approvers)
    assert [t for t, _ in _events()] == [
        "routing_rule.created",
        "routing_rule.updated",
        "routing_rule.updated",
    ]


def test_update_checks_what_it_changes_and_changes_nothing_when_refused(actor, ann, make_rule):
    rule = make_rule("IT", [(ann, 1)], min_amount=Decimal("100"))
    make_rule("Other", [(ann, 1)])
    with pytest.raises(ValidationFailed) as refused:
        update_rule(rule, {"name": "Other", "max_amount": Decimal("100")}, actor=actor)
    assert _locs(refused.value) == [["max_amount"], ["name"]]
    assert [e.code for e in refused.value.errors] == ["invalid", "duplicate_name"]
    stored = RoutingRule.objects.get(pk=rule.pk)
    assert (stored.name, stored.max_amount) == ("IT", None)
    assert [t for t, _ in _events()] == ["routing_rule.created"] * 2


def test_update_and_delete_of_a_rule_removed_meanwhile_are_not_found(actor, ann, make_rule):
    rule = make_rule("IT", [(ann, 1)])
    delete_rule(RoutingRule.objects.get(pk=rule.pk), actor=actor)
    with pytest.raises(RuleNotFound):
        update_rule(rule, {"position": 1}, actor=actor)
    with pytest.raises(RuleNotFound):
        delete_rule(rule, actor=actor)
    assert [t for t, _ in _events()] == ["routing_rule.created", "routing_rule.deleted"]
    assert _events()[1][1] == {"id": str(rule.id), "name": "IT"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_patches_of_one_rule_all_land(api_key, actor, ann, make_rule):
    """Each PATCH changes another field; none writes back what another changed meanwhile."""
    rule = make_rule("IT", [(ann, 1)])
    patches = [
        {"position": 9},
        {"currencies": ["SEK"]},
        {"min_amount": "10"},
        {"dimension_values": {"cost_centre": ["IT"]}},
    ]
    statuses = _at_once(api_key, [("patch", f"/routing-rules/{rule.id}", p) for p in patches])
    assert statuses == [200] * THREADS
    stored = RoutingRule.objects.get()
    assert (stored.position, stored.currencies, stored.min_amount, stored.dimension_values) == (
        9,
        ["SEK"],
        Decimal("10"),
        {"cost_centre": ["IT"]},
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_rules_of_one_name_one_is_stored_the_rest_refused(api_key, ann):
    rule = {"name": "Same", "is_default": True, "approvers": [{"user": "ANN", "level": 1}]}
    statuses = _at_once(api_key, [("post", "/routing-rules", rule)] * THREADS)
    assert sorted(statuses) == [201] + [422] * (THREADS - 1)
    assert RoutingRule.objects.get().is_default


def _at_once(api_key: str, requests: list[tuple[str, str, dict]]) -> list[int]:
    """Send the requests from as many threads, released together; answer their statuses."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = []
    failures: list[BaseException] = []

    def send(method: str, path: str, payload: dict) -> None:
        try:
            client = ApiClient(api_key)
            barrier.wait()
            statuses.append(getattr(client, method)(path, payload).status_code)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=r) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return statuses
