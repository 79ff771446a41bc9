"""Personal API keys in the web UI: issued by the user for themselves, shown once, revoked."""

from __future__ import annotations

import re

from payables.approvals.models import ApprovalStep
from payables.conftest import ApiClient
from payables.tenancy.models import ApiKey


def _issued(response) -> str:
    found = re.search(rb'<code class="secret">(pay_[^<]+)</code>', response.content)
    assert found, "the new key is shown on the page"
    return found.group(1).decode()


def test_a_user_issues_a_key_that_acts_as_them(chain, browser_for, ann):
    _, first, _ = chain
    client = browser_for(ann)
    assert client.get("/keys/").status_code == 200
    response = client.post(
        "/keys/", {"name": "laptop", "scopes": ["approvals:read", "approvals:write"]}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = _issued(response)
    key = ApiKey.objects.get(user=ann)
    assert (key.name, key.scopes) == ("laptop", ["approvals:read", "approvals:write"])
    api = ApiClient(raw)
    queue = api.get("/approvals/queue").json()
    assert [e["step_id"] for e in queue["items"]] == [str(first.id)]
    assert api.post(f"/approvals/{first.id}/approve").status_code == 200
    assert ApprovalStep.objects.get(pk=first.pk).acted_by.startswith("user:ANN")
    # Shown once: the list shows only the prefix afterwards.
    listing = client.get("/keys/")
    assert raw.encode() not in listing.content
    assert key.prefix.encode() in listing.content


def test_a_key_needs_a_scope_and_nothing_is_issued_without(browser_for, ann):
    response = browser_for(ann).post("/keys/", {"name": "x"})
    assert response.status_code == 422
    assert b"Choose at least one scope." in response.content
    assert not ApiKey.objects.exists()


def test_revoking_a_key_stops_it(browser_for, ann):
    client = browser_for(ann)
    raw = _issued(client.post("/keys/", {"scopes": ["approvals:read"]}))
    key = ApiKey.objects.get(user=ann)
    response = client.post(f"/keys/{key.id}/revoke/")
    assert response.status_code == 303
    assert ApiClient(raw).get("/approvals/queue").status_code == 401


def test_nobody_else_sees_or_revokes_my_keys(browser_for, ann, bob):
    browser_for(ann).post("/keys/", {"scopes": ["approvals:read"]})
    key = ApiKey.objects.get(user=ann)
    other = browser_for(bob)
    assert key.prefix.encode() not in other.get("/keys/").content
    assert other.post(f"/keys/{key.id}/revoke/").status_code == 404
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_the_keys_page_needs_sign_in(client):
    assert client.get("/keys/").status_code == 302


def test_an_approver_is_offered_only_what_approvers_may_do(browser_for, ann):
    client = browser_for(ann)
    page = client.get("/keys/").content
    assert b'value="approvals:write"' in page
    assert b'value="masterdata:write"' not in page
    assert b'value="webhooks:write"' not in page
    response = client.post("/keys/", {"scopes": ["approvals:read", "masterdata:write"]})
    assert response.status_code == 422
    assert not ApiKey.objects.exists()
