"""Coding rules in the Django admin: checked like the API, written through the services."""

from __future__ import annotations

import json

from payables.coding.models import CodingRule
from payables.coding.tests import rules_support
from payables.events.models import Event

master_data = rules_support.master_data


def _form(company, **overrides):
    return {
        "company": company.pk,
        "name": "Paper",
        "position": 1,
        "is_active": "on",
        "conditions": json.dumps({"text_contains": "paper", "supplier": "EE100931558"}),
        "actions": json.dumps({"account_code": "6000"}),
    } | overrides


def test_admin_adds_and_changes_a_rule_through_the_service(
    admin_client, company, master_data, supplier
):
    response = admin_client.post("/admin/coding/codingrule/add/", _form(company))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = CodingRule.objects.get()
    assert rule.conditions == {"text_contains": "paper", "supplier": str(supplier.id)}
    assert Event.objects.get(type="coding_rule.created").actor == "admin:admin"
    page = admin_client.get(f"/admin/coding/codingrule/{rule.pk}/change/")
    assert page.status_code == 200
    changed = admin_client.post(
        f"/admin/coding/codingrule/{rule.pk}/change/",
        _form(company, conditions=json.dumps(rule.conditions), actions='{"account_code": "4000"}'),
    )
    assert changed.status_code == 302
    assert CodingRule.objects.get().actions == {"account_code": "4000"}
    assert Event.objects.filter(type="coding_rule.updated").count() == 1


def test_admin_shows_a_refusal_beside_its_field_and_stores_nothing(
    admin_client, company, master_data
):
    actions = json.dumps({"account_code": "4000", "vat_code": "S22"})
    response = admin_client.post("/admin/coding/codingrule/add/", _form(company, actions=actions))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "vat_code" in errors["actions"][0] and "sales VAT code" in errors["actions"][0]
    assert not CodingRule.objects.exists()


def test_admin_deletes_a_rule_with_its_event(admin_client, company, master_data, supplier):
    admin_client.post("/admin/coding/codingrule/add/", _form(company))
    rule = CodingRule.objects.get()
    response = admin_client.post(f"/admin/coding/codingrule/{rule.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CodingRule.objects.exists()
    assert Event.objects.filter(type="coding_rule.deleted").count() == 1
