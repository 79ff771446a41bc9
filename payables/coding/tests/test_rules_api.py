"""The coding-rule endpoints: CRUD, located refusals, order, dry runs, tenant isolation."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from payables.coding.models import CodingRule, PostingLine
from payables.coding.tests import rules_support
from payables.conftest import ApiClient
from payables.events.models import Event
from payables.invoices.models import Invoice
from payables.invoices.tests.master_data import locs

master_data = rules_support.master_data
make_rule = rules_support.make_rule
THREADS = 4

RULE = {
    "name": "Paper",
    "conditions": {"supplier": "EE100931558", "text_contains": "paper", "amount_min": 10},
    "actions": {"account_code": "6000", "vat_code": "VAT22", "dimensions": {"department": "IT"}},
}


def events() -> list[str]:
    return list(
        Event.objects.filter(subject_type="coding_rule")
        .order_by("sequence")
        .values_list("type", flat=True)
    )


def test_create_answers_the_rule_as_stored(api, master_data, supplier):
    response = api.post("/coding-rules", RULE)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["conditions"] == {
        "supplier": str(supplier.id),
        "text_contains": "paper",
        "amount_min": "10",
    }
    assert body["actions"] == RULE["actions"]
    assert (body["position"], body["is_active"]) == (1, True)
    assert api.get(f"/coding-rules/{body['id']}").json() == body
    assert events() == ["coding_rule.created"]


def test_new_rules_go_last_and_the_list_is_in_order(api, make_rule):
    make_rule("A")
    make_rule("B")
    response = api.post("/coding-rules", {"name": "C", "actions": {"account_code": "4000"}})
    assert response.json()["position"] == 3
    first = api.post(
        "/coding-rules", {"name": "First", "position": 0, "actions": {"account_code": "4000"}}
    )
    assert first.status_code == 201
    listed = api.get("/coding-rules", {"page_size": 3}).json()
    assert listed["count"] == 4
    assert [r["name"] for r in listed["items"]] == ["First", "A", "B"]


def test_a_split_rule_is_stored_with_its_percentages(api, master_data):
    actions = {
        "split": [
            {"percent": 60, "account_code": "4000", "vat_code": "VAT22"},
            {"percent": "40.00", "account_code": "4010", "dimensions": {"department": "HR"}},
        ]
    }
    response = api.post("/coding-rules", {"name": "Split", "actions": actions})
    assert response.status_code == 201, response.json()
    assert response.json()["actions"]["split"] == [
        {
            "percent": "60",
            "account_code": "4000",
            "vat_code": "VAT22",
            "dimensions": {},
            "description": "",
        },
        {
            "percent": "40",
            "account_code": "4010",
            "vat_code": "",
            "dimensions": {"department": "HR"},
            "description": "",
        },
    ]


REFUSALS = {
    "invalid_regex": (
        {"conditions": {"text_regex": "(unclosed"}},
        [["body", "conditions", "text_regex"]],
    ),
    "catastrophic_regex": (
        {"conditions": {"text_regex": "(a+)+$"}},
        [["body", "conditions", "text_regex"]],
    ),
    "alternation_repeated": (
        {"conditions": {"text_regex": "(a|ab)*c"}},
        [["body", "conditions", "text_regex"]],
    ),
    "three_open_repeats": (
        {"conditions": {"text_regex": r"\w+\s*\w+x"}},
        [["body", "conditions", "text_regex"]],
    ),
    "regex_too_long": (
        {"conditions": {"text_regex": "a" * 201}},
        [["body", "conditions", "text_regex"]],
    ),
    "unknown_condition": (
        {"conditions": {"colour": "red"}},
        [["body", "conditions", "colour"]],
    ),
    "unknown_supplier": (
        {"conditions": {"supplier": "EE000"}},
        [["body", "conditions", "supplier"]],
    ),
    "amounts_reversed": (
        {"conditions": {"amount_min": "100", "amount_max": "99.99"}},
        [["body", "conditions", "amount_max"]],
    ),
    "float_like_amount": (
        {"conditions": {"amount_min": "1,5"}},
        [["body", "conditions", "amount_min"]],
    ),
    "unknown_custom_field": (
        {"conditions": {"custom_field": {"code": "nope", "value": "1"}}},
        [["body", "conditions", "custom_field", "code"]],
    ),
    "unknown_account": (
        {"actions": {"account_code": "9999"}},
        [["body", "actions", "account_code"]],
    ),
    "inactive_account": (
        {"actions": {"account_code": "OFF"}},
        [["body", "actions", "account_code"]],
    ),
    "sales_vat_code": (
        {"actions": {"account_code": "4000", "vat_code": "S22"}},
        [["body", "actions", "vat_code"]],
    ),
    "unknown_dimension_value": (
        {"actions": {"account_code": "4000", "dimensions": {"department": "XX"}}},
        [["body", "actions", "dimensions", "department"]],
    ),
    "no_account": (
        {"actions": {"vat_code": "VAT22"}},
        [["body", "actions", "account_code"]],
    ),
    "unknown_action": (
        {"actions": {"account_code": "4000", "approve": True}},
        [["body", "actions", "approve"]],
    ),
    "split_not_100": (
        {
            "actions": {
                "split": [
                    {"percent": "60", "account_code": "4000"},
                    {"percent": "30", "account_code": "4010"},
                ]
            }
        },
        [["body", "actions", "split"]],
    ),
    "split_with_its_own_account": (
        {
            "actions": {
                "account_code": "4000",
                "split": [
                    {"percent": "50", "account_code": "4000"},
                    {"percent": "50", "account_code": "SALES", "vat_code": "S22"},
                ],
            }
        },
        [
            ["body", "actions", "account_code"],
            ["body", "actions", "split", 1, "account_code"],
            ["body", "actions", "split", 1, "vat_code"],
        ],
    ),
    "split_of_one": (
        {"actions": {"split": [{"percent": "100", "account_code": "4000"}]}},
        [["body", "actions", "split"]],
    ),
}


@pytest.mark.parametrize(("change", "expected"), REFUSALS.values(), ids=list(REFUSALS))
def test_a_bad_rule_is_refused_where_it_is_wrong(api, master_data, change, expected):
    master_data.account("OFF", is_active=False)
    master_data.custom_field("contract")
    rule = {"name": "Bad", "actions": {"account_code": "4000"}} | change
    response = api.post("/coding-rules", rule)
    assert locs(response) == expected
    assert not CodingRule.objects.exists()
    assert events() == []


def test_a_second_rule_of_the_same_name_is_refused(api, make_rule):
    make_rule("Paper")
    response = api.post("/coding-rules", {"name": "Paper", "actions": {"account_code": "4000"}})
    assert locs(response) == [["body", "name"]]
    assert response.json()["detail"][0]["type"] == "duplicate_name"


def test_patch_changes_what_it_sends_and_replaces_conditions_whole(api, make_rule):
    rule = make_rule("Paper", {"account_code": "4000"}, text_contains="paper", currency="EUR")
    response = api.patch(
        f"/coding-rules/{rule.id}", {"conditions": {"item_code": "P-1"}, "is_active": False}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["name"], body["is_active"], body["conditions"]) == (
        "Paper",
        False,
        {"item_code": "P-1"},
    )
    assert body["actions"] == {"account_code": "4000"}
    refused = api.patch(f"/coding-rules/{rule.id}", {"actions": {"account_code": "9999"}})
    assert locs(refused) == [["body", "actions", "account_code"]]
    assert CodingRule.objects.get().actions == {"account_code": "4000"}
    assert events() == ["coding_rule.created", "coding_rule.updated"]


def test_delete_removes_the_rule(api, make_rule):
    rule = make_rule("Paper")
    assert api.delete(f"/coding-rules/{rule.id}").status_code == 204
    assert not CodingRule.objects.exists()
    assert api.get(f"/coding-rules/{rule.id}").status_code == 404
    assert events() == ["coding_rule.created", "coding_rule.deleted"]


def test_order_sets_the_positions_of_every_rule(api, make_rule):
    a, b, c = make_rule("A"), make_rule("B"), make_rule("C")
    response = api.put("/coding-rules/order", {"ids": [str(c.id), str(a.id), str(b.id)]})
    assert response.status_code == 200, response.json()
    assert [(r["name"], r["position"]) for r in response.json()] == [("C", 1), ("A", 2), ("B", 3)]
    assert [r["name"] for r in api.get("/coding-rules").json()["items"]] == ["C", "A", "B"]


def test_an_order_that_misses_or_repeats_a_rule_is_refused(api, make_rule, other_api):
    a, b = make_rule("A"), make_rule("B")
    theirs = other_api.post("/coding-rules", {"name": "T", "actions": {"account_code": "1"}})
    response = api.put("/coding-rules/order", {"ids": [str(a.id), str(a.id), theirs.json()["id"]]})
    assert locs(response) == [["body", "ids", 1], ["body", "ids", 2], ["body", "ids"]]
    assert [r.position for r in CodingRule.objects.filter(company=a.company)] == [1, 2]
    assert b.id.hex in response.json()["detail"][2]["msg"].replace("-", "")


def test_another_companys_rule_is_not_found(api, other_api, make_rule, make_invoice):
    rule = make_rule("Mine")
    invoice = make_invoice()
    path = f"/coding-rules/{rule.id}"
    assert other_api.get(path).status_code == 404
    assert other_api.patch(path, {"name": "Theirs"}).status_code == 404
    assert other_api.delete(path).status_code == 404
    assert other_api.post(f"{path}/dry-run", {"invoice": str(invoice.id)}).status_code == 404
    assert other_api.get("/coding-rules").json() == {"items": [], "count": 0}
    theirs = other_api.post("/coding-rules", {"name": "T", "actions": {"account_code": "1"}})
    assert (
        api.post(
            f"/coding-rules/{theirs.json()['id']}/dry-run", {"invoice": str(invoice.id)}
        ).status_code
        == 404
    )
    assert CodingRule.objects.get(pk=rule.pk).name == "Mine"


def test_reading_needs_coding_read_and_writing_coding_write(company, make_key, make_rule):
    reader = ApiClient(make_key(company, scopes=["coding:read"], integrator="BI"))
    assert reader.get("/coding-rules").status_code == 200
    response = reader.post("/coding-rules", {"name": "X", "actions": {"account_code": "4000"}})
    assert response.status_code == 403
    assert (
        ApiClient(make_key(company, scopes=["invoices:read"])).get("/coding-rules").status_code
        == 403
    )


def test_dry_run_shows_each_line_and_writes_nothing(api, make_rule, make_invoice):
    rule = make_rule(
        "Paper split",
        {
            "split": [
                {"percent": "70", "account_code": "4000", "dimensions": {"department": "IT"}},
                {"percent": "30", "account_code": "4010"},
            ]
        },
        text_contains="paper",
    )
    invoice = make_invoice()
    before = (Event.objects.count(), Invoice.objects.get().modified_at, CodingRule.objects.get())
    lines_before = list(PostingLine.objects.values_list("id", "source", "account_code"))
    for ref in (str(invoice.id), invoice.internal_id):
        response = api.post(f"/coding-rules/{rule.id}/dry-run", {"invoice": ref})
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["rule_id"], body["invoice_id"]) == (str(rule.id), str(invoice.id))
        paper, books = body["lines"]
        assert (paper["matches"], paper["would_apply"], paper["failing_conditions"]) == (
            True,
            True,
            [],
        )
        assert [(c["account_code"], c["net_amount"], c["vat_amount"]) for c in paper["coding"]] == [
            ("4000", "70.00", "15.40"),
            ("4010", "30.00", "6.60"),
        ]
        assert (books["matches"], books["failing_conditions"], books["coding"]) == (
            False,
            ["text_contains"],
            [],
        )
    after = (Event.objects.count(), Invoice.objects.get().modified_at, CodingRule.objects.get())
    assert after == before
    assert before[2].modified_at == after[2].modified_at
    assert list(PostingLine.objects.values_list("id", "source", "account_code")) == lines_before


def test_dry_run_says_when_a_code_is_not_valid_on_the_invoice_date(
    api, master_data, make_rule, make_invoice
):
    master_data.vat_code("OLD", rate="20", valid_to="2026-06-30")
    rule = make_rule("Old", {"account_code": "4000", "vat_code": "OLD"})
    invoice = make_invoice()
    line = api.post(f"/coding-rules/{rule.id}/dry-run", {"invoice": str(invoice.id)}).json()[
        "lines"
    ][0]
    assert (line["matches"], line["would_apply"]) == (True, False)
    assert "not valid on 2026-11-02" in line["refusal"]


def test_an_unsaved_rule_can_be_tried(api, master_data, make_invoice):
    invoice = make_invoice()
    rule = {"conditions": {"amount_max": "50"}, "actions": {"account_code": "6000"}}
    response = api.post("/coding-rules/dry-run", {"rule": rule, "invoice": invoice.internal_id})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["rule_id"] is None
    assert [line["would_apply"] for line in body["lines"]] == [False, True]
    assert not CodingRule.objects.exists()
    bad = {"rule": {"actions": {"account_code": "9999"}}, "invoice": str(invoice.id)}
    assert locs(api.post("/coding-rules/dry-run", bad)) == [
        ["body", "rule", "actions", "account_code"]
    ]


def test_dry_run_of_an_unknown_invoice_is_422_at_the_invoice(api, make_rule):
    rule = make_rule("Paper")
    unsaved = {"rule": {"actions": {"account_code": "4000"}}, "invoice": "99"}
    assert locs(api.post(f"/coding-rules/{rule.id}/dry-run", {"invoice": "99"})) == [
        ["body", "invoice"]
    ]
    assert locs(api.post("/coding-rules/dry-run", unsaved)) == [["body", "invoice"]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_rules_of_one_name_one_is_stored_the_rest_refused(api_key, master_data):
    """The company's write lock orders them: the later ones find the name taken (422)."""
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []

    def send() -> None:
        try:
            client = ApiClient(api_key)
            barrier.wait()
            rule = {"name": "Same", "actions": {"account_code": "4000"}}
            statuses.append(client.post("/coding-rules", rule).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [422] * (THREADS - 1)
    assert CodingRule.objects.get().position == 1


def test_an_invoice_created_by_api_is_coded_by_the_first_matching_rule(
    api, make_rule, invoice_payload
):
    """End to end: the rule codes the uncoded row at creation; a row coded by its sender stays."""
    first = make_rule("Paper to IT", {"account_code": "6000"}, text_contains="paper")
    make_rule("Paper again", {"account_code": "4010"}, text_contains="paper")
    payload = invoice_payload()
    payload["rows"][1]["account_code"] = "4000"  # the books row is coded by its sender
    created = api.post("/invoices", payload)
    assert created.status_code == 201, created.json()

    answer = api.get(f"/invoices/{created.json()['id']}/posting-lines")
    assert answer.status_code == 200, answer.json()
    lines = [
        (ln["account_code"], ln["source"], ln["net_amount"])
        for ln in answer.json()["posting_lines"]
    ]
    assert lines == [("6000", f"rule:{first.id}", "100.00"), ("4000", "row", "50.00")]
    listed = api.get("/invoices?prebooked=true").json()
    assert [item["id"] for item in listed["items"]] == [created.json()["id"]]
