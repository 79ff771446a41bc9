"""Bulk loads of product items with seller mappings, run by the real database worker."""

from __future__ import annotations

import pytest

from payables.events.models import Event
from payables.masterdata.models import ProductItem, SellerMapping
from payables.masterdata.tests.bulk_jobs import run_load
from payables.tests.task_worker import use_database_tasks

pytestmark = pytest.mark.django_db(transaction=True)

SUPPLIERS = 5


@pytest.fixture(autouse=True)
def _database_tasks(settings):
    use_database_tasks(settings)


@pytest.fixture
def references(api):
    """What the items name: accounts, a VAT code, a department, suppliers, a taken code."""
    for path, payload in [
        ("/vat-codes", {"code": "VAT24", "rate": "24"}),
        ("/accounts", {"code": "4000", "name": "Materials"}),
        ("/accounts", {"code": "4010", "name": "Services"}),
        ("/dimension-types/department/values", {"code": "D10", "name": "Sales"}),
        *[
            ("/suppliers", {"name": f"Tarnija {n} OÜ", "country": "EE", "erp_code": f"S-{n}"})
            for n in range(SUPPLIERS)
        ],
    ]:
        created = api.post(path, payload)
        assert created.status_code == 201, created.content
    old = {
        "description": "Old",
        "seller_mappings": [{"supplier_code": "S-0", "seller_code": "OLD"}],
    }
    assert api.put("/items/by-code/OLD", old).status_code == 201


def item(n: int, **changes: object) -> dict:
    record = {
        "code": f"I-{n:05d}",
        "description": f"Item {n}",
        "type": "stock",
        "unit": "pcs",
        "default_account": "4000" if n % 2 else "4010",
        "default_vat_code": "VAT24",
        "default_dimensions": {"department": "D10"},
        "seller_mappings": [{"supplier_code": f"S-{n % SUPPLIERS}", "seller_code": f"P-{n}"}],
    }
    return record | changes


@pytest.mark.slow
def test_a_load_of_10000_items_lands_with_each_bad_record_located(api, company, references):
    records = [item(n) for n in range(10_000)]
    bad = {
        3: (item(3, default_account="9999"), ["default_account"], "unknown_code"),
        404: (item(404, default_vat_code="VAT99"), ["default_vat_code"], "unknown_code"),
        1500: (
            item(1500, default_dimensions={"department": "D99"}),
            ["default_dimensions", "department"],
            "unknown_code",
        ),
        2048: (
            item(2048, seller_mappings=[{"supplier_code": "S-404", "seller_code": "X"}]),
            ["seller_mappings", 0, "supplier_code"],
            "unknown_supplier",
        ),
        3000: (
            item(3000, seller_mappings=[{"supplier_code": "S-0", "seller_code": "OLD"}]),
            ["seller_mappings"],
            "duplicate_seller_mapping",
        ),
        5555: (item(5555, type="gadget"), ["type"], "literal_error"),
        7000: (item(7000, description=""), ["description"], "string_too_short"),
        8191: (
            item(8191, seller_mappings=[{"seller_code": "P-8191"}]),
            ["seller_mappings", 0],
            "value_error",
        ),
        9998: (item(9998, code="bad/code"), ["code"], "string_pattern_mismatch"),
    }
    for index, (record, _, _) in bad.items():
        records[index] = record

    job = run_load(api, "/items", records)

    good = 10_000 - len(bad)
    assert job["state"] == "done"
    assert job["counts"] == {
        "created": good,
        "updated": 0,
        "unchanged": 0,
        "failed": len(bad),
        "deactivated": 0,
    }
    assert [(e["index"], e["loc"], e["type"]) for e in job["errors"]] == [
        (index, loc, kind) for index, (_, loc, kind) in sorted(bad.items())
    ]
    items = ProductItem.objects.filter(company=company)
    assert items.count() == good + 1
    assert SellerMapping.objects.filter(company=company).count() == good + 1
    assert Event.objects.filter(company=company, type="item.created").count() == good + 1
    landed = items.select_related("default_account").get(code="I-00077")
    assert (landed.default_account.code, landed.default_dimensions) == (
        "4000",
        {"department": "D10"},
    )
    mapping = SellerMapping.objects.select_related("supplier").get(item=landed)
    assert (mapping.supplier.erp_code, mapping.seller_code) == ("S-2", "P-77")
    assert not items.filter(code__in=["I-00003", "I-03000", "I-08191"]).exists()


def test_resending_items_changes_nothing_and_records_no_event(api, company, references):
    records = [item(n) for n in range(30)]
    run_load(api, "/items", records)
    changes = Event.objects.filter(company=company).exclude(type="masterdata.job_finished")
    before = changes.count()

    job = run_load(api, "/items", records)

    assert job["counts"]["unchanged"] == 30
    assert changes.count() == before


def test_changed_mappings_replace_the_stored_ones(api, company, references):
    run_load(api, "/items", [item(1)])
    moved = [{"supplier_code": "S-3", "seller_code": "NEW-1"}]

    job = run_load(api, "/items", [item(1, seller_mappings=moved)])

    assert job["counts"]["updated"] == 1
    mappings = SellerMapping.objects.filter(item__code="I-00001", company=company)
    assert list(mappings.values_list("supplier__erp_code", "seller_code")) == [("S-3", "NEW-1")]
