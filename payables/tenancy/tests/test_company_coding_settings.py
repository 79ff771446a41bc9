"""A company's coding settings: changed through ``update_company`` (and so the admin), checked."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from payables.errors import ValidationFailed
from payables.tenancy.models import Company
from payables.tenancy.services import update_company


def refused_at(company: Company, changes: dict) -> list[tuple]:
    with pytest.raises(ValidationFailed) as caught:
        update_company(company, changes)
    return [tuple(e.loc) for e in caught.value.errors]


def test_the_defaults_leave_suggestions_unapplied(company):
    assert company.suggestion_auto_apply_threshold is None
    assert (company.coding_change_restarts_chain, company.approvers_may_code) == (True, False)
    assert company.coding_retrain_after == 50


def test_the_coding_settings_are_changed(company):
    stored = update_company(
        company,
        {
            "suggestion_auto_apply_threshold": "0.85",
            "coding_retrain_after": 10,
            "approvers_may_code": True,
            "coding_change_restarts_chain": False,
        },
    )
    stored.refresh_from_db()
    assert stored.suggestion_auto_apply_threshold == Decimal("0.85")
    assert (stored.coding_retrain_after, stored.approvers_may_code) == (10, True)
    assert stored.coding_change_restarts_chain is False
    assert (
        update_company(
            stored, {"suggestion_auto_apply_threshold": None}
        ).suggestion_auto_apply_threshold
        is None
    )


@pytest.mark.parametrize("threshold", ["1.5", "-0.1", "NaN", "much", "0.12345", True])
def test_a_threshold_that_is_no_probability_is_refused(company, threshold):
    assert refused_at(company, {"suggestion_auto_apply_threshold": threshold}) == [
        ("suggestion_auto_apply_threshold",)
    ]
    company.refresh_from_db()
    assert company.suggestion_auto_apply_threshold is None


@pytest.mark.parametrize("count", [0, -3, "5", 2.5, 10**7])
def test_retraining_after_no_bookings_is_refused(company, count):
    assert refused_at(company, {"coding_retrain_after": count}) == [("coding_retrain_after",)]


def test_a_flag_that_is_not_a_boolean_is_refused(company):
    assert refused_at(company, {"approvers_may_code": "yes"}) == [("approvers_may_code",)]


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def test_the_admin_shows_a_threshold_above_one_at_its_field(admin_client, company):
    url = reverse("admin:tenancy_company_change", args=[company.pk])
    form = admin_client.get(url).context["adminform"].form
    values = {name: form[name].value() for name in form.fields}
    sent = {name: "" if value is None else value for name, value in values.items()}
    sent = {name: value for name, value in sent.items() if value is not False}

    response = admin_client.post(url, sent | {"suggestion_auto_apply_threshold": "1.5"})

    assert response.status_code == 200
    assert "suggestion_auto_apply_threshold" in response.context["adminform"].form.errors
    company.refresh_from_db()
    assert company.suggestion_auto_apply_threshold is None
