"""`PUT /currency-rates` loads the company's own exchange rates; `GET` lists them."""

from __future__ import annotations

from decimal import Decimal

from payables.events.models import Event
from payables.masterdata.models import CurrencyRate

PATH = "/currency-rates"


def rate(currency: str = "USD", day: str = "2026-11-02", value: str = "0.8612") -> dict:
    return {"currency": currency, "date": day, "rate": value}


def stored(company) -> list[tuple]:
    rows = CurrencyRate.objects.for_company(company).order_by("currency", "rate_date")
    return list(rows.values_list("currency", "rate_date", "rate", "source_label"))


def test_loads_rates_and_lists_them(api, company):
    body = {"rates": [rate(), rate("GBP", value="1.1507"), rate(day="2026-11-03", value="0.86")]}
    response = api.put(PATH, body)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 3, "updated": 0, "unchanged": 0}
    listed = api.get(PATH, {"currency": "USD"}).json()
    assert listed["count"] == 2
    assert [(r["date"], r["rate"], r["source"]) for r in listed["items"]] == [
        ("2026-11-02", "0.8612", "api"),
        ("2026-11-03", "0.86", "api"),
    ]


def test_list_filters_by_dates(api):
    days = ("2026-10-30", "2026-11-02", "2026-11-03")
    api.put(PATH, {"rates": [rate(day=d) for d in days]})
    listed = api.get(PATH, {"date_from": "2026-11-01", "date_to": "2026-11-02"}).json()
    assert [r["date"] for r in listed["items"]] == ["2026-11-02"]


def test_a_rate_of_the_same_day_replaces_the_stored_one(api, company):
    api.put(PATH, {"rates": [rate(), rate("GBP", value="1.1507")]})
    response = api.put(PATH, {"rates": [rate(value="0.87"), rate("GBP", value="1.1507")]})
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 1}
    assert [(c, r) for c, _, r, _ in stored(company)] == [
        ("GBP", Decimal("1.1507")),
        ("USD", Decimal("0.87")),
    ]


def test_a_load_that_changes_nothing_records_no_event(api):
    api.put(PATH, {"rates": [rate()]})
    events = Event.objects.filter(type="currency_rates.loaded")
    assert events.count() == 1
    assert api.put(PATH, {"rates": [rate()]}).json() == {"created": 0, "updated": 0, "unchanged": 1}
    assert events.count() == 1


def test_the_event_says_what_was_loaded(api):
    api.put(PATH, {"rates": [rate(), rate("GBP", day="2026-11-03", value="1.15")]})
    event = Event.objects.get(type="currency_rates.loaded")
    assert event.payload == {
        "source": "api",
        "currencies": ["GBP", "USD"],
        "date_from": "2026-11-02",
        "date_to": "2026-11-03",
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }


def test_bad_items_are_located_and_nothing_is_written(api, company):
    body = {
        "rates": [
            rate(),
            rate("EUR"),  # the home currency
            rate(value="0.8612"),  # USD on the same day again
            rate("GBP", value="-1"),
            rate("usd"),
        ]
    }
    response = api.put(PATH, body)
    assert response.status_code == 422
    located = {tuple(e["loc"]) for e in response.json()["detail"]}
    # Shape errors come first: the load is checked whole before its meaning is.
    assert located == {("body", "rates", 3, "rate"), ("body", "rates", 4, "currency")}
    assert stored(company) == []


def test_meaning_errors_are_located_per_item(api, company):
    response = api.put(PATH, {"rates": [rate(), rate("EUR"), rate(value="0.9")]})
    assert response.status_code == 422
    errors = [(e["loc"], e["type"]) for e in response.json()["detail"]]
    assert errors == [
        (["body", "rates", 1, "currency"], "currency_rate_invalid"),
        (["body", "rates", 2, "date"], "duplicate_in_batch"),
    ]
    assert stored(company) == []
    assert not Event.objects.filter(type="currency_rates.loaded").exists()


def test_more_than_ten_thousand_rates_are_refused(api, company):
    response = api.put(PATH, {"rates": [rate()] * 10_001})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "rates"]


def test_an_unknown_field_is_refused(api):
    response = api.put(PATH, {"rates": [rate() | {"source": "bank"}]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "rates", 0, "source"]


def test_loading_needs_masterdata_write(client_with):
    response = client_with("masterdata:read").put(PATH, {"rates": [rate()]})
    assert response.status_code == 403


def test_listing_needs_masterdata_read(client_with):
    assert client_with("invoices:read").get(PATH).status_code == 403


def test_other_company_does_not_see_the_rates(api, other_api):
    api.put(PATH, {"rates": [rate()]})
    assert other_api.get(PATH).json() == {"items": [], "count": 0}
