"""Payments reduce the amount due; overpayment is refused."""

from __future__ import annotations

from payables.events.models import Event
from payables.invoices.models import Payment


def test_partial_payment_reduces_amount_due(api, make_invoice, settings):
    invoice = make_invoice()
    response = api.post(
        f"/invoices/{invoice.id}/payments",
        {"amount": "76.50", "payment_date": "2026-11-10", "description": "Swedbank"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["account_code"] == settings.PAYABLES_DEFAULT_PAYMENT_ACCOUNT
    body = api.get(f"/invoices/{invoice.id}").json()
    assert (body["paid_amount"], body["amount_due"]) == ("76.50", "100.00")
    assert Event.objects.filter(type="payment.recorded", subject_id=invoice.id).count() == 1
    assert not Event.objects.filter(type="invoice.paid").exists()


def test_paying_the_rest_marks_it_paid(api, make_invoice):
    invoice = make_invoice()
    api.post(f"/invoices/{invoice.id}/payments", {"amount": "100", "payment_date": "2026-11-10"})
    api.post(
        f"/invoices/{invoice.id}/payments",
        {"amount": "76.50", "payment_date": "2026-11-11", "account_code": "2311"},
    )
    assert api.get(f"/invoices/{invoice.id}").json()["amount_due"] == "0.00"
    assert Event.objects.filter(type="invoice.paid", subject_id=invoice.id).count() == 1
    listed = api.get(f"/invoices/{invoice.id}/payments").json()
    assert [(p["amount"], p["account_code"]) for p in listed] == [
        ("100.00", "2310"),
        ("76.50", "2311"),
    ]


def test_overpayment_is_422_and_changes_nothing(api, make_invoice):
    invoice = make_invoice()
    response = api.post(
        f"/invoices/{invoice.id}/payments", {"amount": "176.51", "payment_date": "2026-11-10"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "amount"]
    assert response.json()["detail"][0]["type"] == "overpayment"
    assert not Payment.objects.exists()
    assert api.get(f"/invoices/{invoice.id}").json()["amount_due"] == "176.50"


def test_zero_negative_and_sub_cent_payments_are_refused(api, make_invoice):
    invoice = make_invoice()
    for amount in ("0", "-5.00", "1.005"):
        response = api.post(
            f"/invoices/{invoice.id}/payments", {"amount": amount, "payment_date": "2026-11-10"}
        )
        assert response.status_code == 422, amount
    assert not Payment.objects.exists()


def test_credit_note_is_settled_with_negative_payments(api, invoice_payload):
    credit = api.post(
        "/invoices",
        invoice_payload(
            type="credit_note", net_amount="-10.00", vat_amount="0", gross_amount="-10.00",
            rows=[], vat_breakdown=[],
        ),
    ).json()  # fmt: skip
    response = api.post(
        f"/invoices/{credit['id']}/payments", {"amount": "-10.00", "payment_date": "2026-11-10"}
    )
    assert response.status_code == 201
    assert api.get(f"/invoices/{credit['id']}").json()["amount_due"] == "0.00"


def test_cancelled_invoice_cannot_be_paid(api, make_invoice):
    invoice = make_invoice()
    api.post(f"/invoices/{invoice.id}/cancel", {})
    response = api.post(
        f"/invoices/{invoice.id}/payments", {"amount": "1.00", "payment_date": "2026-11-10"}
    )
    assert response.status_code == 409


# --- the payment's account, checked against the chart as a row's account is


def _pay(api, invoice, **fields):
    payment = {"amount": "10.00", "payment_date": "2026-11-10"} | fields
    return api.post(f"/invoices/{invoice.id}/payments", payment)


def test_a_payment_to_an_account_of_the_chart_is_recorded(api, make_invoice):
    assert api.post("/accounts", {"code": "2311", "name": "Bank"}).status_code == 201
    response = _pay(api, make_invoice(), account_code="2311")
    assert response.status_code == 201, response.json()
    assert response.json()["account_code"] == "2311"


def test_a_payment_to_an_account_the_chart_lacks_is_422_like_a_rows(
    api, make_invoice, invoice_payload
):
    assert api.post("/accounts", {"code": "2311", "name": "Bank"}).status_code == 201
    invoice = make_invoice()
    response = _pay(api, invoice, account_code="9999")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "account_code"],
            "msg": "There is no account '9999'.",
            "type": "unknown_code",
        }
    ]
    payload = invoice_payload(invoice_number="ROW-1")
    payload["rows"][0]["account_code"] = "9999"
    [row_error] = api.post("/invoices", payload).json()["detail"]
    assert (row_error["type"], row_error["msg"]) == ("unknown_code", "There is no account '9999'.")
    assert not Payment.objects.exists()
    assert not Event.objects.filter(type="payment.recorded").exists()


def test_a_payment_to_an_inactive_account_is_422(api, make_invoice):
    assert api.post("/accounts", {"code": "2311", "name": "Bank"}).status_code == 201
    assert api.post("/accounts/2311/deactivate").status_code == 200
    response = _pay(api, make_invoice(), account_code="2311")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body", "account_code"], "inactive_code")
    assert not Payment.objects.exists()


def test_without_a_chart_of_accounts_any_payment_account_is_taken(api, make_invoice):
    """A company that keeps no accounts has not loaded its chart: rows are not checked either."""
    response = _pay(api, make_invoice(), account_code="9999")
    assert response.status_code == 201, response.json()
    assert response.json()["account_code"] == "9999"


def test_a_payment_without_account_uses_the_default_even_with_a_chart(api, make_invoice, settings):
    assert api.post("/accounts", {"code": "4000", "name": "Materials"}).status_code == 201
    response = _pay(api, make_invoice())
    assert response.status_code == 201, response.json()
    assert response.json()["account_code"] == settings.PAYABLES_DEFAULT_PAYMENT_ACCOUNT
