"""Master data is added, changed and deactivated in the admin, always through its services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from payables.events.models import Event
from payables.masterdata import schemas, services
from payables.masterdata.models import (
    Account,
    CustomField,
    DimensionType,
    DimensionValue,
    PaymentMethod,
    ProductItem,
    Supplier,
    VatCode,
)
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company, CompanyUser

ADMIN = "admin:root"


def _vat_code(company: Company) -> None:
    vat_code = schemas.VatCodeIn(code="VAT24", rate="24").model_dump()
    services.create_vat_code(vat_code, actor=Actor.system(company))


def _project_type(company: Company) -> None:
    dimension_type = schemas.DimensionTypeIn(code="project", name="Project").model_dump()
    services.create_dimension_type(dimension_type, actor=Actor.system(company))


@dataclass(frozen=True)
class AdminCase:
    model: type[Model]
    event: str  # the events' type prefix
    form: dict  # the add form as a browser posts it, without the company
    change: dict  # fields the change form sends differently
    shown: tuple[str, object]  # a field of the updated event's payload, and its new value
    setup: Callable[[Company], None] = field(default=lambda company: None)
    fixed: tuple[str, ...] = ()  # fields shown read-only once the record exists
    key: str = "code"  # the field naming the record within its company

    @property
    def code(self) -> str:
        return self.form[self.key]

    def url(self, view: str, *args: object) -> str:
        meta = self.model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)

    def change_form(self, **changes: object) -> dict:
        unchanged = {k: v for k, v in self.form.items() if k not in self.fixed}
        return unchanged | self.change | changes

    def __str__(self) -> str:
        return self.event


CASES = [
    AdminCase(
        Account,
        "account",
        {
            "code": "4000",
            "name": "Materials",
            "type": "expense",
            "default_vat_code": "VAT24",
            "is_active": "on",
        },
        {"name": "Raw materials"},
        ("name", "Raw materials"),
        _vat_code,
    ),
    AdminCase(
        VatCode,
        "vat_code",
        {
            "code": "VAT24",
            "rate": "25.5",
            "kind": "purchases",
            "non_deductible_share": "0",
            "description": "Standard rate",
            "valid_from": "2024-09-01",
            "valid_to": "",
            "is_active": "on",
        },
        {"rate": "24"},
        ("rate", "24"),
    ),
    AdminCase(
        DimensionType,
        "dimension_type",
        {"code": "region", "name": "Region", "is_active": "on"},
        {"name": "Sales region"},
        ("name", "Sales region"),
    ),
    AdminCase(
        DimensionValue,
        "dimension_value",
        {
            "type": "project",
            "code": "P-100",
            "name": "New warehouse",
            "valid_from": "2026-01-01",
            "valid_to": "",
            "is_active": "on",
        },
        {"name": "Old warehouse"},
        ("name", "Old warehouse"),
        _project_type,
        fixed=("type",),
    ),
    AdminCase(
        PaymentMethod,
        "payment_method",
        {
            "code": "BANK",
            "name": "Bank transfer",
            "bank_account": "EE382200221020145685",
            "is_active": "on",
        },
        {"name": "SEPA transfer"},
        ("name", "SEPA transfer"),
    ),
    AdminCase(
        CompanyUser,
        "user",
        {
            "code": "E-17",
            "name": "Mari Maasikas",
            "email": "mari@example.com",
            "roles": ["approver"],
            "approval_limit_amount": "1000.00",
            "is_active": "on",
        },
        {"roles": ["approver", "accountant"]},
        ("roles", ["approver", "accountant"]),
    ),
    AdminCase(
        ProductItem,
        "item",
        {
            "code": "PAPER-A4",
            "description": "Copy paper",
            "type": "item",
            "unit": "box",
            "default_account": "",
            "default_vat_code": "VAT24",
            "default_dimensions": "{}",
            "is_active": "on",
        },
        {"unit": "pallet"},
        ("unit", "pallet"),
        _vat_code,
    ),
    AdminCase(
        CustomField,
        "custom_field",
        {"code": "PROJ", "name": "Project", "type": "text", "is_active": "on"},
        {"is_required": "on"},
        ("is_required", True),
    ),
    AdminCase(
        Supplier,
        "supplier",
        {
            "name": "Tarnija OÜ",
            "country": "EE",
            "registry_code": "12345678",
            "vat_number": "",
            "street": "Pikk 1",
            "postal_code": "10123",
            "city": "Tallinn",
            "erp_code": "S-1",
            "default_currency": "",
            "is_active": "on",
        },
        {"name": "Tarnija AS"},
        ("name", "Tarnija AS"),
        key="erp_code",
    ),
]
BY_EVENT = {case.event: case for case in CASES}


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def _add(client: Client, case: AdminCase, company: Company, **changes: object) -> object:
    return client.post(case.url("add"), {"company": company.pk, **case.form, **changes})


def _added(client: Client, case: AdminCase, company: Company) -> Model:
    case.setup(company)
    response = _add(client, case, company)
    assert response.status_code == 302, _form_errors(response)
    return case.model.objects.get(company=company, **{case.key: case.code})


def _form_errors(response: object) -> dict:
    return response.context["adminform"].form.errors


def _as_added(case: AdminCase) -> dict:
    """The change form as it was added: every changed field back to its added value."""
    return {name: case.form.get(name, "") for name in case.change}


def _events(company: Company, event_type: str) -> list[Event]:
    return list(Event.objects.filter(company=company, type=event_type))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_add_page_opens_with_a_company_field(admin_client, case: AdminCase):
    page = admin_client.get(case.url("add"))
    assert page.status_code == 200
    assert "company" in page.context["adminform"].form.fields


@pytest.mark.parametrize("case", CASES, ids=str)
def test_adding_creates_the_record_and_its_created_event(admin_client, company, case):
    record = _added(admin_client, case, company)
    (event,) = _events(company, f"{case.event}.created")
    assert event.subject_id == record.pk
    assert event.actor == ADMIN
    assert event.payload[case.key] == case.code


@pytest.mark.parametrize("case", CASES, ids=str)
def test_changing_records_an_updated_event(admin_client, company, case):
    record = _added(admin_client, case, company)
    response = admin_client.post(case.url("change", record.pk), case.change_form())
    assert response.status_code == 302, _form_errors(response)
    (event,) = _events(company, f"{case.event}.updated")
    assert event.subject_id == record.pk
    assert event.actor == ADMIN
    name, value = case.shown
    assert event.payload[name] == value


@pytest.mark.parametrize("case", CASES, ids=str)
def test_saving_an_unchanged_form_records_no_event(admin_client, company, case):
    record = _added(admin_client, case, company)
    response = admin_client.post(case.url("change", record.pk), case.change_form(**_as_added(case)))
    assert response.status_code == 302, _form_errors(response)
    assert _events(company, f"{case.event}.updated") == []


@pytest.mark.parametrize("case", CASES, ids=str)
def test_deactivate_action_deactivates_with_an_event(admin_client, company, case):
    record = _added(admin_client, case, company)
    response = admin_client.post(
        case.url("changelist"),
        {"action": "deactivate_selected", "_selected_action": [record.pk]},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.is_active is False
    (event,) = _events(company, f"{case.event}.deactivated")
    assert event.subject_id == record.pk
    assert event.actor == ADMIN


@pytest.mark.parametrize("case", CASES, ids=str)
def test_records_cannot_be_deleted(admin_client, company, case):
    record = _added(admin_client, case, company)
    assert admin_client.get(case.url("delete", record.pk)).status_code == 403
    actions = admin_client.get(case.url("changelist")).context["action_form"]
    extra = ["invite_selected"] if case.model is CompanyUser else []  # e-mails a link
    assert [name for name, _ in actions.fields["action"].choices] == [
        "",
        "deactivate_selected",
        *extra,
    ]


def _assert_refused(response: object, field: str, message: str) -> None:
    """The form is shown again with the message on the field."""
    assert response.status_code == 200
    errors = _form_errors(response)
    assert field in errors, errors
    assert message in " ".join(errors.get(field, [])), errors


def test_unknown_default_vat_code_of_an_account_is_shown_and_nothing_stored(admin_client, company):
    case = BY_EVENT["account"]
    response = _add(admin_client, case, company)
    _assert_refused(response, "default_vat_code", "no VAT code with code 'VAT24'")
    assert not Account.objects.exists()
    assert not Event.objects.filter(company=company).exists()


def test_vat_code_ending_before_it_starts_is_shown_and_nothing_stored(admin_client, company):
    case = BY_EVENT["vat_code"]
    response = _add(admin_client, case, company, valid_to="2024-08-31")
    _assert_refused(response, "valid_to", "is before valid_from")
    assert not VatCode.objects.exists()
    assert not Event.objects.filter(company=company).exists()


def test_changing_a_vat_code_to_end_before_it_starts_changes_nothing(admin_client, company):
    case = BY_EVENT["vat_code"]
    record = _added(admin_client, case, company)
    response = admin_client.post(
        case.url("change", record.pk), case.change_form(valid_to="2024-08-31")
    )
    _assert_refused(response, "valid_to", "is before valid_from")
    record.refresh_from_db()
    assert (record.rate, record.valid_to) == (Decimal("25.5"), None)
    assert _events(company, "vat_code.updated") == []


def test_duplicate_code_is_shown_and_nothing_stored(admin_client, company):
    case = BY_EVENT["dimension_type"]
    _added(admin_client, case, company)
    response = _add(admin_client, case, company, name="Another region")
    _assert_refused(response, "code", "exists already")
    assert list(DimensionType.objects.filter(company=company).values_list("name", flat=True)) == [
        "Region"
    ]
    assert len(_events(company, "dimension_type.created")) == 1


def test_same_code_in_another_company_is_added(admin_client, company, other_company):
    case = BY_EVENT["dimension_type"]
    _added(admin_client, case, company)
    response = _add(admin_client, case, other_company)
    assert response.status_code == 302, _form_errors(response)
    assert DimensionType.objects.filter(code=case.code).count() == 2


def test_vat_code_of_another_company_is_unknown_to_an_account(admin_client, company, other_company):
    _vat_code(other_company)
    response = _add(admin_client, BY_EVENT["account"], company)
    _assert_refused(response, "default_vat_code", "no VAT code")
    assert not Account.objects.exists()


def test_code_the_schema_refuses_is_shown_on_the_code_field(admin_client, company):
    response = _add(admin_client, BY_EVENT["dimension_type"], company, code="a/b")
    _assert_refused(response, "code", "should match pattern")
    assert not DimensionType.objects.exists()


def test_unknown_dimension_type_of_a_value_is_shown_and_nothing_stored(admin_client, company):
    response = _add(admin_client, BY_EVENT["dimension_value"], company, type="nope")
    _assert_refused(response, "type", "no dimension type with code 'nope'")
    assert not DimensionValue.objects.exists()


def test_invalid_iban_of_a_payment_method_is_shown_and_nothing_stored(admin_client, company):
    response = _add(admin_client, BY_EVENT["payment_method"], company, bank_account="EE00")
    assert response.status_code == 200
    assert "bank_account" in _form_errors(response)
    assert not PaymentMethod.objects.exists()


def test_email_of_another_user_is_shown_and_nothing_stored(admin_client, company):
    case = BY_EVENT["user"]
    _added(admin_client, case, company)
    response = _add(admin_client, case, company, code="E-18")
    _assert_refused(response, "email", "has this email address already")
    assert list(CompanyUser.objects.values_list("code", flat=True)) == ["E-17"]
    assert len(_events(company, "user.created")) == 1


def test_user_form_has_no_password_field(admin_client):
    page = admin_client.get(BY_EVENT["user"].url("add"))
    fields = page.context["adminform"].form.fields
    assert "login" not in fields
    assert not [name for name in fields if "password" in name]


def test_added_user_gets_a_sign_in_without_a_password(admin_client, company):
    user = _added(admin_client, BY_EVENT["user"], company)
    assert user.login.email == "mari@example.com"
    assert not user.login.has_usable_password()


def test_change_form_shows_linked_records_by_code(admin_client, company):
    case = BY_EVENT["item"]
    record = _added(admin_client, case, company)
    page = admin_client.get(case.url("change", record.pk))
    assert page.context["adminform"].form.initial["default_vat_code"] == "VAT24"


def test_changing_only_the_linked_vat_code_of_an_item_records_it(admin_client, company):
    case = BY_EVENT["item"]
    record = _added(admin_client, case, company)
    vat_code = schemas.VatCodeIn(code="VAT0", rate="0").model_dump()
    services.create_vat_code(vat_code, actor=Actor.system(company))
    response = admin_client.post(
        case.url("change", record.pk), case.change_form(unit="box", default_vat_code="VAT0")
    )
    assert response.status_code == 302, _form_errors(response)
    record.refresh_from_db()
    assert record.default_vat_code.code == "VAT0"
    (event,) = _events(company, "item.updated")
    assert event.payload["default_vat_code"] == "VAT0"


def test_supplier_with_the_erp_code_of_another_is_shown_and_nothing_stored(admin_client, company):
    case = BY_EVENT["supplier"]
    _added(admin_client, case, company)
    response = _add(admin_client, case, company, name="Other OÜ", registry_code="")
    _assert_refused(response, "erp_code", "with this erp code exists already")
    assert list(Supplier.objects.values_list("name", flat=True)) == ["Tarnija OÜ"]
    assert len(_events(company, "supplier.created")) == 1


def test_supplier_without_a_default_currency_is_added(admin_client, company):
    supplier = _added(admin_client, BY_EVENT["supplier"], company)
    assert supplier.default_currency == ""


def test_a_change_the_service_refuses_is_shown_on_the_form_and_writes_nothing(
    admin_client, company
):
    case = BY_EVENT["account"]
    record = _added(admin_client, case, company)
    response = admin_client.post(
        case.url("change", record.pk), case.change_form(name="Renamed", default_vat_code="NOPE")
    )
    _assert_refused(response, "default_vat_code", "no VAT code with code 'NOPE'")
    page = response.content.decode()
    assert "no VAT code with code" in page
    assert 'value="Renamed"' in page  # the input sent stays on the form
    record.refresh_from_db()
    assert (record.name, record.default_vat_code.code) == ("Materials", "VAT24")
    assert _events(company, "account.updated") == []


def test_an_add_the_service_refuses_keeps_the_input_on_the_form(admin_client, company):
    case = BY_EVENT["dimension_type"]
    _added(admin_client, case, company)
    response = _add(admin_client, case, company, name="Another region")
    page = response.content.decode()
    assert response.status_code == 200
    assert "exists already" in page
    assert 'value="Another region"' in page
    assert DimensionType.objects.filter(company=company).count() == 1
