"""What a user may code to (``coding_accounts``, ``coding_dimensions``): API, bulk and admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from payables.events.models import Event
from payables.invoices.tests.master_data import MasterData, locs
from payables.masterdata.tests.bulk_jobs import run_load
from payables.tenancy.models import CompanyUser
from payables.tests.task_worker import use_database_tasks

MARI = {"code": "E-42", "name": "Mari Maasikas", "roles": ["approver"]}
ALLOWED = {
    "coding_accounts": ["4010", "4000", "4000"],
    "coding_dimensions": {"department": ["IT", "HR"]},
}


@pytest.fixture
def master_data(api) -> MasterData:
    data = MasterData(api)
    data.account("4000")
    data.account("4010")
    data.dimension("department", "IT")
    data.dimension("department", "HR")
    return data


@pytest.mark.usefixtures("master_data")
def test_a_user_is_created_with_what_they_may_code_to(api):
    created = api.post("/users", MARI | ALLOWED)

    assert created.status_code == 201, created.json()
    body = api.get("/users/E-42").json()
    assert body["coding_accounts"] == ["4000", "4010"]
    assert body["coding_dimensions"] == {"department": ["HR", "IT"]}
    event = Event.objects.get(type="user.created")
    assert event.payload["coding_accounts"] == ["4000", "4010"]


def test_without_an_allowance_a_user_may_code_to_anything(api):
    body = api.post("/users", MARI).json()

    assert (body["coding_accounts"], body["coding_dimensions"]) == ([], {})


@pytest.mark.usefixtures("master_data")
def test_unknown_accounts_and_dimension_values_are_422_where_they_are(api):
    response = api.post(
        "/users",
        MARI
        | {
            "coding_accounts": ["4000", "9999"],
            "coding_dimensions": {"department": ["IT", "LEGAL"], "no-such-type": ["X"]},
        },
    )

    assert locs(response) == [
        ["body", "coding_accounts", 1],
        ["body", "coding_dimensions", "department", 1],
        ["body", "coding_dimensions", "no-such-type"],
    ]
    assert not CompanyUser.objects.exists()


def test_a_malformed_allowance_is_422_at_its_shape(api):
    response = api.post("/users", MARI | {"coding_dimensions": {"department": "IT"}})

    assert locs(response) == [["body", "coding_dimensions", "department"]]


@pytest.mark.usefixtures("master_data")
def test_patch_changes_the_allowance_and_checks_it(api):
    api.post("/users", MARI)

    changed = api.patch("/users/E-42", {"coding_accounts": ["4010"]})
    refused = api.patch("/users/E-42", {"coding_dimensions": {"department": ["NOPE"]}})

    assert changed.status_code == 200, changed.json()
    assert changed.json()["coding_accounts"] == ["4010"]
    assert locs(refused) == [["body", "coding_dimensions", "department", 0]]
    assert CompanyUser.objects.get().coding_dimensions == {}


@pytest.mark.usefixtures("master_data")
def test_an_upsert_of_the_same_allowance_in_another_order_changes_nothing(api):
    first = api.put("/users/by-code/E-42", {"name": "Mari"} | ALLOWED)
    again = api.put(
        "/users/by-code/E-42",
        {
            "name": "Mari",
            "coding_accounts": ["4000", "4010"],
            "coding_dimensions": {"department": ["HR", "IT"]},
        },
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert Event.objects.filter(type="user.updated").count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("master_data")
def test_a_bulk_load_refuses_only_the_user_with_an_unknown_account(api, settings):
    use_database_tasks(settings)
    job = run_load(
        api,
        "/users",
        [
            {"code": "E-1", "name": "One", "coding_accounts": ["4000"]},
            {"code": "E-2", "name": "Two", "coding_accounts": ["9999"]},
        ],
    )

    assert job["error_count"] == 1, job
    assert CompanyUser.objects.get().coding_accounts == ["4000"]


# --- the admin -------------------------------------------------------------------------------


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


@pytest.mark.usefixtures("master_data")
def test_the_admin_changes_the_allowance_through_the_service(admin_client, api):
    user = CompanyUser.objects.get(pk=api.post("/users", MARI).json()["id"])
    url = reverse("admin:tenancy_companyuser_change", args=[user.pk])
    form = admin_client.get(url).context["adminform"].form
    values = {name: form[name].value() for name in form.fields}
    sent = {k: v for k, v in values.items() if v is not None} | {
        "coding_accounts": '["4010"]',
        "coding_dimensions": '{"department": ["IT"]}',
    }

    response = admin_client.post(url, sent)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert (user.coding_accounts, user.coding_dimensions) == (["4010"], {"department": ["IT"]})
    assert Event.objects.filter(type="user.updated").count() == 1


@pytest.mark.usefixtures("master_data")
def test_the_admin_shows_an_unknown_account_at_the_field(admin_client, company):
    response = admin_client.post(
        reverse("admin:tenancy_companyuser_add"),
        {
            "company": company.pk,
            "code": "E-7",
            "name": "Mari",
            "is_active": "on",
            "coding_accounts": '["9999"]',
            "coding_dimensions": "",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "no account with code '9999'" in " ".join(errors.get("coding_accounts", [])), errors
    assert not CompanyUser.objects.exists()
