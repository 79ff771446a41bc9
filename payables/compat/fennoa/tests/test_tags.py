"""do/set_tags and get/tags: Fennoa's tags are prebooking splits."""

from __future__ import annotations

import pytest

from payables.compat.fennoa.tests.conftest import data_of, errors_of
from payables.invoices.tests.master_data import MasterData

# The description's example JSON data (its typographic quotes made plain).
EXAMPLE = (
    '[{"percent":100,"account_code":4020,"vatcode_id":1,"dim_1":100, "description":"selite" }]'
)


@pytest.fixture
def master_data(api):
    """Master data as a company moving from Fennoa loads it: Fennoa's ids as codes."""
    data = MasterData(api)
    for code in ("4000", "4020"):
        data.account(code)
    data.vat_code("1", "22")
    data.vat_code("9", "9")
    data.dimension("1", "100")
    return data


pytestmark = pytest.mark.usefixtures("master_data")


def test_the_descriptions_example_prebooks_as_the_native_api_does(fennoa, api, make_invoice):
    ours, theirs = make_invoice(), make_invoice()
    tags = data_of(fennoa.post(f"purchases_api/do/set_tags/{ours.internal_id}", {"json": EXAMPLE}))
    native = api.put(
        f"/invoices/{theirs.id}/prebooking",
        {
            "splits": [
                {
                    "percent": "100",
                    "account_code": "4020",
                    "vat_code": "1",
                    "dimensions": {"1": "100"},
                    "description": "selite",
                }
            ]
        },
    )
    assert native.status_code == 200, native.json()

    def lines(invoice):
        body = api.get(f"/invoices/{invoice.id}/posting-lines").json()
        return [{k: v for k, v in line.items() if k != "id"} for line in body["posting_lines"]]

    assert lines(ours) == lines(theirs)
    assert lines(ours)[0]["source"] == "prebooking"
    (tag,) = tags
    assert tag["PurchaseInvoiceTag"] | {"id": 0} == {
        "id": 0,
        "purchase_invoice_id": str(ours.internal_id),
        "description": "selite",
        "account_code": "4020",
        "sum": None,
        "percent": "100.0000",
        "vatcode_id": 1,
        "dim_1": 100,
        "created": None,
    }


def test_get_tags_gives_the_tags_back(fennoa, make_invoice):
    invoice = make_invoice()
    json_data = '[{"percent":60,"account_code":4000},{"percent":40,"account_code":4020}]'
    set_ = data_of(
        fennoa.post(
            "purchases_api/do/set_tags",
            {"json": json_data, "purchase_invoice_id": str(invoice.internal_id)},
        )
    )
    got = data_of(fennoa.get("purchases_api/get/tags", {"invoice_id": invoice.internal_id}))
    assert got == set_
    assert [t["PurchaseInvoiceTag"]["percent"] for t in got] == ["60.0000", "40.0000"]
    assert data_of(fennoa.get(f"purchases_api/get/tags/{invoice.internal_id}")) == got
    invoice.refresh_from_db()
    assert invoice.prebooked


def test_a_sum_dominates_a_percent(fennoa, make_invoice):
    invoice = make_invoice()  # 176.50 gross
    json_data = '[{"percent":50,"sum":176.50,"account_code":4000}]'
    (tag,) = data_of(
        fennoa.post(f"purchases_api/do/set_tags/{invoice.internal_id}", {"json": json_data})
    )
    assert (tag["PurchaseInvoiceTag"]["sum"], tag["PurchaseInvoiceTag"]["percent"]) == (
        "176.50000000",
        None,
    )


def test_tags_come_as_a_json_body_too(fennoa, make_invoice):
    invoice = make_invoice()
    payload = {"json": [{"percent": 100, "account_code": 4000}], "invoice_id": invoice.internal_id}
    assert len(data_of(fennoa.post_json("purchases_api/do/set_tags", payload))) == 1


def test_a_tag_dimension_by_type_code(fennoa, api, make_invoice):
    MasterData(api).dimension("department", "IT")
    invoice = make_invoice()
    json_data = '[{"percent":100,"account_code":4000,"dim_department":"IT"}]'
    (tag,) = data_of(
        fennoa.post(f"purchases_api/do/set_tags/{invoice.internal_id}", {"json": json_data})
    )
    assert tag["PurchaseInvoiceTag"]["dim_department"] == "IT"


def test_codes_the_company_does_not_keep_are_located_in_the_json(fennoa, make_invoice):
    invoice = make_invoice()
    json_data = '[{"percent":100,"account_code":4999,"vatcode_id":7,"dim_1":999}]'
    response = fennoa.post(f"purchases_api/do/set_tags/{invoice.internal_id}", {"json": json_data})
    assert response.status_code == 400
    assert errors_of(response) == {
        "json.0.account_code": "unknown_code",
        "json.0.vatcode_id": "unknown_code",
        "json.0.dim_1": "unknown_code",
    }
    invoice.refresh_from_db()
    assert not invoice.prebooked


def test_shape_problems_are_located_per_tag(fennoa, make_invoice):
    invoice = make_invoice()
    json_data = '[{"account_code":4000},{"percent":"lots","account_code":4000},{"percent":100}]'
    response = fennoa.post(f"purchases_api/do/set_tags/{invoice.internal_id}", {"json": json_data})
    assert errors_of(response) == {
        "json.0.percent": "missing",
        "json.1.percent": "decimal_parsing",
        "json.2.account_code": "missing",
    }


def test_percentages_must_total_a_hundred(fennoa, make_invoice):
    invoice = make_invoice()
    json_data = '[{"percent":60,"account_code":4000}]'
    response = fennoa.post(f"purchases_api/do/set_tags/{invoice.internal_id}", {"json": json_data})
    assert errors_of(response) == {"json": "percent_total"}


def test_the_json_field_must_be_a_json_array(fennoa, make_invoice):
    invoice = make_invoice()
    path = f"purchases_api/do/set_tags/{invoice.internal_id}"
    assert errors_of(fennoa.post(path, {"json": "[{"})) == {"json": "json_invalid"}
    assert errors_of(fennoa.post(path, {"json": '{"percent":100}'})) == {"json": "invalid"}
    assert errors_of(fennoa.post(path, {})) == {"json": "missing"}


def test_the_invoice_must_be_named(fennoa):
    response = fennoa.post("purchases_api/do/set_tags", {"json": EXAMPLE})
    assert errors_of(response) == {"purchase_invoice_id": "missing"}


def test_another_companys_invoice_cannot_be_tagged_or_read(other_fennoa, make_invoice):
    invoice = make_invoice()
    json_data = '[{"percent":100,"account_code":4000}]'
    response = other_fennoa.post(
        f"purchases_api/do/set_tags/{invoice.internal_id}", {"json": json_data}
    )
    assert response.status_code == 400
    assert errors_of(response) == {None: "invoice_not_found"}
    response = other_fennoa.get(f"purchases_api/get/tags/{invoice.internal_id}")
    assert response.status_code == 404
    invoice.refresh_from_db()
    assert not invoice.prebooked


def test_the_json_field_as_a_json_object_is_refused_at_json(fennoa, make_invoice):
    invoice = make_invoice()
    response = fennoa.post_json(
        f"purchases_api/do/set_tags/{invoice.internal_id}", {"json": {"percent": 100}}
    )
    assert response.status_code == 400
    assert errors_of(response) == {"json": "invalid"}


def test_a_json_true_is_no_invoice_to_tag(fennoa, make_invoice):
    invoice = make_invoice()
    assert invoice.internal_id == 1
    response = fennoa.post_json(
        "purchases_api/do/set_tags",
        {"purchase_invoice_id": True, "json": [{"percent": 100, "account_code": 4000}]},
    )
    assert errors_of(response) == {"purchase_invoice_id": "int_type"}
