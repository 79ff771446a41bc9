"""Routing rules: which chain a new invoice gets, and the rules' own API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payables.approvals.models import ApprovalStep, RoutingRule
from payables.events.models import Event
from payables.invoices.models import AuditEntry, Invoice
from payables.invoices.schemas import InvoicePatch
from payables.invoices.services import update_invoice
from payables.masterdata.services import create_supplier


def _chain(invoice):
    return [
        (s.approver.code, s.level, s.status, s.is_current)
        for s in ApprovalStep.objects.filter(invoice=invoice)
    ]


@pytest.fixture
def people(make_user):
    return {code: make_user(code) for code in ("ANN", "BOB", "CID", "DAN")}


def test_new_invoice_matching_a_rule_is_assigned_at_once(people, make_rule, make_invoice):
    make_rule("all", [(people["ANN"], 1)])
    invoice = make_invoice()
    assert invoice.status == "assigned"
    assert _chain(invoice) == [("ANN", 1, "waiting", True)]
    types = list(
        Event.objects.filter(subject_id=invoice.id)
        .order_by("sequence")
        .values_list("type", flat=True)
    )
    assert types == ["invoice.created", "invoice.assigned"]
    entry = AuditEntry.objects.get(invoice=invoice, action="routed")
    assert entry.comment == "rule all"


def test_steps_run_from_pre_verification_down_to_approval(people, make_rule, make_invoice):
    make_rule("levels", [(people["ANN"], 1), (people["BOB"], 3), (people["CID"], 2)])
    invoice = make_invoice()
    assert [(code, level) for code, level, *_ in _chain(invoice)] == [
        ("BOB", 3),
        ("CID", 2),
        ("ANN", 1),
    ]


def test_first_matching_rule_by_position_wins(people, make_rule, make_invoice):
    make_rule("second", [(people["BOB"], 1)], position=2)
    make_rule("first", [(people["ANN"], 1)], position=1)
    assert _chain(make_invoice())[0][0] == "ANN"


def test_inactive_rules_are_ignored(people, make_rule, make_invoice):
    make_rule("off", [(people["ANN"], 1)], is_active=False, position=1)
    make_rule("on", [(people["BOB"], 1)], position=2)
    assert _chain(make_invoice())[0][0] == "BOB"


def test_amount_ranges_take_min_inclusive_and_max_exclusive(people, make_rule, make_invoice):
    make_rule("small", [(people["ANN"], 1)], max_amount=Decimal("176.50"), position=1)
    make_rule("from 176.50", [(people["BOB"], 1)], min_amount=Decimal("176.50"), position=2)
    assert _chain(make_invoice())[0][0] == "BOB"  # 176.50 exactly
    cheaper = make_invoice(
        net_amount="100.00", vat_amount="22.00", gross_amount="122.00",
        rows=[{"description": "Paper", "net_amount": "100.00", "vat_rate": "22",
               "vat_amount": "22.00"}],
        vat_breakdown=[{"vat_rate": "22", "base_amount": "100.00", "vat_amount": "22.00"}],
    )  # fmt: skip
    assert _chain(cheaper)[0][0] == "ANN"


def test_amount_is_compared_in_home_currency(people, make_rule, make_invoice):
    make_rule("over 100 EUR", [(people["ANN"], 1)], min_amount=Decimal("100"), position=1)
    make_rule("default", [(people["BOB"], 1)], is_default=True)
    invoice = make_invoice(currency="SEK", currency_rate="0.1")  # 176.50 SEK = 17.65 EUR
    assert _chain(invoice)[0][0] == "BOB"


def test_supplier_and_currency_conditions(people, make_rule, make_invoice, actor, supplier):
    other = create_supplier({"name": "Other AS", "country": "EE"}, actor=actor)
    make_rule("other supplier", [(people["ANN"], 1)], supplier_ids=[other.id], position=1)
    make_rule("in SEK", [(people["BOB"], 1)], currencies=["SEK"], position=2)
    make_rule("default", [(people["CID"], 1)], is_default=True)
    assert _chain(make_invoice())[0][0] == "CID"
    assert _chain(make_invoice(currency="SEK", currency_rate="0.1"))[0][0] == "BOB"


def test_cost_centre_on_any_row_matches(people, make_rule, make_invoice):
    make_rule("IT", [(people["ANN"], 1)], dimension_values={"cost_centre": ["IT", "OPS"]})
    rows = [
        {"description": "Paper", "net_amount": "100.00", "vat_rate": "22", "vat_amount": "22.00"},
        {"description": "Books", "net_amount": "50.00", "vat_rate": "9", "vat_amount": "4.50",
         "dimensions": {"cost_centre": "OPS"}},
    ]  # fmt: skip
    assert _chain(make_invoice(rows=rows))[0][0] == "ANN"
    assert make_invoice().status == "new"


def test_custom_field_values(people, make_rule, make_invoice):
    make_rule("project", [(people["ANN"], 1)], custom_field_values={"project": ["P-7"]})
    assert make_invoice(custom_fields={"project": "P-7"}).status == "assigned"
    assert make_invoice(custom_fields={"project": "P-8"}).status == "new"


def test_every_condition_of_a_rule_must_hold(people, make_rule, make_invoice):
    make_rule("both", [(people["ANN"], 1)], currencies=["EUR"], min_amount=Decimal("1000"))
    assert make_invoice().status == "new"


def test_default_rule_applies_when_nothing_else_matches(people, make_rule, make_invoice):
    make_rule("big", [(people["ANN"], 1)], min_amount=Decimal("10000"), position=1)
    make_rule("default", [(people["DAN"], 1)], is_default=True, position=0)
    assert _chain(make_invoice())[0][0] == "DAN"


def test_without_rule_or_default_the_invoice_stays_new_and_unassigned(
    api, make_invoice, people, make_rule
):
    make_rule("only SEK", [(people["ANN"], 1)], currencies=["SEK"])
    invoice = make_invoice()
    assert invoice.status == "new"
    body = api.get("/approvals/unassigned").json()
    assert body["count"] == 1
    assert body["items"][0]["id"] == str(invoice.id)
    assert body["items"][0]["supplier_name"] == invoice.supplier.name
    assert AuditEntry.objects.filter(invoice=invoice, action="not_routed").exists()


def test_unusable_approvers_of_a_rule_are_skipped(people, make_rule, make_invoice, make_user):
    gone = make_user("GONE", active=False)
    pre = make_user("PRE", last=False)
    make_rule("mixed", [(gone, 2), (people["ANN"], 1), (pre, 1)])
    invoice = make_invoice()
    assert _chain(invoice) == [("ANN", 1, "waiting", True)]
    note = AuditEntry.objects.get(invoice=invoice, action="routed").comment
    assert "GONE skipped (inactive)" in note and "PRE skipped (cannot_be_last_approver)" in note


def test_a_rule_whose_approvers_all_fail_leaves_the_invoice_new(make_rule, make_invoice, make_user):
    make_rule("broken", [(make_user("GONE", active=False), 1)])
    assert make_invoice().status == "new"


def test_an_update_that_makes_a_rule_match_routes_the_invoice(
    people, make_rule, make_invoice, actor
):
    make_rule("P-7", [(people["ANN"], 1)], custom_field_values={"project": ["P-7"]})
    invoice = make_invoice()
    assert invoice.status == "new"
    update_invoice(invoice, InvoicePatch(custom_fields={"project": "P-7"}), actor=actor)
    assert Invoice.objects.get(pk=invoice.pk).status == "assigned"


def test_rules_of_another_company_never_apply(people, other_company, make_invoice):
    from payables.approvals.services import create_rule
    from payables.masterdata.schemas import UserIn
    from payables.masterdata.services.users import create_user
    from payables.tenancy.actors import Actor

    other = Actor.system(other_company)
    create_user(
        UserIn(code="OLA", name="Ola", roles=["approver"], can_be_last_approver=True).model_dump(),
        actor=other,
    )
    approvers = [{"user": "OLA", "level": 1}]
    create_rule({"name": "x", "approvers": approvers, "is_default": True}, actor=other)
    assert make_invoice().status == "new"


# --- the rules API ----------------------------------------------------------------------------


def _rule(**overrides):
    return {"name": "IT costs", "approvers": [{"user": "ANN", "level": 1}]} | overrides


def test_rule_round_trip(api, people, supplier):
    created = api.post(
        "/routing-rules",
        _rule(
            supplier_ids=[str(supplier.id)],
            min_amount="100",
            max_amount=1000.5,
            currencies=["EUR"],
            dimension_values={"cost_centre": ["IT"]},
            approvers=[{"user": "ann@example.com", "level": 2}, {"user": "BOB", "level": 1}],
        ),
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["min_amount"] == "100.00" and body["max_amount"] == "1000.50"
    assert body["approvers"] == [
        {"user_id": str(people["ANN"].id), "level": 2},
        {"user_id": str(people["BOB"].id), "level": 1},
    ]
    rule_id = body["id"]
    assert api.get(f"/routing-rules/{rule_id}").json() == body
    patched = api.patch(f"/routing-rules/{rule_id}", {"max_amount": None, "position": 5})
    assert patched.status_code == 200, patched.json()
    assert patched.json()["max_amount"] is None and patched.json()["position"] == 5
    assert patched.json()["min_amount"] == "100.00"
    assert api.get("/routing-rules").json()["count"] == 1
    assert api.delete(f"/routing-rules/{rule_id}").status_code == 204
    assert api.get(f"/routing-rules/{rule_id}").status_code == 404
    types = list(
        Event.objects.filter(subject_type="routing_rule")
        .order_by("sequence")
        .values_list("type", flat=True)
    )
    assert types == ["routing_rule.created", "routing_rule.updated", "routing_rule.deleted"]


def test_a_new_default_rule_replaces_the_old_default(api, people):
    first = api.post("/routing-rules", _rule(name="a", is_default=True)).json()
    second = api.post("/routing-rules", _rule(name="b", is_default=True)).json()
    assert api.get(f"/routing-rules/{first['id']}").json()["is_default"] is False
    assert api.get(f"/routing-rules/{second['id']}").json()["is_default"] is True


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        (_rule(approvers=[{"user": "ANN"}, {"user": "NOBODY"}]), ["body", "approvers", 1, "user"]),
        (_rule(supplier_ids=["0b7f2a34-5f10-4a8e-8a52-4d1c3ef6a001"]), ["body", "supplier_ids", 0]),
        (_rule(min_amount="10", max_amount="10"), ["body", "max_amount"]),
        (_rule(approvers=[]), ["body", "approvers"]),
        (_rule(currencies=["eur"]), ["body", "currencies", 0]),
        (_rule(name=""), ["body", "name"]),
    ],
)
def test_bad_rules_are_422_at_the_field(api, people, payload, loc):
    response = api.post("/routing-rules", payload)
    assert response.status_code == 422, response.json()
    assert loc in [d["loc"] for d in response.json()["detail"]]
    assert not RoutingRule.objects.exists()


def test_patch_checks_too_and_changes_nothing_when_refused(api, people):
    rule = api.post("/routing-rules", _rule()).json()
    response = api.patch(f"/routing-rules/{rule['id']}", {"approvers": [{"user": "NOBODY"}]})
    assert response.status_code == 422
    assert api.get(f"/routing-rules/{rule['id']}").json()["approvers"] == rule["approvers"]


def test_rules_of_another_company_are_404(api, other_api, people):
    rule = api.post("/routing-rules", _rule()).json()
    assert other_api.get(f"/routing-rules/{rule['id']}").status_code == 404
    assert other_api.patch(f"/routing-rules/{rule['id']}", {"position": 1}).status_code == 404
    assert other_api.delete(f"/routing-rules/{rule['id']}").status_code == 404
    assert other_api.get("/routing-rules").json()["count"] == 0


def test_an_approver_may_read_rules_but_not_change_them(api, people, as_user):
    approver = as_user(people["ANN"])
    assert approver.get("/routing-rules").status_code == 200
    response = approver.post("/routing-rules", _rule())
    assert response.status_code == 403
    assert response.json()["code"] == "role_required"


def test_a_duplicate_rule_name_is_422_at_the_name(api, people):
    assert api.post("/routing-rules", _rule()).status_code == 201
    again = api.post("/routing-rules", _rule())
    assert again.status_code == 422, again.json()
    assert again.json()["detail"][0]["loc"] == ["body", "name"]
    other = api.post("/routing-rules", _rule(name="Other")).json()
    renamed = api.patch(f"/routing-rules/{other['id']}", {"name": "IT costs"})
    assert renamed.status_code == 422
    assert api.get(f"/routing-rules/{other['id']}").json()["name"] == "Other"


def test_number_custom_fields_match_by_value(people, make_rule, make_invoice):
    make_rule("big project", [(people["ANN"], 1)], custom_field_values={"budget": ["100"]})
    assert make_invoice(custom_fields={"budget": "100.00"}).status == "assigned"
    assert make_invoice(custom_fields={"budget": "100.5"}).status == "new"


def test_a_patch_of_approvers_states_each_level(api, people):
    rule = api.post("/routing-rules", _rule()).json()
    response = api.patch(f"/routing-rules/{rule['id']}", {"approvers": [{"user": "BOB"}]})
    assert response.status_code == 422, response.json()
    assert ["body", "approvers", 0, "level"] in [d["loc"] for d in response.json()["detail"]]
    assert api.get(f"/routing-rules/{rule['id']}").json()["approvers"] == rule["approvers"]


def test_a_patch_of_approvers_replaces_the_list_and_keeps_the_rest(api, people):
    rule = api.post("/routing-rules", _rule(currencies=["EUR"], position=3)).json()
    patched = api.patch(
        f"/routing-rules/{rule['id']}",
        {"approvers": [{"user": "BOB", "level": 2}, {"user": "cid@example.com", "level": 1}]},
    )
    assert patched.status_code == 200, patched.json()
    body = patched.json()
    assert body["approvers"] == [
        {"user_id": str(people["BOB"].id), "level": 2},
        {"user_id": str(people["CID"].id), "level": 1},
    ]
    assert (body["currencies"], body["position"], body["name"]) == (["EUR"], 3, "IT costs")


def test_a_rule_names_only_approvers(api, people, make_user):
    make_user("ACC", roles=("accountant",))
    response = api.post("/routing-rules", _rule(approvers=[{"user": "ACC", "level": 1}]))
    assert response.status_code == 422, response.json()
    assert response.json()["detail"][0]["loc"] == ["body", "approvers", 0, "user"]
    assert response.json()["detail"][0]["type"] == "not_an_approver"
    assert not RoutingRule.objects.exists()


def test_a_patch_is_checked_against_the_stored_amounts(api, people):
    rule = api.post("/routing-rules", _rule(min_amount="100")).json()
    response = api.patch(f"/routing-rules/{rule['id']}", {"max_amount": "50"})
    assert response.status_code == 422, response.json()
    assert response.json()["detail"][0]["loc"] == ["body", "max_amount"]
    assert api.get(f"/routing-rules/{rule['id']}").json()["max_amount"] is None
