"""`payables load-rates FILE` loads an ECB-format file as the company's own rates."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from payables.cli import main
from payables.masterdata.models import CurrencyRate
from payables.tenancy.services import create_company

# The ECB's own layout: newest day first, N/A where a currency has no rate, a trailing comma.
ECB_CSV = (
    "Date,USD,JPY,SEK,HRK,\n"
    "2026-10-30,1.1172,175.68,10.978,N/A,\n"
    "2026-10-29,1.1650,176.10,11.000,N/A,\n"
)


def stored(company) -> dict[tuple[str, date], Decimal]:
    rows = CurrencyRate.objects.for_company(company).values_list("currency", "rate_date", "rate")
    return {(c, d): r for c, d, r in rows}


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text(ECB_CSV)
    return path


def test_loads_euro_rates_as_home_units_per_currency_unit(company, csv_file, capsys):
    call_command("load-rates", str(csv_file), "--company", company.name)
    rates = stored(company)
    assert len(rates) == 6  # HRK has no rate
    assert rates["USD", date(2026, 10, 30)] == Decimal("0.8950948801")  # 1 / 1.1172
    assert rates["JPY", date(2026, 10, 29)] == Decimal("0.0056785917")  # 1 / 176.10
    assert set(CurrencyRate.objects.values_list("source_label", flat=True)) == {csv_file.name}
    out = capsys.readouterr().out
    assert "6 rates of 3 currencies in EUR from 2026-10-29 to 2026-10-30" in out


def test_converts_to_a_home_currency_other_than_the_euro(db, csv_file):
    company = create_company(name="Svenska AB", country="SE", home_currency="SEK")
    call_command("load-rates", str(csv_file), "--company", company.name)
    rates = stored(company)
    assert rates["EUR", date(2026, 10, 30)] == Decimal("10.978")
    assert rates["USD", date(2026, 10, 30)] == Decimal("9.8263515933")  # 10.978 / 1.1172
    assert ("SEK", date(2026, 10, 30)) not in rates


def test_reads_the_ecb_zip(company, csv_file, tmp_path):
    archive = tmp_path / "eurofxref-hist.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(csv_file, "eurofxref-hist.csv")
    call_command("load-rates", str(archive), "--company", company.name)
    assert len(stored(company)) == 6


# Committed: Django's command line closes the connection when the command ends.
@pytest.mark.django_db(transaction=True)
def test_is_the_payables_load_rates_command(company, csv_file):
    main(["load-rates", str(csv_file)])  # the only company: no --company needed
    assert len(stored(company)) == 6


def test_a_second_load_replaces_and_counts(company, csv_file, capsys):
    call_command("load-rates", str(csv_file), "--company", company.name)
    csv_file.write_text(ECB_CSV.replace("1.1172", "1.2"))
    call_command("load-rates", str(csv_file), "--company", company.name)
    assert "(created 0, updated 1, unchanged 5)" in capsys.readouterr().out
    assert stored(company)["USD", date(2026, 10, 30)] == Decimal("0.8333333333")


def test_a_bad_cell_names_its_line_and_loads_nothing(company, tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text(ECB_CSV.replace("176.10", "176.1O"))
    with pytest.raises(CommandError, match=r"file line 3: JPY: '176.1O' is not a positive numb"):
        call_command("load-rates", str(path), "--company", company.name)
    assert stored(company) == {}


def test_a_file_without_the_home_currency_is_refused(db, csv_file):
    create_company(name="Magyar Kft", country="HU", home_currency="HUF")
    with pytest.raises(CommandError, match="must have a HUF column"):
        call_command("load-rates", str(csv_file), "--company", "Magyar Kft")


def test_a_file_that_is_not_an_ecb_file_is_refused(company, tmp_path):
    path = tmp_path / "invoice.xml"
    path.write_text("<Invoice/>")
    with pytest.raises(CommandError, match=r"file line 1: The first line must be `Date"):
        call_command("load-rates", str(path), "--company", company.name)


def test_several_companies_need_a_name(company, other_company, csv_file):
    with pytest.raises(CommandError, match="--company"):
        call_command("load-rates", str(csv_file))


def test_a_rate_out_of_reach_is_refused_with_its_line(company, tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("Date,USD,XAU,\n2026-10-30,1.1172,1E-30,\n")
    with pytest.raises(CommandError, match=r"file line 2: XAU: 1E-30 per euro is no EUR rate"):
        call_command("load-rates", str(path), "--company", company.name)
    assert stored(company) == {}
