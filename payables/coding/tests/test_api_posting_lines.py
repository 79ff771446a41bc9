"""PUT/GET /invoices/{ref}/posting-lines: replaced by UUID or internal id during approval,
totals reconciled, codes judged, refused after export, audited and announced."""

from __future__ import annotations

import pytest

from payables.coding.models import PostingLine
from payables.coding.tests.conftest import line
from payables.events.models import Event
from payables.invoices.models import Invoice
from payables.invoices.tests.master_data import locs

pytestmark = pytest.mark.usefixtures("master_data")

TWO_LINES = [line("4000", "100.00", "22.00"), line("4010", "50.00", "4.50")]


def test_a_new_invoice_gets_a_posting_line_per_row(api, make_invoice):
    invoice = make_invoice()

    body = api.get(f"/invoices/{invoice.id}/posting-lines").json()

    assert [
        (p["source"], p["row_position"], p["net_amount"], p["vat_amount"])
        for p in body["posting_lines"]
    ] == [
        ("row", 1, "100.00", "22.00"),
        ("row", 2, "50.00", "4.50"),
    ]
    assert body["prebooked"] is False and body["coded"] is False


def test_replaces_posting_lines_by_uuid_while_the_invoice_waits_for_approval(
    api, make_invoice, routed
):
    invoice = make_invoice()
    assert Invoice.objects.get(pk=invoice.pk).status == "assigned"

    response = api.put(
        f"/invoices/{invoice.id}/posting-lines",
        {
            "lines": [
                line("4000", "100.00", "22.00", vat_code="VAT24", dimensions={"department": "IT"}),
                line("6000", "50.00", "4.50"),
            ]
        },
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert [p["account_code"] for p in body["posting_lines"]] == ["4000", "6000"]
    assert {p["source"] for p in body["posting_lines"]} == {"manual"}
    assert body["prebooked"] is True and body["coded"] is False and body["notice"] is None
    invoice.refresh_from_db()
    assert invoice.prebooked and invoice.status == "assigned"


def test_replaces_posting_lines_by_internal_id(api, make_invoice, routed):
    invoice = make_invoice()

    response = api.put(f"/invoices/{invoice.internal_id}/posting-lines", {"lines": TWO_LINES})

    assert response.status_code == 200, response.json()
    assert PostingLine.objects.filter(invoice=invoice, source="manual").count() == 2


def test_the_body_uuid_wins_over_an_internal_id_that_names_another_invoice(api, make_invoice):
    first, second = make_invoice(), make_invoice()

    response = api.put(
        f"/invoices/{first.internal_id}/posting-lines",
        {"invoice_id": str(second.id), "lines": TWO_LINES},
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["invoice_id"] == str(second.id)
    assert "UUID wins" in body["notice"]
    assert PostingLine.objects.filter(invoice=second, source="manual").exists()
    assert not PostingLine.objects.filter(invoice=first, source="manual").exists()


def test_a_body_uuid_naming_no_invoice_is_422_at_it(api, make_invoice):
    invoice = make_invoice()
    theirs = "0a7e0c36-4c9b-4c83-9a6e-0b7d7c3f1a2e"

    response = api.put(
        f"/invoices/{invoice.internal_id}/posting-lines", {"invoice_id": theirs, "lines": TWO_LINES}
    )

    assert locs(response) == [["body", "invoice_id"]]


def test_an_internal_id_in_the_body_naming_another_invoice_loses_to_the_path_uuid(
    api, make_invoice
):
    first, second = make_invoice(), make_invoice()

    response = api.put(
        f"/invoices/{first.id}/posting-lines",
        {"internal_id": second.internal_id, "lines": TWO_LINES},
    )

    assert response.json()["invoice_id"] == str(first.id)
    assert "UUID wins" in response.json()["notice"]


def test_refuses_lines_that_do_not_add_up_and_changes_nothing(api, make_invoice):
    invoice = make_invoice()
    events = Event.objects.count()

    response = api.put(
        f"/invoices/{invoice.id}/posting-lines",
        {"lines": [line("4000", "100.00", "22.00"), line("4010", "49.99", "4.51")]},
    )

    assert locs(response) == [["body", "lines"], ["body", "lines"]]  # net, then VAT
    assert {item["type"] for item in response.json()["detail"]} == {"totals_mismatch"}
    assert set(PostingLine.objects.filter(invoice=invoice).values_list("source", flat=True)) == {
        "row"
    }
    assert Event.objects.count() == events


def test_refuses_unknown_codes_at_their_line(api, make_invoice):
    invoice = make_invoice()

    response = api.put(
        f"/invoices/{invoice.id}/posting-lines",
        {
            "lines": [
                line("9999", "100.00", "22.00"),
                line("4010", "50.00", "4.50", vat_code="NOPE", dimensions={"department": "XX"}),
            ]
        },
    )

    assert locs(response) == [
        ["body", "lines", 0, "account_code"],
        ["body", "lines", 1, "vat_code"],
        ["body", "lines", 1, "dimensions", "department"],
    ]


def test_computes_missing_vat_from_the_vat_code(api, make_invoice):
    invoice = make_invoice(
        net_amount="100.00", vat_amount="24.00", gross_amount="124.00",
        rows=[{"net_amount": "100.00", "vat_rate": "24", "vat_amount": "24.00"}],
        vat_breakdown=[{"vat_rate": "24", "base_amount": "100.00", "vat_amount": "24.00"}],
    )  # fmt: skip

    response = api.put(
        f"/invoices/{invoice.id}/posting-lines",
        {
            "lines": [
                line("4000", "60.00", vat_code="VAT24"),
                line("4010", "40.00", vat_code="VAT24"),
            ]
        },
    )

    assert [p["vat_amount"] for p in response.json()["posting_lines"]] == ["14.40", "9.60"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"lines": []}, ["body", "lines"]),
        ({"lines": [line("4000", "abc")]}, ["body", "lines", 0, "net_amount"]),
        (
            {"lines": [line("4000", "150.00", "26.50", colour="red")]},
            ["body", "lines", 0, "colour"],
        ),
        ({"lines": [line("4000", "150.001", "26.50")]}, ["body", "lines", 0, "net_amount"]),
        ({"lines": [{"net_amount": "150.00"}]}, ["body", "lines", 0, "account_code"]),
        ({"lines": TWO_LINES, "invoice_id": "nope"}, ["body", "invoice_id"]),
        ({}, ["body", "lines"]),
    ],
)
def test_refuses_bad_input_with_its_location(api, make_invoice, body, loc):
    invoice = make_invoice()

    response = api.put(f"/invoices/{invoice.id}/posting-lines", body)

    assert loc in locs(response)


def test_refuses_changes_once_exported_or_booked(api, exported_invoice):
    response = api.put(f"/invoices/{exported_invoice.id}/posting-lines", {"lines": TWO_LINES})

    assert response.status_code == 409
    assert response.json()["code"] == "coding_not_editable"
    booked = api.post(
        f"/invoices/{exported_invoice.id}/booked",
        {"document_id": "V-1", "booking_date": "2026-11-20"},
    )
    assert booked.status_code == 200, booked.json()
    again = api.put(f"/invoices/{exported_invoice.id}/posting-lines", {"lines": TWO_LINES})
    assert (again.status_code, again.json()["code"]) == (409, "coding_not_editable")


def test_refuses_changes_of_a_cancelled_invoice(api, make_invoice):
    invoice = make_invoice()
    api.post(f"/invoices/{invoice.id}/cancel", {"reason": "twice"})

    response = api.put(f"/invoices/{invoice.id}/posting-lines", {"lines": TWO_LINES})

    assert response.status_code == 409


def test_every_change_is_an_audit_entry_and_an_event(api, make_invoice):
    invoice = make_invoice()

    api.put(f"/invoices/{invoice.id}/posting-lines", {"lines": TWO_LINES})

    assert invoice.audit_entries.filter(action="coding_changed").count() == 1
    event = Event.objects.get(type="invoice.coding_changed")
    assert event.payload["how"] == "posting_lines"
    assert event.payload["changed_accounts"] == ["4000", "4010"]
    assert [p["account_code"] for p in event.payload["posting_lines"]] == ["4000", "4010"]


def test_another_companys_invoice_is_not_found(other_api, make_invoice):
    invoice = make_invoice()

    assert other_api.get(f"/invoices/{invoice.id}/posting-lines").status_code == 404
    assert (
        other_api.put(f"/invoices/{invoice.id}/posting-lines", {"lines": TWO_LINES}).status_code
        == 404
    )


def test_a_key_without_the_coding_scope_is_refused(make_key, company, make_invoice):
    from payables.conftest import ApiClient

    invoice = make_invoice()
    client = ApiClient(make_key(company, ["invoices:read"]))

    assert client.get(f"/invoices/{invoice.id}/posting-lines").status_code == 403
