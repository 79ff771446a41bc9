"""Routing rules in the Django admin: checked like the API, written through the services."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from payables.approvals.models import ApprovalStep, RoutingRule
from payables.approvals.services import update_rule
from payables.events.models import Event


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def _form(company, **overrides):
    return {
        "company": company.pk,
        "name": "Default",
        "position": 0,
        "is_active": "on",
        "is_default": "on",
        "supplier_ids": "[]",
        "min_amount": "",
        "max_amount": "",
        "currencies": "[]",
        "dimension_values": "{}",
        "custom_field_values": "{}",
        "approvers": '[{"user": "ANN", "level": 1}]',
    } | overrides


def test_admin_adds_a_rule_that_routes_invoices(admin_client, company, make_user, make_invoice):
    ann = make_user("ANN")
    response = admin_client.post("/admin/approvals/routingrule/add/", _form(company))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = RoutingRule.objects.get()
    assert rule.approvers == [{"user_id": str(ann.pk), "level": 1}]
    assert Event.objects.get(type="routing_rule.created").actor == "admin:root"
    invoice = make_invoice()
    assert ApprovalStep.objects.get(invoice=invoice).approver == ann
    page = admin_client.get(f"/admin/approvals/routingrule/{rule.pk}/change/")
    assert page.status_code == 200
    changed = admin_client.post(
        f"/admin/approvals/routingrule/{rule.pk}/change/",
        _form(
            company, name="Renamed", approvers=page.context["adminform"].form["approvers"].value()
        ),
    )
    assert changed.status_code == 302
    assert RoutingRule.objects.get().name == "Renamed"


def test_admin_refuses_an_unknown_approver_and_stores_nothing(admin_client, company):
    response = admin_client.post(
        "/admin/approvals/routingrule/add/", _form(company, approvers='[{"user": "NOBODY"}]')
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"approvers": ["No user 'NOBODY'"]}
    assert not RoutingRule.objects.exists()
    assert not Event.objects.filter(type__startswith="routing_rule").exists()


def test_admin_delete_goes_through_the_service(admin_client, company, make_user, make_rule):
    rule = make_rule("x", [(make_user("ANN"), 1)])
    response = admin_client.post(f"/admin/approvals/routingrule/{rule.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not RoutingRule.objects.exists()
    assert Event.objects.filter(type="routing_rule.deleted").count() == 1


def test_admin_adds_a_second_default_that_replaces_the_first(admin_client, company, make_user):
    make_user("ANN")
    first = admin_client.post("/admin/approvals/routingrule/add/", _form(company, name="A"))
    second = admin_client.post("/admin/approvals/routingrule/add/", _form(company, name="B"))
    assert (first.status_code, second.status_code) == (302, 302)
    assert list(RoutingRule.objects.filter(is_default=True).values_list("name", flat=True)) == ["B"]


def test_admin_refuses_approver_entries_that_are_not_objects(admin_client, company, make_user):
    make_user("ANN")
    make_user("BOB")
    response = admin_client.post(
        "/admin/approvals/routingrule/add/",
        _form(company, approvers='[{"user": "ANN", "level": 1}, "BOB"]'),
    )
    assert response.status_code == 200
    assert "approvers" in response.context["adminform"].form.errors
    assert not RoutingRule.objects.exists()


def test_admin_refuses_a_duplicate_rule_name(admin_client, company, make_user):
    make_user("ANN")
    admin_client.post("/admin/approvals/routingrule/add/", _form(company, is_default=""))
    again = admin_client.post("/admin/approvals/routingrule/add/", _form(company, is_default=""))
    assert again.status_code == 200
    assert RoutingRule.objects.count() == 1


def test_admin_bulk_delete_goes_through_the_service(admin_client, company, make_user, make_rule):
    ann = make_user("ANN")
    rules = [make_rule(name, [(ann, 1)]) for name in ("a", "b")]
    response = admin_client.post(
        "/admin/approvals/routingrule/",
        {"action": "delete_selected", "_selected_action": [r.pk for r in rules], "post": "yes"},
    )
    assert response.status_code == 302
    assert not RoutingRule.objects.exists()
    deleted = Event.objects.filter(type="routing_rule.deleted")
    assert sorted(e.payload["name"] for e in deleted) == ["a", "b"]
    assert {e.actor for e in deleted} == {"admin:root"}


def _initials(page) -> dict:
    """The hidden initial values a browser sends back with the change form (the JSON fields)."""
    form = page.context["adminform"].form
    return {
        f"initial-{name}": field.prepare_value(form[name].initial)
        for name, field in form.fields.items()
        if field.show_hidden_initial
    }


def test_admin_change_sends_the_service_only_what_changed(
    admin_client, company, actor, make_user, make_rule
):
    ann = make_user("ANN")
    rule = make_rule("IT", [(ann, 1)], is_default=True, currencies=["EUR"])
    url = f"/admin/approvals/routingrule/{rule.pk}/change/"
    page = admin_client.get(url)
    approvers = page.context["adminform"].form["approvers"].value()
    same = _form(company, name="IT", currencies='["EUR"]', approvers=approvers) | _initials(page)
    assert admin_client.post(url, same).status_code == 302
    assert not Event.objects.filter(type="routing_rule.updated").exists()  # nothing to write

    update_rule(rule, {"currencies": ["SEK"]}, actor=actor)  # while the page is open
    changed = admin_client.post(url, same | {"position": 4})
    assert changed.status_code == 302, changed.context["adminform"].form.errors
    stored = RoutingRule.objects.get()
    assert (stored.position, stored.currencies, stored.approvers) == (4, ["SEK"], rule.approvers)
    updates = Event.objects.filter(type="routing_rule.updated")
    assert [e.actor for e in updates.order_by("sequence")] == ["test", "admin:root"]


def test_admin_refuses_renaming_a_rule_to_a_taken_name(admin_client, company, make_user, make_rule):
    ann = make_user("ANN")
    make_rule("Taken", [(ann, 1)])
    rule = make_rule("IT", [(ann, 1)], is_default=True)
    response = admin_client.post(
        f"/admin/approvals/routingrule/{rule.pk}/change/",
        _form(company, name="Taken", approvers=f'[{{"user_id": "{ann.pk}", "level": 1}}]'),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"name": ["The company has a routing rule named 'Taken' already"]}
    assert RoutingRule.objects.get(pk=rule.pk).name == "IT"
    assert not Event.objects.filter(type="routing_rule.updated").exists()
