"""GET /suppliers: paging, date and state filters, search."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from payables.masterdata.models import Supplier


def at(day: int, month: int = 1, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def three(api) -> dict[str, str]:
    """Three suppliers with known timestamps: name → id.

    Created through the API; the timestamps are then set directly, because the clock
    that stamps them cannot be steered and tests never depend on it.
    """
    suppliers = {
        "Alpha AS": (
            {"country": "EE", "registry_code": "10137319", "vat_number": "EE100931558"},
            at(1),
            at(1, month=3),
        ),
        "Beta OÜ": ({"country": "EE", "is_active": False}, at(2), at(2)),
        "Gamma Oy": (
            {"country": "FI", "registry_code": "2077474-0", "vat_number": "FI20774740"},
            at(3),
            at(1, month=2),
        ),
    }
    ids = {}
    for name, (fields, created_at, modified_at) in suppliers.items():
        response = api.post("/suppliers", {"name": name, **fields})
        assert response.status_code == 201, response.content
        ids[name] = response.json()["id"]
        Supplier.objects.filter(pk=ids[name]).update(created_at=created_at, modified_at=modified_at)
    return ids


def names(api, **params: object) -> list[str]:
    response = api.get("/suppliers", params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"]), "these lists fit on one page"
    return [s["name"] for s in body["items"]]


# --- paging --------------------------------------------------------------------------------


@pytest.fixture
def five(api) -> list[str]:
    created = [
        api.post("/suppliers", {"name": name, "country": "EE"}).json()["id"]
        for name in ["Echo", "Alpha", "Delta", "Bravo", "Charlie"]
    ]
    assert len(set(created)) == 5
    return ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]


def test_list_is_empty_without_suppliers(api):
    assert api.get("/suppliers").json() == {"items": [], "count": 0}


def test_list_is_ordered_by_name(api, five):
    assert names(api) == five


def test_pages_cover_every_supplier_once_with_the_total_count(api, five):
    seen = []
    for page in (1, 2, 3):
        body = api.get("/suppliers", {"page": page, "page_size": 2}).json()
        assert body["count"] == 5
        seen += [s["name"] for s in body["items"]]
    assert seen == five


def test_last_page_holds_the_remainder(api, five):
    body = api.get("/suppliers", {"page": 3, "page_size": 2}).json()
    assert [s["name"] for s in body["items"]] == ["Echo"]


def test_page_past_the_end_is_empty_with_the_total_count(api, five):
    assert api.get("/suppliers", {"page": 9, "page_size": 2}).json() == {"items": [], "count": 5}


def test_suppliers_with_the_same_name_page_in_a_stable_order(api):
    ids = {api.post("/suppliers", {"name": "Same", "country": "EE"}).json()["id"] for _ in "abc"}
    pages = [api.get("/suppliers", {"page": p, "page_size": 1}).json()["items"] for p in (1, 2, 3)]
    assert {page[0]["id"] for page in pages} == ids


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"page_size": 201}, ["query", "page_size"]),
        ({"page_size": 0}, ["query", "page_size"]),
        ({"page": 0}, ["query", "page"]),
        ({"page": "two"}, ["query", "page"]),
    ],
)
def test_paging_out_of_bounds_is_422(api, params, loc):
    response = api.get("/suppliers", params)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [loc]


def test_count_counts_the_filtered_suppliers(api, three):
    body = api.get("/suppliers", {"is_active": "true", "page_size": 1}).json()
    assert body["count"] == 2
    assert len(body["items"]) == 1


# --- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"created_after": "2026-01-02T00:00:00Z"}, ["Beta OÜ", "Gamma Oy"]),
        ({"created_before": "2026-01-02T00:00:00Z"}, ["Alpha AS"]),
        (
            {"created_after": "2026-01-01T13:00:00Z", "created_before": "2026-01-03T11:00:00Z"},
            ["Beta OÜ"],
        ),
        ({"modified_after": "2026-01-15T00:00:00Z"}, ["Alpha AS", "Gamma Oy"]),
        ({"modified_before": "2026-02-15T00:00:00Z"}, ["Beta OÜ", "Gamma Oy"]),
        (
            {"modified_after": "2026-01-15T00:00:00Z", "modified_before": "2026-02-15T00:00:00Z"},
            ["Gamma Oy"],
        ),
        ({"created_after": "2026-01-02T12:00:00Z"}, ["Gamma Oy"]),
        ({"created_before": "2026-01-02T12:00:00Z"}, ["Alpha AS"]),
        ({"created_after": "2026-01-02T14:00:00+02:00"}, ["Gamma Oy"]),
        ({"created_after": "2026-01-02T13:59:59+02:00"}, ["Beta OÜ", "Gamma Oy"]),
    ],
    ids=[
        "created-after",
        "created-before",
        "created-between",
        "modified-after",
        "modified-before",
        "modified-between",
        "after-is-exclusive",
        "before-is-exclusive",
        "offset-after-is-exclusive",
        "offset-just-before",
    ],
)
def test_date_filters_select_suppliers(api, three, params, expected):
    assert names(api, **params) == expected


def test_date_filter_without_timezone_is_read_as_utc(api, three):
    assert names(api, created_after="2026-01-02T12:00:00") == ["Gamma Oy"]


def test_date_filter_that_is_not_a_date_is_422(api, three):
    response = api.get("/suppliers", {"modified_after": "yesterday"})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", "modified_after"]]


def test_is_active_false_lists_inactive_suppliers(api, three):
    assert names(api, is_active="false") == ["Beta OÜ"]


def test_is_active_true_lists_active_suppliers(api, three):
    assert names(api, is_active="true") == ["Alpha AS", "Gamma Oy"]


def test_without_is_active_every_supplier_is_listed(api, three):
    assert names(api) == ["Alpha AS", "Beta OÜ", "Gamma Oy"]


# --- search --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("gamma", ["Gamma Oy"]),
        ("A", ["Alpha AS", "Beta OÜ", "Gamma Oy"]),
        ("Beta OÜ", ["Beta OÜ"]),
        ("10137319", ["Alpha AS"]),
        ("2077474-0", ["Gamma Oy"]),
        ("EE100931558", ["Alpha AS"]),
        ("100931558", ["Alpha AS"]),
        ("ee 100 931 558", ["Alpha AS"]),
        ("FI20774740", ["Gamma Oy"]),
        ("nobody", []),
    ],
    ids=[
        "name",
        "name-substring",
        "name-with-space",
        "registry-code",
        "fi-registry-code",
        "vat",
        "vat-without-prefix",
        "vat-spaced-lowercase",
        "fi-vat",
        "no-match",
    ],
)
def test_search_finds_suppliers_by_name_registry_code_or_vat(api, three, q, expected):
    assert names(api, q=q) == expected


def test_search_combines_with_filters(api, three):
    assert names(api, q="a", is_active="true", created_after="2026-01-02T00:00:00Z") == ["Gamma Oy"]
