"""Confirmation Flow Action, File Import and Transaction rows Import: the invoice by
InvoiceGuid or InternalInvoiceId (the GUID wins), the native services' outcomes."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest
from django.db import transaction

from payables.approvals.models import ApprovalStep
from payables.coding.models import PostingLine
from payables.compat.fitek.tests.conftest import errors_of
from payables.conftest import ApiClient
from payables.invoices.models import Attachment, Invoice
from payables.masterdata.schemas.bulk import UserRecord
from payables.masterdata.services import create_user
from payables.tenancy.actors import Actor

ROWS = [
    {"AccountCode": "4000", "VatCode": "VAT22", "NetAmount": "100.00", "Dimensions": {}},
    {"AccountCode": "4010", "VatCode": "VAT9", "NetAmount": "50.00", "Description": "Books"},
]


@pytest.fixture
def invoice(make_invoice) -> Invoice:
    return make_invoice()


@pytest.fixture
def approvers(actor: Actor) -> None:
    for code, changes in (
        ("E-7", {"roles": ["approver"], "can_be_last_approver": True}),
        ("E-8", {"roles": ["approver"], "is_active": False}),
        ("E-9", {"roles": []}),
    ):
        create_user(UserRecord(code=code, name=f"User {code}", **changes).model_dump(), actor=actor)


@pytest.fixture
def books(api: ApiClient) -> None:
    for path, record in (
        ("/vat-codes", {"code": "VAT22", "rate": "22"}),
        ("/vat-codes", {"code": "VAT9", "rate": "9"}),
        ("/accounts", {"code": "4000", "name": "Materials"}),
        ("/accounts", {"code": "4010", "name": "Books"}),
    ):
        assert api.post(path, record).status_code == 201


# --- Confirmation Flow Action ---------------------------------------------------------------


def test_appends_users_and_says_who_was_skipped_and_why(fitek, invoice, approvers):
    users = [{"User": "E-7"}, {"User": "E-8"}, {"User": "E-9", "Level": 2}, {"User": "nobody"}]

    answer = fitek.post("/ConfirmationFlowAction", {"InvoiceGuid": str(invoice.id), "Users": users})

    assert answer.status_code == 200, answer.content
    result = answer.json()["Result"]
    assert (result["InvoiceGuid"], result["Status"]) == (str(invoice.id), "assigned")
    assert [(r["User"], r["Outcome"], r["Reason"]) for r in result["Results"]] == [
        ("E-7", "added", None),
        ("E-8", "skipped", "inactive"),
        ("E-9", "skipped", "not_an_approver"),
        ("nobody", "skipped", "unknown_user"),
    ]
    step = ApprovalStep.objects.get(invoice=invoice)
    assert (step.approver.code, str(step.id)) == ("E-7", result["Results"][0]["StepId"])


def test_an_invoice_past_assigned_takes_no_approvers(fitek, invoice, approvers, actor):
    from payables.invoices.services import cancel_invoice

    cancel_invoice(invoice, actor=actor, reason="Sent twice")

    answer = fitek.post(
        "/ConfirmationFlowAction",
        {"InternalInvoiceId": invoice.internal_id, "Users": [{"User": "E-7"}]},
    )

    assert answer.status_code == 409
    assert answer.json()["Errors"][0]["Code"] == "invoice_state_conflict"
    assert not ApprovalStep.objects.exists()


def test_users_are_required(fitek, invoice):
    answer = fitek.post("/ConfirmationFlowAction", {"InvoiceGuid": str(invoice.id), "Users": []})

    assert answer.status_code == 422
    assert errors_of(answer) == [("Payload.Users", "too_short")]


def test_a_bad_level_is_located(fitek, invoice):
    users = [{"User": "E-7", "Level": 4}]

    answer = fitek.post("/ConfirmationFlowAction", {"InvoiceGuid": str(invoice.id), "Users": users})

    assert errors_of(answer) == [("Payload.Users[0].Level", "literal_error")]


# --- File Import ----------------------------------------------------------------------------


def test_attaches_a_base64_file(fitek, invoice):
    content = b"%PDF-1.4 contract"
    payload = {
        "InvoiceGuid": str(invoice.id),
        "Filename": "contract.pdf",
        "ContentType": "application/pdf",
        "ContentBase64": base64.b64encode(content).decode(),
    }

    answer = fitek.post("/FileImport", payload)

    assert answer.status_code == 200, answer.content
    result = answer.json()["Result"]
    attachment = Attachment.objects.get(invoice=invoice)
    assert (result["Id"], result["Kind"], result["Filename"]) == (
        str(attachment.id),
        "file",
        "contract.pdf",
    )
    assert attachment.file.read() == content


def test_attaches_a_link(fitek, invoice):
    url = "https://archive.example.com/contracts/7"

    answer = fitek.post("/FileImport", {"InternalInvoiceId": invoice.internal_id, "Url": url})

    assert answer.status_code == 200, answer.content
    attachment = Attachment.objects.get(invoice=invoice)
    assert (attachment.kind, attachment.url) == ("url", url)
    assert answer.json()["Result"]["InvoiceGuid"] == str(invoice.id)


def test_a_file_wins_over_a_link(fitek, invoice):
    payload = {
        "InvoiceGuid": str(invoice.id),
        "ContentBase64": base64.b64encode(b"a,b\n").decode(),
        "Filename": "rows.csv",
        "Url": "https://archive.example.com/rows",
    }

    answer = fitek.post("/FileImport", payload)

    assert answer.status_code == 200
    assert Attachment.objects.get(invoice=invoice).kind == "file"
    assert "URL ignored" in answer.json()["Result"]["Warnings"][0]


@pytest.mark.parametrize(
    ("payload", "where", "code"),
    [
        ({"Filename": "x.pdf"}, "Payload.ContentBase64", "missing"),
        ({"ContentBase64": "***"}, "Payload.ContentBase64", "invalid_base64"),
        ({"Url": "ftp://example.com/x"}, "Payload.Url", "url_scheme"),
        ({"Content": "eA=="}, "Payload.Content", "extra_forbidden"),
    ],
)
def test_bad_file_input_is_located_and_changes_nothing(fitek, invoice, payload, where, code):
    answer = fitek.post("/FileImport", {"InvoiceGuid": str(invoice.id)} | payload)

    assert answer.status_code == 422
    assert errors_of(answer) == [(where, code)]
    assert not Attachment.objects.exists()


def test_an_invoice_must_be_named(fitek, invoice):
    answer = fitek.post("/FileImport", {"Url": "https://example.com/x"})

    assert errors_of(answer) == [("Payload", "missing")]


def test_an_unknown_internal_id_is_404_at_it(fitek, invoice):
    answer = fitek.post("/FileImport", {"InternalInvoiceId": 999, "Url": "https://example.com/x"})

    assert answer.status_code == 404
    assert errors_of(answer) == [("Payload.InternalInvoiceId", "invoice_not_found")]


# --- Transaction rows Import ----------------------------------------------------------------


class _Undone(Exception):
    pass


def native_lines(api: ApiClient, invoice: Invoice, lines: list[dict]) -> list[tuple]:
    """The posting lines the native endpoint makes of these lines, undone again."""
    with pytest.raises(_Undone), transaction.atomic():
        answer = api.put(f"/invoices/{invoice.id}/posting-lines", {"lines": lines})
        assert answer.status_code == 200, answer.content
        found = stored_lines(invoice)
        raise _Undone()
    return found


def stored_lines(invoice: Invoice) -> list[tuple]:
    return list(
        PostingLine.objects.filter(invoice=invoice)
        .order_by("position")
        .values_list(
            "account_code", "vat_code", "net_amount", "vat_amount", "description", "source"
        )
    )


def test_replaces_the_posting_lines_as_the_native_endpoint_does(fitek, api, invoice, books):
    natively = native_lines(
        api,
        invoice,
        [
            {"account_code": "4000", "vat_code": "VAT22", "net_amount": "100.00", "dimensions": {}},
            {
                "account_code": "4010",
                "vat_code": "VAT9",
                "net_amount": "50.00",
                "description": "Books",
            },
        ],
    )

    answer = fitek.post(
        "/TransactionRowsImport", {"InvoiceGuid": str(invoice.id), "TransactionRows": ROWS}
    )

    assert answer.status_code == 200, answer.content
    assert stored_lines(invoice) == natively
    result = answer.json()["Result"]
    assert (result["InvoiceGuid"], result["InternalInvoiceId"], result["Notice"]) == (
        str(invoice.id),
        invoice.internal_id,
        None,
    )
    assert [(r["AccountCode"], r["VatAmount"]) for r in result["TransactionRows"]] == [
        ("4000", "22.00"),
        ("4010", "4.50"),
    ]


def test_the_guid_wins_when_the_internal_id_names_another_invoice(fitek, make_invoice, books):
    first, second = make_invoice(), make_invoice()
    payload = {"InvoiceGuid": str(second.id), "InternalInvoiceId": first.internal_id}

    answer = fitek.post("/TransactionRowsImport", payload | {"TransactionRows": ROWS})

    assert answer.status_code == 200, answer.content
    result = answer.json()["Result"]
    assert result["InvoiceGuid"] == str(second.id)
    assert "the InvoiceGuid wins" in result["Notice"]
    assert PostingLine.objects.filter(invoice=second, source="manual").count() == 2
    assert not PostingLine.objects.filter(invoice=first, source="manual").exists()


def test_an_internal_id_alone_names_the_invoice(fitek, invoice, books):
    answer = fitek.post(
        "/TransactionRowsImport",
        {"InternalInvoiceId": invoice.internal_id, "TransactionRows": ROWS},
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["Result"]["InvoiceGuid"] == str(invoice.id)


def test_an_unknown_account_is_located_at_its_row(fitek, invoice, books):
    rows = [ROWS[0], ROWS[1] | {"AccountCode": "9999"}]

    answer = fitek.post(
        "/TransactionRowsImport", {"InvoiceGuid": str(invoice.id), "TransactionRows": rows}
    )

    assert answer.status_code == 422
    assert errors_of(answer) == [("Payload.TransactionRows[1].AccountCode", "unknown_code")]
    assert not PostingLine.objects.filter(source="manual").exists()


def test_rows_that_do_not_add_up_are_refused_at_the_rows(fitek, invoice, books):
    rows = [ROWS[0] | {"NetAmount": "99.00"}, ROWS[1]]

    answer = fitek.post(
        "/TransactionRowsImport", {"InvoiceGuid": str(invoice.id), "TransactionRows": rows}
    )

    assert answer.status_code == 422
    assert set(errors_of(answer)) == {("Payload.TransactionRows", "totals_mismatch")}


def test_a_float_like_amount_text_is_refused_at_it(fitek, invoice, books):
    rows = [ROWS[0] | {"NetAmount": "1_00"}, ROWS[1]]

    answer = fitek.post(
        "/TransactionRowsImport", {"InvoiceGuid": str(invoice.id), "TransactionRows": rows}
    )

    assert errors_of(answer)[0][0].startswith("Payload.TransactionRows[0].NetAmount")
    assert Invoice.objects.get(pk=invoice.pk).net_amount == Decimal("150.00")
