"""Every master data kind: another company's records are a 404 and never listed; a key
needs `masterdata:read` to read and `masterdata:write` to write."""

from __future__ import annotations

import pytest

from payables.events.models import Event
from payables.masterdata.tests.kinds import KINDS, KindCase

pytestmark = pytest.mark.parametrize("kind", KINDS, ids=str)


@pytest.fixture
def created(api, kind: KindCase) -> dict:
    """Company A's record of the kind."""
    kind.setup(api)
    response = api.post(kind.path, kind.payload)
    assert response.status_code == 201, response.content
    return response.json()


def _state() -> dict:
    """Everything a refused call must leave as it was, across all kinds."""
    return {
        "records": {k.path: list(k.model.objects.order_by("pk").values()) for k in KINDS},
        "events": list(Event.objects.order_by("pk").values_list("company", "sequence", "type")),
    }


def _is_not_found(response: object, kind: KindCase) -> bool:
    return response.status_code == 404 and response.json()["code"].endswith("_not_found")


# --- tenant isolation ----------------------------------------------------------------------


def test_other_company_gets_404_by_uuid(other_api, kind, created):
    assert _is_not_found(other_api.get(f"{kind.path}/{created['id']}"), kind)


def test_other_company_gets_404_by_code(other_api, kind, created):
    assert _is_not_found(other_api.get(f"{kind.path}/{kind.code}"), kind)


def test_other_companys_list_does_not_show_the_record(other_api, kind, created):
    listed = other_api.get(kind.path, {"page_size": 200, "q": kind.code})
    assert listed.status_code == 200
    assert listed.json() == {"items": [], "count": 0}


def test_other_company_cannot_patch_the_record(other_api, kind, created):
    other_api.get("/dimension-types")  # B's own default types exist before the snapshot
    before = _state()
    response = other_api.patch(f"{kind.path}/{created['id']}", kind.change)
    assert _is_not_found(response, kind)
    assert _state() == before


def test_other_company_cannot_deactivate_the_record(other_api, kind, created):
    other_api.get("/dimension-types")
    before = _state()
    assert _is_not_found(other_api.post(f"{kind.path}/{created['id']}/deactivate"), kind)
    assert _state() == before


def test_other_companys_upsert_of_the_same_code_makes_its_own_record(
    api, other_api, kind, created, other_company
):
    kind.setup(other_api)
    response = other_api.put(f"{kind.path}/by-code/{kind.code}", kind.fields | kind.change)
    assert response.status_code == 201, response.content
    assert response.json()["id"] != created["id"]
    assert kind.model.objects.get(pk=response.json()["id"]).company == other_company
    assert api.get(f"{kind.path}/{created['id']}").json() == created


# --- scopes --------------------------------------------------------------------------------

WRITES = ["create", "patch", "deactivate", "upsert"]


def _write(client: object, kind: KindCase, action: str, record: dict) -> object:
    if action == "create":
        return client.post(kind.path, kind.another("NEW"))
    if action == "patch":
        return client.patch(f"{kind.path}/{record['id']}", kind.change)
    if action == "deactivate":
        return client.post(f"{kind.path}/{record['id']}/deactivate")
    return client.put(f"{kind.path}/by-code/{kind.code}", kind.fields | kind.change)


@pytest.mark.parametrize("action", WRITES)
def test_read_only_key_cannot_write(client_with, kind, created, action):
    client = client_with("masterdata:read", "invoices:write", "events:read")
    client.get("/dimension-types")
    before = _state()
    response = _write(client, kind, action, created)
    assert response.status_code == 403, response.content
    assert "masterdata:write" in response.json()["detail"]
    assert _state() == before


@pytest.mark.parametrize("reading", ["list", "by uuid", "by code"])
def test_write_only_key_cannot_read(client_with, kind, created, reading):
    client = client_with("masterdata:write")
    path = {"list": kind.path, "by uuid": f"{kind.path}/{created['id']}"}.get(
        reading, f"{kind.path}/{kind.code}"
    )
    response = client.get(path)
    assert response.status_code == 403
    assert "masterdata:read" in response.json()["detail"]


@pytest.mark.parametrize("action", WRITES)
def test_write_key_may_write(client_with, kind, created, action):
    assert _write(client_with("masterdata:write"), kind, action, created).status_code in {200, 201}
