"""Full loads (nightly full sync): what is absent is deactivated, and nothing else."""

from __future__ import annotations

import pytest

from payables.events.models import Event
from payables.masterdata.models import Account, DimensionValue, Supplier, VatCode
from payables.masterdata.tests.bulk_jobs import run_load, submit
from payables.tests.task_worker import run_worker, use_database_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _database_tasks(settings):
    use_database_tasks(settings)


def account(code: str, **changes: object) -> dict:
    return {"code": code, "name": f"Account {code}", "type": "expense"} | changes


@pytest.fixture
def accounts(api):
    """Accounts A1-A5 (active) and A9 (inactive), and a VAT code, as the API made them."""
    assert api.post("/vat-codes", {"code": "VAT24", "rate": "24"}).status_code == 201
    for code in ["A1", "A2", "A3", "A4", "A5"]:
        assert api.post("/accounts", account(code)).status_code == 201
    assert api.post("/accounts", account("A9", is_active=False)).status_code == 201


def active_codes(company) -> list[str]:
    accounts = Account.objects.filter(company=company, is_active=True)
    return sorted(accounts.values_list("code", flat=True))


def deactivated_codes(company) -> list[str]:
    events = Event.objects.filter(company=company, type="account.deactivated")
    return sorted(e.payload["code"] for e in events)


def test_a_full_load_deactivates_exactly_the_accounts_it_does_not_name(
    api, other_api, company, other_company, accounts
):
    assert other_api.post("/accounts", account("A4")).status_code == 201
    load = [account("A1"), account("A2"), account("A3", name="Renamed"), account("A6")]

    job = run_load(api, "/accounts", load, mode="full")

    assert job["counts"] == {
        "created": 1,
        "updated": 1,
        "unchanged": 2,
        "failed": 0,
        "deactivated": 2,
    }
    assert active_codes(company) == ["A1", "A2", "A3", "A6"]
    assert deactivated_codes(company) == ["A4", "A5"]
    assert active_codes(other_company) == ["A4"]
    assert VatCode.objects.get(company=company).is_active


def test_an_upsert_load_deactivates_nothing(api, company, accounts):
    job = run_load(api, "/accounts", [account("A1")])

    assert job["counts"]["deactivated"] == 0
    assert active_codes(company) == ["A1", "A2", "A3", "A4", "A5"]


def test_a_refused_record_keeps_the_account_it_names_active(api, company, accounts):
    load = [account("A1"), account("A4", default_vat_code="VAT99"), account("A5", type="x")]

    job = run_load(api, "/accounts", load, mode="full")

    assert job["counts"]["failed"] == 2
    assert active_codes(company) == ["A1", "A4", "A5"]
    assert deactivated_codes(company) == ["A2", "A3"]


def test_a_record_without_a_readable_code_makes_the_load_deactivate_nothing(api, company, accounts):
    job = run_load(api, "/accounts", [account("A1"), {"name": "No code"}], mode="full")

    assert job["counts"]["deactivated"] == 0
    assert active_codes(company) == ["A1", "A2", "A3", "A4", "A5"]
    assert job["errors"][-1]["index"] is None
    assert job["errors"][-1]["type"] == "not_deactivated"


def test_accounts_created_or_changed_after_the_load_was_submitted_stay_active(
    api, company, accounts
):
    job = submit(api, "/accounts", [account("A1")], mode="full")
    assert api.post("/accounts", account("A7")).status_code == 201
    assert api.patch("/accounts/A5", {"name": "Changed meanwhile"}).status_code == 200

    run_worker()

    assert active_codes(company) == ["A1", "A5", "A7"]
    assert api.get(f"/jobs/{job['id']}").json()["counts"]["deactivated"] == 3


def test_a_full_load_of_dimension_values_deactivates_within_its_type_only(api, company):
    for path, code in [("department", "D1"), ("department", "D2"), ("project", "P1")]:
        created = api.post(f"/dimension-types/{path}/values", {"code": code, "name": code})
        assert created.status_code == 201

    job = run_load(
        api, "/dimension-types/department/values", [{"code": "D1", "name": "D1"}], mode="full"
    )

    assert job["counts"]["deactivated"] == 1
    values = DimensionValue.objects.filter(company=company, is_active=True)
    assert sorted(values.values_list("code", flat=True)) == ["D1", "P1"]
    event = Event.objects.get(company=company, type="dimension_value.deactivated")
    assert event.payload["code"] == "D2"


def test_a_full_load_of_suppliers_deactivates_the_absent_ones_with_events(api, company):
    kept_by_registry = {"name": "Kept OÜ", "country": "EE", "registry_code": "10137319"}
    for payload in [
        {"name": "One OÜ", "country": "EE", "erp_code": "S-1"},
        {"name": "Two OÜ", "country": "EE", "erp_code": "S-2"},
        kept_by_registry,
    ]:
        assert api.post("/suppliers", payload).status_code == 201
    load = [{"name": "One OÜ", "country": "EE", "erp_code": "S-1"}, kept_by_registry]

    job = run_load(api, "/suppliers", load, mode="full")

    assert job["counts"]["deactivated"] == 1
    active = Supplier.objects.filter(company=company, is_active=True)
    assert sorted(active.values_list("name", flat=True)) == ["Kept OÜ", "One OÜ"]
    event = Event.objects.get(company=company, type="supplier.deactivated")
    assert event.payload["erp_code"] == "S-2"
    assert not event.payload["is_active"]
