"""What every master data kind shares: round trips by UUID and code, patch, deactivate,
upsert by code, duplicate codes, strict input and list filters.

Each kind's own rules are tested in ``test_api_<kind>.py``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from payables.events.models import Event
from payables.masterdata.tests.kinds import KINDS, KindCase, shows_payload

pytestmark = pytest.mark.parametrize("kind", KINDS, ids=str)


@pytest.fixture
def ready(api, kind: KindCase) -> KindCase:
    """The kind, with the records its payload refers to in place."""
    kind.setup(api)
    return kind


@pytest.fixture
def created(api, ready: KindCase) -> dict:
    response = api.post(ready.path, ready.payload)
    assert response.status_code == 201, response.content
    return response.json()


def _events(kind: KindCase, verb: str) -> list[Event]:
    """The kind's events of this verb about records with the payload's code."""
    events = Event.objects.filter(type=f"{kind.subject_type}.{verb}", payload__code=kind.code)
    return list(events.order_by("sequence"))


def _stored(kind: KindCase) -> list[dict]:
    return list(kind.model.objects.order_by("pk").values())


# --- create and read back ------------------------------------------------------------------


def test_create_answers_201_with_every_field(kind, created):
    assert shows_payload(created, kind)
    assert uuid.UUID(created["id"])
    assert created["created_at"] and created["modified_at"]


def test_created_record_reads_back_the_same_by_uuid(api, kind, created):
    response = api.get(f"{kind.path}/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created


def test_created_record_reads_back_the_same_by_code(api, kind, created):
    response = api.get(f"{kind.path}/{kind.code}")
    assert response.status_code == 200
    assert response.json() == created


def test_create_stores_the_record_for_the_callers_company(kind, created, company):
    record = kind.model.objects.get(pk=created["id"])
    assert (record.company, record.code) == (company, kind.code)


def test_create_records_an_event_carrying_the_answer(kind, created):
    (event,) = _events(kind, "created")
    assert (event.subject_type, str(event.subject_id)) == (kind.subject_type, created["id"])
    assert event.payload == created


def test_a_repeated_create_with_the_same_request_id_gets_the_first_answer(api, kind, ready):
    first = api.post(kind.path, kind.payload | {"request_id": "sync-1"})
    again = api.post(kind.path, kind.payload | {"request_id": "sync-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert kind.model.objects.filter(code=kind.code).count() == 1


def test_unknown_record_is_404(api, kind, ready):
    response = api.get(f"{kind.path}/NOPE")
    assert response.status_code == 404
    assert response.json()["code"] == f"{kind.subject_type}_not_found"


# --- patch and deactivate ------------------------------------------------------------------


def test_patch_by_code_changes_the_given_field_only(api, kind, created):
    response = api.patch(f"{kind.path}/{kind.code}", kind.change)
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body[k] for k in kind.change} == kind.change
    kept = {k for k in created if k not in {*kind.change, "modified_at"}}
    assert {k: body[k] for k in kept} == {k: created[k] for k in kept}
    assert api.get(f"{kind.path}/{created['id']}").json() == body


def test_patch_records_an_update_event(api, kind, created):
    body = api.patch(f"{kind.path}/{created['id']}", kind.change).json()
    (event,) = _events(kind, "updated")
    assert event.payload == body


def test_patch_that_changes_nothing_writes_nothing(api, kind, created):
    unchanged = {k: created[k] for k in kind.change}
    response = api.patch(f"{kind.path}/{created['id']}", unchanged)
    assert response.status_code == 200
    assert response.json() == created
    assert not _events(kind, "updated")


def test_deactivate_marks_the_record_inactive(api, kind, created):
    response = api.post(f"{kind.path}/{kind.code}/deactivate")
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    assert kind.model.objects.get(pk=created["id"]).is_active is False
    (event,) = _events(kind, "deactivated")
    assert event.payload["is_active"] is False


def test_deactivating_an_inactive_record_records_nothing_more(api, kind, created):
    api.post(f"{kind.path}/{created['id']}/deactivate")
    response = api.post(f"{kind.path}/{created['id']}/deactivate")
    assert response.status_code == 200
    assert len(_events(kind, "deactivated")) == 1


def test_patch_can_reactivate(api, kind, created):
    api.post(f"{kind.path}/{created['id']}/deactivate")
    response = api.patch(f"{kind.path}/{created['id']}", {"is_active": True})
    assert response.json()["is_active"] is True
    assert len(_events(kind, "updated")) == 1


# --- upsert by code ------------------------------------------------------------------------


def test_upsert_of_a_new_code_creates_with_201(api, kind, ready):
    response = api.put(f"{kind.path}/by-code/{kind.code}", kind.fields)
    assert response.status_code == 201, response.content
    assert shows_payload(response.json(), kind)
    assert len(_events(kind, "created")) == 1


def test_upsert_of_the_same_data_is_200_without_a_write_or_event(api, kind, created):
    before = _stored(kind)
    response = api.put(f"{kind.path}/by-code/{kind.code}", kind.fields)
    assert response.status_code == 200, response.content
    assert response.json() == created
    assert _stored(kind) == before
    assert not _events(kind, "updated")


def test_upsert_with_changed_data_updates_with_200(api, kind, created):
    response = api.put(f"{kind.path}/by-code/{kind.code}", kind.fields | kind.change)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == created["id"]
    assert {k: body[k] for k in kind.change} == kind.change
    (event,) = _events(kind, "updated")
    assert event.payload == body


def test_upsert_that_deactivates_records_a_deactivation(api, kind, created):
    response = api.put(f"{kind.path}/by-code/{kind.code}", kind.fields | {"is_active": False})
    assert response.json()["is_active"] is False
    assert len(_events(kind, "deactivated")) == 1


def test_upsert_refuses_a_code_in_the_body(api, kind, ready):
    response = api.put(f"{kind.path}/by-code/{kind.code}", kind.payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "code"]
    assert not kind.model.objects.filter(code=kind.code).exists()


def test_upsert_refuses_a_code_with_spaces_around_it(api, kind, ready):
    response = api.put(f"{kind.path}/by-code/%20X%20", kind.fields)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "code"]


# --- refusals change nothing ---------------------------------------------------------------


def test_duplicate_code_is_409_naming_the_existing_record(api, kind, created):
    before = _stored(kind)
    response = api.post(kind.path, kind.payload)
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["existing_id"], body["field"]) == (
        "duplicate_code",
        created["id"],
        "code",
    )
    assert _stored(kind) == before
    assert len(_events(kind, "created")) == 1


def test_patch_to_a_taken_code_is_409_and_changes_nothing(api, kind, created):
    other = api.post(kind.path, kind.another("OTHER"))
    assert other.status_code == 201, other.content
    before = _stored(kind)
    response = api.patch(f"{kind.path}/OTHER", {"code": kind.code})
    assert response.status_code == 409
    assert response.json()["existing_id"] == created["id"]
    assert _stored(kind) == before


def test_unknown_field_is_422_naming_it_and_stores_nothing(api, kind, ready):
    before = (_stored(kind), Event.objects.count())
    response = api.post(kind.path, kind.payload | {"colour": "red"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "colour"]
    assert (_stored(kind), Event.objects.count()) == before


def test_unknown_field_in_a_patch_is_422_and_changes_nothing(api, kind, created):
    response = api.patch(f"{kind.path}/{created['id']}", {"colour": "red"})
    assert response.status_code == 422
    assert api.get(f"{kind.path}/{created['id']}").json() == created


@pytest.mark.parametrize("code", ["", "A/B", " ", "x" * 51])
def test_bad_code_is_422_at_code_and_stores_nothing(api, kind, ready, code):
    before = (_stored(kind), Event.objects.count())
    response = api.post(kind.path, kind.payload | {"code": code})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "code"]
    assert (_stored(kind), Event.objects.count()) == before


def test_null_for_a_required_field_in_a_patch_is_422(api, kind, created):
    response = api.patch(f"{kind.path}/{created['id']}", {"is_active": None})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "is_active"]
    assert api.get(f"{kind.path}/{created['id']}").json() == created


# --- lists ---------------------------------------------------------------------------------


def test_list_answers_items_and_count(api, kind, created):
    body = api.get(kind.path, {"code": kind.code}).json()
    assert body == {"items": [created], "count": 1}


def test_list_filters_by_code(api, kind, created):
    assert api.get(kind.path, {"code": "NOT-THERE"}).json() == {"items": [], "count": 0}


def test_list_filters_by_active_flag(api, kind, created):
    api.post(f"{kind.path}/{created['id']}/deactivate")
    active = {i["id"] for i in api.get(kind.path, {"is_active": "true"}).json()["items"]}
    inactive = {i["id"] for i in api.get(kind.path, {"is_active": "false"}).json()["items"]}
    assert created["id"] in inactive
    assert created["id"] not in active


def test_list_searches_the_code(api, kind, created):
    found = api.get(kind.path, {"q": kind.code[1:].lower(), "page_size": 200}).json()
    assert created["id"] in {i["id"] for i in found["items"]}


def test_list_filters_by_modification_time(api, kind, created):
    modified = kind.model.objects.get(pk=created["id"]).modified_at
    tick = timedelta(microseconds=1)

    def ids(**params: datetime) -> set[str]:
        query = {k: v.isoformat() for k, v in params.items()} | {"page_size": 200}
        return {i["id"] for i in api.get(kind.path, query).json()["items"]}

    assert created["id"] in ids(modified_after=modified - tick)
    assert created["id"] not in ids(modified_after=modified)
    assert created["id"] in ids(modified_before=modified + tick)
    assert created["id"] not in ids(modified_before=modified)


def test_list_pages_through_every_record_in_code_order(api, kind, created):
    api.post(kind.path, kind.another("ZZZ"))
    everything = api.get(kind.path, {"page_size": 200}).json()
    pages = [api.get(kind.path, {"page_size": 1, "page": n}).json() for n in (1, 2, 3, 4, 5)]
    assert [p["count"] for p in pages] == [everything["count"]] * 5
    paged = [i for p in pages for i in p["items"]]
    assert paged == everything["items"][:5]
    codes = [i["code"] for i in everything["items"]]
    assert codes == sorted(codes)
    assert {kind.code, "ZZZ"} <= set(codes)
