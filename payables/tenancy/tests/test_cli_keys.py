"""The ``createkey`` and ``revokekey`` commands, via Django and the ``payables`` script."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from payables.cli import main
from payables.conftest import ApiClient
from payables.tenancy.models import ApiKey, Company, Integrator
from payables.tenancy.scopes import SCOPES

# The script ends like any Django command by closing database connections, which would
# drop a test transaction on PostgreSQL; these tests therefore commit for real.
script_test = pytest.mark.django_db(transaction=True)


def createkey(*args: str) -> tuple[str, str]:
    """Run ``createkey`` and return its output and the key it printed."""
    out = io.StringIO()
    call_command("createkey", *args, stdout=out)
    return out.getvalue(), _printed_key(out.getvalue())


def _printed_key(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("API key:")]
    assert len(lines) == 1, output
    return lines[0].removeprefix("API key:").strip()


def _nothing_created() -> bool:
    return not (Company.objects.exists() or Integrator.objects.exists() or ApiKey.objects.exists())


# --- createkey -----------------------------------------------------------------------------


def test_createkey_prints_the_key_once_on_its_own_line(db):
    output, raw = createkey("--company", "Acme", "--integrator", "ERP", "--scope", "invoices:read")
    assert raw.startswith("pay_")
    assert output.count(raw) == 1
    assert f"API key: {raw}" in output.splitlines()


def test_createkey_stores_only_the_hash_of_the_printed_key(db):
    _, raw = createkey("--company", "Acme", "--integrator", "ERP", "--scope", "invoices:read")
    key = ApiKey.objects.get()
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(key.prefix)


def test_createkey_creates_the_missing_company_and_integrator(db):
    createkey(
        "--company", "Acme Ostud OÜ", "--country", "EE", "--registry-code", "10137319",
        "--vat-number", "100931558", "--integrator", "ERP", "--scope", "invoices:read",
    )  # fmt: skip
    company = Company.objects.get()
    assert (company.name, company.country, company.registry_code, company.vat_number) == (
        "Acme Ostud OÜ", "EE", "10137319", "EE100931558",
    )  # fmt: skip
    assert company.home_currency == "EUR"
    integrator = Integrator.objects.get()
    assert (integrator.name, integrator.company) == ("ERP", company)
    assert ApiKey.objects.get().integrator == integrator


def test_createkey_reuses_an_existing_company_and_integrator(company):
    createkey("--company", company.name, "--integrator", "ERP", "--scope", "invoices:read")
    createkey("--company", company.name, "--integrator", "ERP", "--scope", "events:read")
    assert Company.objects.get() == company
    assert Integrator.objects.get().company == company
    assert sorted(k.scopes for k in ApiKey.objects.all()) == [["events:read"], ["invoices:read"]]


def test_createkey_adds_a_second_integrator_to_an_existing_company(company):
    createkey("--company", company.name, "--integrator", "ERP", "--scope", "invoices:read")
    createkey("--company", company.name, "--integrator", "Scanner", "--scope", "invoices:read")
    assert Company.objects.count() == 1
    assert sorted(Integrator.objects.values_list("name", flat=True)) == ["ERP", "Scanner"]


def test_createkey_gives_the_scopes_it_is_told(db):
    createkey(
        "--company", "Acme", "--integrator", "ERP",
        "--scope", "invoices:write", "--scope", "invoices:read",
    )  # fmt: skip
    assert ApiKey.objects.get().scopes == ["invoices:read", "invoices:write"]


def test_createkey_all_scopes_gives_every_scope(db):
    createkey("--company", "Acme", "--integrator", "ERP", "--all-scopes")
    assert ApiKey.objects.get().scopes == sorted(SCOPES)


def test_createkey_refuses_a_key_without_scope(db):
    with pytest.raises(CommandError, match="--scope"):
        createkey("--company", "Acme", "--integrator", "ERP")
    assert _nothing_created()


def test_createkey_refuses_an_unknown_scope_and_creates_nothing(db):
    with pytest.raises(CommandError, match="invoices:delete"):
        createkey("--company", "Acme", "--integrator", "ERP", "--scope", "invoices:delete")
    assert _nothing_created()


def test_createkey_refuses_an_invalid_registry_code_and_creates_nothing(db):
    with pytest.raises(CommandError, match="10137318"):
        createkey(
            "--company", "Acme", "--registry-code", "10137318",
            "--integrator", "ERP", "--scope", "invoices:read",
        )  # fmt: skip
    assert _nothing_created()


def test_printed_key_works_against_the_api(db):
    _, raw = createkey("--company", "Acme", "--integrator", "ERP", "--scope", "masterdata:write")
    response = ApiClient(raw).post("/suppliers", {"name": "Paper AS", "country": "EE"})
    assert response.status_code == 201, response.content
    assert Company.objects.get().suppliers.get().name == "Paper AS"


def test_printed_key_is_limited_to_its_scopes(db):
    _, raw = createkey("--company", "Acme", "--integrator", "ERP", "--scope", "masterdata:read")
    assert ApiClient(raw).get("/suppliers").status_code == 200
    assert ApiClient(raw).post("/suppliers", {"name": "P", "country": "EE"}).status_code == 403


@script_test
def test_payables_script_createkey_prints_a_working_key(capsys):
    main(["createkey", "--company", "Acme", "--integrator", "ERP", "--scope", "invoices:read"])
    raw = _printed_key(capsys.readouterr().out)
    assert ApiClient(raw).get("/invoices").json() == {"items": [], "count": 0, "next": None}


@script_test
def test_payables_script_createkey_without_scope_exits_with_an_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["createkey", "--company", "Acme", "--integrator", "ERP"])
    assert info.value.code != 0
    assert "--scope" in capsys.readouterr().err
    assert _nothing_created()


# --- revokekey -----------------------------------------------------------------------------


def test_revokekey_makes_the_key_fail_with_401(company, make_key):
    raw = make_key(company)
    out = io.StringIO()
    call_command("revokekey", ApiKey.objects.get().prefix, stdout=out)
    assert "Revoked" in out.getvalue()
    assert ApiKey.objects.get().revoked_at is not None
    response = ApiClient(raw).get("/suppliers")
    assert response.status_code == 401
    assert response.json()["code"] == "api_key_invalid"


def test_revokekey_leaves_other_keys_alone(company, make_key):
    first, second = make_key(company), make_key(company)
    call_command("revokekey", first[:10], stdout=io.StringIO())
    assert ApiClient(second).get("/suppliers").status_code == 200


def test_revokekey_refuses_an_unknown_prefix(company, make_key):
    raw = make_key(company)
    with pytest.raises(CommandError, match="0 keys"):
        call_command("revokekey", "pay_nosuch", stdout=io.StringIO())
    assert ApiKey.objects.get().revoked_at is None
    assert ApiClient(raw).get("/suppliers").status_code == 200


@script_test
def test_payables_script_revokekey_makes_the_key_fail_with_401(company, make_key, capsys):
    raw = make_key(company)
    main(["revokekey", ApiKey.objects.get().prefix])
    assert "Revoked" in capsys.readouterr().out
    assert ApiClient(raw).get("/suppliers").status_code == 401
