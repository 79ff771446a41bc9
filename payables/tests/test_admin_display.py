"""The admin says it is payables', and shows money as people read it: at the currency's scale."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.com", "pw"))
    return client


def test_the_admin_is_branded_payables(admin_client):
    index = admin_client.get(reverse("admin:index")).text
    assert '<div id="site-name"><a href="/admin/">payables</a></div>' in index
    assert "<title>Administration | payables admin</title>" in index
    assert "<h1>Administration</h1>" in index
    assert "Django administration" not in index
    sign_in = Client().get(reverse("admin:login")).text
    assert "<title>Log in | payables admin</title>" in sign_in


def test_the_invoice_list_shows_amounts_at_the_currency_scale(admin_client, make_invoice):
    make_invoice(invoice_number="INV-1")  # gross 176.50 EUR, stored as 176.5000
    listed = admin_client.get(reverse("admin:invoices_invoice_changelist")).text
    assert "176.50 EUR" in listed
    assert "0.00 EUR" in listed  # paid so far
    assert "176.5000" not in listed
    assert ">Gross amount<" in listed  # the column keeps its name, and sorts
    assert 'class="sortable column-gross_amount' in listed


def test_the_user_list_shows_the_approval_limit_in_the_home_currency(admin_client, api):
    with_limit = {"code": "E-1", "name": "Mari Maasikas", "approval_limit_amount": "2500"}
    assert api.post("/users", with_limit).status_code == 201
    assert api.post("/users", {"code": "E-2", "name": "Jaan Tamm"}).status_code == 201
    listed = admin_client.get(reverse("admin:tenancy_companyuser_changelist")).text
    assert "2500.00 EUR" in listed
    assert "2500.0000" not in listed
    assert ">Approval limit<" in listed
