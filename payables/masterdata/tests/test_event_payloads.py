"""Master data events carry what their payload builders make, and that is what they carried
when payloads were the API answers: for every kind, the event of each write equals the API
answer of the record it wrote (suppliers and bulk jobs: the answer's fields they carry).

Should an API answer ever change on purpose, these tests show which events it would have
changed had payloads still come from the answers: the builders keep the events as they are.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from payables.conftest import ApiClient
from payables.events.models import Event
from payables.masterdata import payloads, queries
from payables.masterdata.models import Supplier
from payables.masterdata.tests.kinds import KINDS, KindCase
from payables.tenancy.models import Company

# Records with every optional field left out: null references, no dates, no list rows.
SPARSE = {
    "/accounts": {"code": "4010", "name": "Other"},
    "/vat-codes": {"code": "VAT0", "rate": "0"},
    "/dimension-types": {"code": "site", "name": "Site"},
    "/dimension-types/project/values": {"code": "P-1", "name": "Pilot"},
    "/payment-methods": {"code": "CASH", "name": "Cash"},
    "/users": {"code": "E-1", "name": "Juhan Juurikas"},
    "/items": {"code": "PEN", "description": "Pen"},
    "/custom-fields": {"code": "note", "name": "Note", "type": "text"},
}
READS: dict[str, Callable[[Company], object]] = {
    "/accounts": queries.accounts,
    "/vat-codes": queries.vat_codes,
    "/dimension-types": queries.dimension_types,
    "/dimension-types/project/values": queries.dimension_values,
    "/payment-methods": queries.payment_methods,
    "/users": queries.users,
    "/items": queries.items,
    "/custom-fields": queries.custom_fields,
}
BUILDERS = {
    "/accounts": payloads.account_payload,
    "/vat-codes": payloads.vat_code_payload,
    "/dimension-types": payloads.dimension_type_payload,
    "/dimension-types/project/values": payloads.dimension_value_payload,
    "/payment-methods": payloads.payment_method_payload,
    "/users": payloads.user_payload,
    "/items": payloads.item_payload,
    "/custom-fields": payloads.custom_field_payload,
}
SUPPLIER_FIELDS = {"id", "name", "country", "registry_code", "vat_number", "erp_code", "is_active"}
JOB_FIELDS = {"id", "kind", "dimension_type", "mode", "state", "total", "counts", "error_count"}


def _last_event(subject_id: str) -> Event:
    return Event.objects.filter(subject_id=subject_id).order_by("-sequence").first()


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_write_records_the_answer_of_the_record_it_wrote(api: ApiClient, kind: KindCase):
    kind.setup(api)
    answers = {"created": _ok(api.post(kind.path, kind.payload), 201)}
    record = answers["created"]["id"]
    answers["updated"] = _ok(api.patch(f"{kind.path}/{record}", kind.change))
    answers["deactivated"] = _ok(api.post(f"{kind.path}/{record}/deactivate"))
    answers["updated again"] = _ok(
        api.put(f"{kind.path}/by-code/{kind.code}", kind.fields | {"is_active": True})
    )

    events = Event.objects.filter(subject_id=record).order_by("sequence")
    verbs = [e.type.split(".")[1] for e in events]
    assert verbs == ["created", "updated", "deactivated", "updated"]
    assert [e.payload for e in events] == list(answers.values())


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_a_record_without_its_optional_fields_is_announced_as_answered(
    api: ApiClient, kind: KindCase, supplier: Supplier
):
    sparse = SPARSE[kind.path]
    if kind.path == "/items":  # a mapping to a supplier without an ERP code
        mapping = {"supplier_id": str(supplier.id), "seller_code": "P"}
        sparse = sparse | {"seller_mappings": [mapping]}
    created = _ok(api.post(kind.path, sparse), 201)

    assert _last_event(created["id"]).payload == created


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_the_builder_makes_the_answer_from_the_record_as_its_query_reads_it(
    api: ApiClient, company: Company, kind: KindCase
):
    kind.setup(api)
    created = _ok(api.post(kind.path, kind.payload), 201)

    record = READS[kind.path](company).get(pk=created["id"])

    assert BUILDERS[kind.path](record) == _ok(api.get(f"{kind.path}/{created['id']}"))


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_a_bulk_load_records_the_answers_of_what_it_wrote(
    api: ApiClient, kind: KindCase, django_capture_on_commit_callbacks
):
    kind.setup(api)
    with django_capture_on_commit_callbacks(execute=True):  # the job runs on commit
        job = _ok(api.post(f"{kind.path}/bulk", {"records": [kind.payload]}), 202)

    answer = _ok(api.get(f"{kind.path}/{kind.code}"))
    assert _last_event(answer["id"]).payload == answer
    shown = _ok(api.get(f"/jobs/{job['id']}"))
    finished = Event.objects.get(type="masterdata.job_finished", subject_id=job["id"])
    assert set(finished.payload) == JOB_FIELDS
    assert finished.payload == {name: shown[name] for name in JOB_FIELDS}


def test_supplier_events_carry_the_answers_identity_fields(api: ApiClient):
    """Supplier events have always carried the supplier's identity, not its whole answer."""
    created = _ok(
        api.post(
            "/suppliers",
            {
                "name": "Tarnija OÜ",
                "country": "ee",
                "registry_code": "10137319",
                "vat_number": "EE100931558",
                "erp_code": "S-1",
                "bank_accounts": [{"iban": "EE382200221020145685"}],
            },
        ),
        201,
    )
    answers = [
        created,
        _ok(api.patch(f"/suppliers/{created['id']}", {"name": "Tarnija AS"})),
        _ok(api.patch(f"/suppliers/{created['id']}", {"is_active": False})),
        _ok(api.put("/suppliers/by-code/S-1", {"name": "Tarnija AS", "country": "EE"})),
    ]

    events = Event.objects.filter(subject_id=created["id"]).order_by("sequence")
    assert [e.type for e in events] == [
        "supplier.created",
        "supplier.updated",
        "supplier.deactivated",
        "supplier.updated",
    ]
    for event, answer in zip(events, answers, strict=True):
        assert event.payload == {name: answer[name] for name in SUPPLIER_FIELDS}
