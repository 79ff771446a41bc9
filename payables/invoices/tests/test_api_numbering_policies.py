"""Numbering policies: CRUD, one default per company, pattern checks."""

from __future__ import annotations

import pytest

from payables.invoices.models import NumberingPolicy


def test_creates_lists_updates_and_deletes_a_policy(api):
    created = api.post("/numbering-policies", {"name": "Main", "pattern": "PI-{year}-{seq:06}"})
    assert created.status_code == 201, created.json()
    policy_id = created.json()["id"]
    assert created.json()["next_value"] == 1
    assert [p["name"] for p in api.get("/numbering-policies").json()] == ["Main"]
    patched = api.patch(f"/numbering-policies/{policy_id}", {"next_value": 500, "is_default": True})
    assert (patched.json()["next_value"], patched.json()["is_default"]) == (500, True)
    assert api.get(f"/numbering-policies/{policy_id}").json()["next_value"] == 500
    assert (
        api.client.delete(
            f"/api/v1/numbering-policies/{policy_id}", headers={"X-API-Key": api.key}
        ).status_code
        == 204
    )
    assert not NumberingPolicy.objects.exists()


def test_a_new_default_replaces_the_old_one(api):
    first = api.post("/numbering-policies", {"name": "A", "pattern": "A{seq}", "is_default": True})
    api.post("/numbering-policies", {"name": "B", "pattern": "B{seq}", "is_default": True})
    defaults = list(NumberingPolicy.objects.filter(is_default=True).values_list("name", flat=True))
    assert defaults == ["B"]
    assert api.get(f"/numbering-policies/{first.json()['id']}").json()["is_default"] is False


@pytest.mark.parametrize("pattern", ["PI-{day}", "PI-{year}", "PI-{seq", "PI-{seq:zz}"])
def test_bad_patterns_are_422(api, pattern):
    response = api.post("/numbering-policies", {"name": "Bad", "pattern": pattern})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "pattern"]
    assert not NumberingPolicy.objects.exists()


def test_duplicate_name_is_422(api):
    api.post("/numbering-policies", {"name": "Main", "pattern": "A{seq}"})
    response = api.post("/numbering-policies", {"name": "Main", "pattern": "B{seq}"})
    assert response.json()["detail"][0]["loc"] == ["body", "name"]


def test_other_company_gets_404(api, other_api):
    policy_id = api.post("/numbering-policies", {"name": "Main", "pattern": "A{seq}"}).json()["id"]
    assert other_api.get(f"/numbering-policies/{policy_id}").status_code == 404
    assert other_api.patch(f"/numbering-policies/{policy_id}", {"next_value": 9}).status_code == 404
    assert other_api.get("/numbering-policies").json() == []
