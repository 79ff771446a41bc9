"""Bulk loads of suppliers, run by the real database worker."""

from __future__ import annotations

import pytest
from stdnum.ee import registrikood

from payables.events.models import Event
from payables.masterdata.models import Supplier
from payables.masterdata.tests.bulk_jobs import run_load
from payables.tests.task_worker import use_database_tasks

pytestmark = pytest.mark.django_db(transaction=True)

IBAN = "EE382200221020145685"


@pytest.fixture(autouse=True)
def _database_tasks(settings):
    use_database_tasks(settings)


def registry_code(n: int) -> str:
    """The n-th valid Estonian registry code of the 8-digit range starting at 10000000."""
    base = f"{1000000 + n:07d}"
    return next(base + d for d in "0123456789" if registrikood.is_valid(base + d))


def supplier(n: int, **changes: object) -> dict:
    record = {
        "erp_code": f"S-{n:05d}",
        "name": f"Tarnija {n} OÜ",
        "country": "EE",
        "registry_code": registry_code(n),
        "city": "Tallinn",
        "bank_accounts": [{"iban": IBAN, "bic": "HABAEE2X"}],
    }
    return record | changes


@pytest.mark.slow
def test_a_load_of_10000_suppliers_lands_with_each_bad_record_located(api, company):
    taken = {"name": "Vana OÜ", "country": "EE", "registry_code": "10137319", "erp_code": "OLD"}
    assert api.post("/suppliers", taken).status_code == 201
    records = [supplier(n) for n in range(10_000)]
    bad = {
        17: (supplier(17, country="Estonia"), ["country"], "string_pattern_mismatch"),
        1234: (
            supplier(1234, registry_code="10137318"),
            ["registry_code"],
            "invalid_registry_code",
        ),
        2500: (
            supplier(2500, bank_accounts=[{"iban": "EE382200221020145686"}]),
            ["bank_accounts", 0, "iban"],
            "invalid_iban",
        ),
        4321: (supplier(4321, fax="+372 600 0000"), ["fax"], "extra_forbidden"),
        5000: (supplier(5000, registry_code="10137319"), ["registry_code"], "duplicate_supplier"),
        6000: ({k: v for k, v in supplier(6000).items() if k != "name"}, ["name"], "missing"),
        7777: (supplier(7777, vat_number="EE100931559"), ["vat_number"], "invalid_vat_number"),
        8888: (supplier(100, name="Twice"), ["erp_code"], "repeated_in_load"),
        9999: ("S-09999", [], "model_attributes_type"),
    }
    for index, (record, _, _) in bad.items():
        records[index] = record

    job = run_load(api, "/suppliers", records)

    good = 10_000 - len(bad)
    assert job["state"] == "done"
    assert job["total"] == job["processed"] == 10_000
    assert job["counts"] == {
        "created": good,
        "updated": 0,
        "unchanged": 0,
        "failed": len(bad),
        "deactivated": 0,
    }
    assert job["error_count"] == len(bad)
    assert [(e["index"], e["loc"], e["type"]) for e in job["errors"]] == [
        (index, loc, kind) for index, (_, loc, kind) in sorted(bad.items())
    ]
    assert job["errors"][0]["code"] == "S-00017"
    assert Supplier.objects.filter(company=company).count() == good + 1
    assert Event.objects.filter(company=company, type="supplier.created").count() == good + 1
    landed = Supplier.objects.get(company=company, erp_code="S-00042")
    assert (landed.name, landed.registry_code) == ("Tarnija 42 OÜ", registry_code(42))
    assert list(landed.bank_accounts.values_list("iban", "bic")) == [(IBAN, "HABAEE2X")]
    assert not Supplier.objects.filter(erp_code__in=["S-01234", "S-05000", "S-08888"]).exists()


def test_resending_a_load_changes_nothing_and_records_no_event(api, company):
    records = [supplier(n) for n in range(40)]
    run_load(api, "/suppliers", records)
    events = Event.objects.filter(company=company).count()

    job = run_load(api, "/suppliers", records)

    assert job["counts"]["unchanged"] == 40
    assert job["processed"] == 40
    assert Event.objects.filter(company=company).count() == events + 1  # job_finished only
    assert not Event.objects.filter(company=company, type="supplier.updated").exists()


def test_a_changed_record_updates_its_supplier(api, company):
    run_load(api, "/suppliers", [supplier(1), supplier(2)])

    job = run_load(api, "/suppliers", [supplier(1), supplier(2, city="Tartu", bank_accounts=[])])

    assert job["counts"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 1,
        "failed": 0,
        "deactivated": 0,
    }
    changed = Supplier.objects.get(company=company, erp_code="S-00002")
    assert changed.city == "Tartu"
    assert not changed.bank_accounts.exists()
    event = Event.objects.get(company=company, type="supplier.updated")
    assert event.subject_id == changed.id


def test_a_record_without_erp_code_is_recognised_by_its_registry_code(api, company):
    first = api.post(
        "/suppliers", {"name": "Tarnija OÜ", "country": "EE", "registry_code": "10137319"}
    )

    job = run_load(
        api, "/suppliers", [{"name": "Tarnija AS", "country": "EE", "registry_code": "10137319"}]
    )

    assert job["counts"]["updated"] == 1
    (found,) = Supplier.objects.filter(company=company)
    assert (str(found.id), found.name) == (first.json()["id"], "Tarnija AS")


def test_an_erp_code_is_given_to_the_supplier_with_its_registry_code(api, company):
    created = api.post(
        "/suppliers", {"name": "Tarnija OÜ", "country": "EE", "registry_code": "10137319"}
    )

    job = run_load(api, "/suppliers", [supplier(0, registry_code="10137319", erp_code="S-1")])

    assert job["counts"]["updated"] == 1
    adopted = Supplier.objects.get(company=company)
    assert (str(adopted.id), adopted.erp_code) == (created.json()["id"], "S-1")


def test_a_record_naming_no_supplier_is_refused(api, company):
    job = run_load(api, "/suppliers", [{"name": "Nameless", "country": "EE"}])

    assert job["counts"]["failed"] == 1
    assert job["errors"] == [
        {
            "index": 0,
            "code": None,
            "loc": ["erp_code"],
            "msg": "Give an erp_code, registry_code or vat_number to recognise the supplier by.",
            "type": "missing_identity",
        }
    ]
    assert not Supplier.objects.filter(company=company).exists()
