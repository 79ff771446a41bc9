"""The Django admin: every screen opens for a superuser; API keys are issued through it."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from payables.conftest import ApiClient
from payables.errors import ValidationFailed
from payables.invoices.services import add_attachment, record_payment
from payables.tenancy.models import ApiKey, Company, Integrator
from payables.tenancy.services import update_company

# The admin's own registry, so a newly registered model is covered without editing this.
MODELS = sorted((m._meta.app_label, m._meta.model_name) for m in admin.site._registry)
# Models the data fixture below creates an object of.
WITH_DATA = [
    ("invoices", "invoice"),
    ("masterdata", "supplier"),
    ("sync", "event"),
    ("tenancy", "apikey"),
    ("tenancy", "company"),
    ("tenancy", "integrator"),
]


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


@pytest.fixture
def data(make_invoice, actor, api_key):
    """One object of every kind, so the changelists render real rows."""
    invoice = make_invoice()
    add_attachment(invoice, actor=actor, content=b"%PDF-1.4", filename="scan.pdf")
    record_payment(invoice, actor=actor, amount=Decimal("10.00"), payment_date=invoice.invoice_date)
    return invoice


@pytest.mark.parametrize(("app_label", "model_name"), MODELS)
def test_changelist_opens_for_a_superuser(admin_client, data, app_label, model_name):
    response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize(("app_label", "model_name"), WITH_DATA)
def test_change_page_of_an_object_opens_for_a_superuser(admin_client, data, app_label, model_name):
    model = next(m for m in admin.site._registry if m._meta.model_name == model_name)
    obj = model._default_manager.get_queryset().first()
    assert obj is not None, f"the data fixture should create a {model_name}"
    response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk]))
    assert response.status_code == 200


def test_admin_index_opens_for_a_superuser(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200


def _add_key(admin_client: Client, integrator: Integrator, scopes: list[str]) -> object:
    return admin_client.post(
        reverse("admin:tenancy_apikey_add"),
        {"integrator": str(integrator.pk), "name": "from admin", "scopes": scopes},
        follow=True,
    )


def _shown_keys(response: object) -> list[str]:
    """The raw keys the messages shown after adding a key spell out."""
    texts = [str(m) for m in response.context["messages"]]
    return [m.group(1) for t in texts if (m := re.match(r"API key: (pay_[A-Za-z0-9_-]+)", t))]


def test_adding_a_key_in_the_admin_shows_it_once_and_stores_its_hash(admin_client, company):
    integrator = Integrator.objects.create(company=company, name="ERP")
    response = _add_key(admin_client, integrator, ["invoices:read", "events:read"])
    assert response.status_code == 200
    (raw,) = _shown_keys(response)
    key = ApiKey.objects.get()
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert (key.integrator, key.name, key.scopes) == (
        integrator,
        "from admin",
        ["events:read", "invoices:read"],
    )
    assert raw not in {str(v) for v in ApiKey.objects.values().get().values()}
    assert raw not in admin_client.get(reverse("admin:tenancy_apikey_changelist")).content.decode()


def test_key_added_in_the_admin_works_against_the_api(admin_client, company):
    integrator = Integrator.objects.create(company=company, name="ERP")
    (raw,) = _shown_keys(_add_key(admin_client, integrator, ["invoices:read"]))
    assert ApiClient(raw).get("/invoices").status_code == 200
    assert ApiClient(raw).get("/suppliers").status_code == 403


def test_admin_refuses_a_key_without_scope(admin_client, company):
    integrator = Integrator.objects.create(company=company, name="ERP")
    response = _add_key(admin_client, integrator, [])
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["scopes"]
    assert not ApiKey.objects.exists()


def test_admin_revoke_action_makes_the_key_fail_with_401(admin_client, api, api_key):
    key = ApiKey.objects.get()
    admin_client.post(
        reverse("admin:tenancy_apikey_changelist"),
        {"action": "revoke", "_selected_action": [str(key.pk)]},
    )
    assert ApiKey.objects.get().revoked_at is not None
    assert api.get("/suppliers").status_code == 401


# --- companies and integrators go through their services too ---------------------------------


def _company_form(**changes: object) -> dict:
    return {
        "name": "Uus Firma OÜ",
        "country": "EE",
        "registry_code": "10137319",
        "vat_number": "",
        "home_currency": "EUR",
    } | changes


def test_admin_adds_a_company_with_its_identifiers_checked(admin_client):
    response = admin_client.post(reverse("admin:tenancy_company_add"), _company_form(country="ee"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    company = Company.objects.get()
    assert (company.name, company.country, company.registry_code) == (
        "Uus Firma OÜ",
        "EE",
        "10137319",
    )


def test_admin_shows_a_registry_code_the_service_refuses_and_stores_nothing(admin_client):
    response = admin_client.post(
        reverse("admin:tenancy_company_add"), _company_form(registry_code="12345")
    )
    assert response.status_code == 200
    assert "registry_code" in response.context["adminform"].form.errors
    assert 'value="Uus Firma OÜ"' in response.content.decode()
    assert not Company.objects.exists()


def test_admin_changes_a_companys_settings_through_the_service(admin_client, company):
    url = reverse("admin:tenancy_company_change", args=[company.pk])
    form = admin_client.get(url).context["adminform"].form
    # What a browser posts: an empty field (no threshold, say) as an empty string.
    values = {name: form[name].value() for name in form.fields}
    sent = {name: "" if value is None else value for name, value in values.items()} | {
        "vat_number": "",
        "einvoice_invalid_policy": "refuse",  # the default is now `review`
        "auto_export_on_approval": "on",
    }
    response = admin_client.post(url, sent)
    assert response.status_code == 302, response.context["adminform"].form.errors
    company.refresh_from_db()
    assert (company.einvoice_invalid_policy, company.auto_export_on_approval) == (
        "refuse",
        True,
    )


def test_update_company_checks_a_changed_identifier_against_the_country(company):
    with pytest.raises(ValidationFailed) as caught:
        update_company(company, {"country": "FI"})  # an Estonian registry code
    assert [e.loc for e in caught.value.errors] == [("registry_code",)]
    with pytest.raises(ValidationFailed):
        update_company(company, {"owner": "me"})
    company.refresh_from_db()
    assert company.country == "EE"
    assert update_company(company, {"name": "Acme AS"}).name == "Acme AS"


def test_admin_registers_an_integrator_and_then_only_shows_it(admin_client, company):
    response = admin_client.post(
        reverse("admin:tenancy_integrator_add"), {"company": company.pk, "name": "ERP"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    integrator = Integrator.objects.get()
    page = admin_client.get(reverse("admin:tenancy_integrator_change", args=[integrator.pk]))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]


@pytest.mark.parametrize("model_name", ["company", "integrator", "apikey"])
def test_tenancy_records_cannot_be_deleted_in_the_admin(admin_client, api_key, model_name):
    model = next(m for m in admin.site._registry if m._meta.model_name == model_name)
    obj = model._default_manager.first()
    url = reverse(f"admin:tenancy_{model_name}_delete", args=[obj.pk])
    assert admin_client.get(url).status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()
