"""Malformed requests get a located 4xx, never a 500, and change nothing.

One table of bad bodies per endpoint. Each case names the body (a change to a valid
one, or raw bytes), the status and the ``loc`` the answer must point at.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from payables.invoices.models import Attachment, AuditEntry, Invoice, InvoiceRow, Payment
from payables.masterdata.models import Supplier
from payables.sync.models import Event
from payables.tenancy.models import IdempotencyKey

DEEP = 100_000


def _set(path: tuple, value: Any) -> Callable[[dict], dict]:
    """Return a change that puts ``value`` at ``path`` in a copy of the body."""

    def change(body: dict) -> dict:
        body = copy.deepcopy(body)
        target = body
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        return body

    return change


def _drop(path: tuple) -> Callable[[dict], dict]:
    def change(body: dict) -> dict:
        body = copy.deepcopy(body)
        target = body
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]
        return body

    return change


def _both(*changes: Callable[[dict], dict]) -> Callable[[dict], dict]:
    def change(body: dict) -> dict:
        for one in changes:
            body = one(body)
        return body

    return change


@dataclass(frozen=True)
class Case:
    """A bad request: ``body`` changes a valid body, or is the raw text sent as it is."""

    id: str
    body: Callable[[dict], Any] | str | bytes
    loc: list = field(default_factory=list)  # the path in the body; empty for the body itself
    status: int = 422


def _raw_cases(field_name: str) -> list[Case]:
    """Bodies that are not a JSON object at all; the same for every endpoint."""
    nested = "[" * DEEP + "]" * DEEP
    return [
        Case("not_json", "this is not json"),
        Case("empty_body", ""),
        Case("truncated_json", '{"a": '),
        Case("json_array", "[]"),
        Case("json_array_of_object", "[{}]"),
        Case("json_number", "42"),
        Case("json_string", '"hello"'),
        Case("json_null", "null"),
        Case("deeply_nested_array", nested),
        Case("deeply_nested_in_field", '{"' + field_name + '": ' + nested + "}"),
        Case(
            "deeply_nested_with_request_id",
            '{"request_id": "r-1", "' + field_name + '": ' + nested + "}",
        ),
        Case("integer_over_digit_limit", '{"' + field_name + '": ' + "9" * 5000 + "}"),
        Case("invalid_utf8", b'{"' + field_name.encode() + b'": "\xff\xfe"}'),
    ]


INVOICE_CASES = [
    *_raw_cases("net_amount"),
    Case("unknown_field", _set(("colour",), "red"), ["colour"]),
    Case("unknown_row_field", _set(("rows", 0, "colour"), "red"), ["rows", 0, "colour"]),
    Case("missing_invoice_number", _drop(("invoice_number",)), ["invoice_number"]),
    Case("missing_invoice_date", _drop(("invoice_date",)), ["invoice_date"]),
    Case("missing_row_net_amount", _drop(("rows", 0, "net_amount")), ["rows", 0, "net_amount"]),
    Case("net_amount_not_a_number", _set(("net_amount",), "abc"), ["net_amount"]),
    Case("net_amount_empty_string", _set(("net_amount",), ""), ["net_amount"]),
    Case("net_amount_is_object", _set(("net_amount",), {"v": 1}), ["net_amount"]),
    Case("net_amount_is_list", _set(("net_amount",), ["150.00"]), ["net_amount"]),
    Case("net_amount_is_bool", _set(("net_amount",), True), ["net_amount"]),
    Case("net_amount_is_null", _set(("net_amount",), None), ["net_amount"]),
    Case(
        "row_amount_not_a_number", _set(("rows", 0, "net_amount"), "ten"), ["rows", 0, "net_amount"]
    ),
    Case("quantity_not_a_number", _set(("rows", 1, "quantity"), "one"), ["rows", 1, "quantity"]),
    Case("amount_1e400", _set(("gross_amount",), "1e400"), ["gross_amount"]),
    Case("amount_10_pow_30", _set(("gross_amount",), 10**30), ["gross_amount"]),
    Case("amount_nan_string", _set(("gross_amount",), "NaN"), ["gross_amount"]),
    Case("amount_infinity_string", _set(("gross_amount",), "Infinity"), ["gross_amount"]),
    Case("amount_minus_infinity_string", _set(("vat_amount",), "-Infinity"), ["vat_amount"]),
    Case("amount_snan_string", _set(("vat_amount",), "sNaN"), ["vat_amount"]),
    Case("amount_three_decimals", _set(("gross_amount",), "176.501"), ["gross_amount"]),
    Case("amount_five_decimals", _set(("gross_amount",), "176.50001"), ["gross_amount"]),
    Case(
        "row_amount_three_decimals",
        _set(("rows", 0, "net_amount"), "100.001"),
        ["rows", 0, "net_amount"],
    ),
    Case("vat_rate_over_100", _set(("rows", 0, "vat_rate"), "101"), ["rows", 0, "vat_rate"]),
    Case(
        "vat_rate_negative",
        _set(("vat_breakdown", 0, "vat_rate"), "-1"),
        ["vat_breakdown", 0, "vat_rate"],
    ),
    Case(
        "currency_rate_negative",
        _both(_set(("currency",), "USD"), _set(("currency_rate",), "-1")),
        ["currency_rate"],
    ),
    Case("foreign_currency_without_rate", _set(("currency",), "USD"), ["currency_rate"]),
    Case("invoice_number_is_number", _set(("invoice_number",), 1001), ["invoice_number"]),
    Case("invoice_number_empty", _set(("invoice_number",), ""), ["invoice_number"]),
    Case("invoice_number_too_long", _set(("invoice_number",), "X" * 201), ["invoice_number"]),
    Case(
        "row_description_too_long",
        _set(("rows", 0, "description"), "d" * 1001),
        ["rows", 0, "description"],
    ),
    Case("payment_reference_is_number", _set(("payment_reference",), 13), ["payment_reference"]),
    Case("date_february_30", _set(("invoice_date",), "2026-02-30"), ["invoice_date"]),
    Case("date_yesterday", _set(("due_date",), "yesterday"), ["due_date"]),
    Case("date_day_first", _set(("invoice_date",), "02.11.2026"), ["invoice_date"]),
    Case("date_is_object", _set(("invoice_date",), {"y": 2026}), ["invoice_date"]),
    Case("rows_is_object", _set(("rows",), {"net_amount": "150.00"}), ["rows"]),
    Case("rows_is_string", _set(("rows",), "rows"), ["rows"]),
    Case("row_is_string", _set(("rows", 0), "row"), ["rows", 0]),
    Case("custom_fields_is_list", _set(("custom_fields",), []), ["custom_fields"]),
    Case(
        "dimensions_value_is_object",
        _set(("rows", 0, "dimensions"), {"dept": {"a": 1}}),
        ["rows", 0, "dimensions", "dept"],
    ),
    Case("supplier_id_not_uuid", _set(("supplier_id",), "not-a-uuid"), ["supplier_id"]),
    Case("supplier_id_is_number", _set(("supplier_id",), 42), ["supplier_id"]),
    Case(
        "supplier_id_unknown",
        _set(("supplier_id",), "00000000-0000-4000-8000-000000000000"),
        ["supplier_id"],
    ),
    Case(
        "supplier_ref_id_not_uuid",
        _both(_drop(("supplier_id",)), _set(("supplier",), {"id": "x"})),
        ["supplier", "id"],
    ),
    Case("type_not_allowed", _set(("type",), "bill"), ["type"]),
    Case("origin_not_allowed", _set(("origin",), "fax"), ["origin"]),
    Case("currency_lowercase", _set(("currency",), "eur"), ["currency"]),
    Case("currency_too_long", _set(("currency",), "EURO"), ["currency"]),
    Case("request_id_is_number", _set(("request_id",), 7), ["request_id"]),
    Case("too_many_rows", _set(("rows",), [{"net_amount": "0.00"}] * 2001), ["rows"]),
    Case("gross_one_cent_off", _set(("gross_amount",), "176.51"), ["gross_amount"]),
    Case("rows_one_cent_off", _set(("rows", 0, "net_amount"), "100.01"), ["net_amount"]),
    Case(
        "vat_breakdown_one_cent_off",
        _set(("vat_breakdown", 0, "vat_amount"), "21.99"),
        ["vat_amount"],
    ),
    Case(
        "vat_bases_one_cent_off",
        _set(("vat_breakdown", 1, "base_amount"), "49.99"),
        ["vat_breakdown"],
    ),
    Case("nul_in_invoice_number", _set(("invoice_number",), "INV\x001"), ["invoice_number"]),
    Case(
        "nul_in_row_description",
        _set(("rows", 1, "description"), "a\x00b"),
        ["rows", 1, "description"],
    ),
    Case(
        "nul_in_custom_field_key",
        _set(("custom_fields",), {"po\x00": "1"}),
        ["custom_fields", "po\x00"],
    ),
    Case(
        "nul_in_dimension_value",
        _set(("rows", 0, "dimensions"), {"dept": "\x00"}),
        ["rows", 0, "dimensions", "dept"],
    ),
    Case("nul_in_request_id", _set(("request_id",), "r\x00"), ["request_id"]),
]

PATCH_CASES = [
    *_raw_cases("net_amount"),
    Case("unknown_field", _set(("colour",), "red"), ["colour"]),
    Case("request_id_not_allowed", _set(("request_id",), "r-1"), ["request_id"]),
    Case("net_amount_not_a_number", _set(("net_amount",), "abc"), ["net_amount"]),
    Case("amount_1e400", _set(("gross_amount",), "1e400"), ["gross_amount"]),
    Case("amount_10_pow_30", _set(("gross_amount",), 10**30), ["gross_amount"]),
    Case("amount_nan_string", _set(("gross_amount",), "NaN"), ["gross_amount"]),
    Case("amount_infinity_string", _set(("gross_amount",), "Infinity"), ["gross_amount"]),
    Case("amount_three_decimals", _set(("gross_amount",), "176.501"), ["gross_amount"]),
    Case("date_february_30", _set(("invoice_date",), "2026-02-30"), ["invoice_date"]),
    Case("date_yesterday", _set(("due_date",), "yesterday"), ["due_date"]),
    Case("invoice_number_is_number", _set(("invoice_number",), 5), ["invoice_number"]),
    Case("invoice_number_too_long", _set(("invoice_number",), "X" * 201), ["invoice_number"]),
    Case("rows_is_object", _set(("rows",), {}), ["rows"]),
    Case(
        "row_missing_net_amount", _set(("rows",), [{"description": "x"}]), ["rows", 0, "net_amount"]
    ),
    Case("supplier_id_not_uuid", _set(("supplier_id",), "nope"), ["supplier_id"]),
    Case(
        "supplier_id_unknown",
        _set(("supplier_id",), "00000000-0000-4000-8000-000000000000"),
        ["supplier_id"],
    ),
    Case("type_not_allowed", _set(("type",), "bill"), ["type"]),
    Case("gross_one_cent_off", _set(("gross_amount",), "176.51"), ["gross_amount"]),
    Case(
        "net_one_cent_off_the_rows",
        _both(_set(("net_amount",), "150.01"), _set(("gross_amount",), "176.51")),
        ["net_amount"],
    ),
    Case(
        "vat_one_cent_off_the_breakdown",
        _both(_set(("vat_amount",), "26.51"), _set(("gross_amount",), "176.51")),
        ["vat_amount"],
    ),
    Case("nul_in_payment_reference", _set(("payment_reference",), "\x00"), ["payment_reference"]),
]

SUPPLIER_CASES = [
    *_raw_cases("name"),
    Case("unknown_field", _set(("colour",), "red"), ["colour"]),
    Case("missing_name", _drop(("name",)), ["name"]),
    Case("missing_country", _drop(("country",)), ["country"]),
    Case("name_is_number", _set(("name",), 12345), ["name"]),
    Case("name_empty", _set(("name",), ""), ["name"]),
    Case("name_only_spaces", _set(("name",), "   "), ["name"]),
    Case("name_too_long", _set(("name",), "N" * 201), ["name"]),
    Case("country_three_letters", _set(("country",), "EST"), ["country"]),
    Case("country_is_number", _set(("country",), 233), ["country"]),
    Case("currency_not_iso", _set(("default_currency",), "euro"), ["default_currency"]),
    Case("is_active_not_bool", _set(("is_active",), "maybe"), ["is_active"]),
    Case(
        "bank_accounts_is_string",
        _set(("bank_accounts",), "EE382200221020145685"),
        ["bank_accounts"],
    ),
    Case(
        "bank_account_missing_iban",
        _set(("bank_accounts",), [{"bic": "HABAEE2X"}]),
        ["bank_accounts", 0, "iban"],
    ),
    Case(
        "bank_account_unknown_field",
        _set(("bank_accounts",), [{"iban": "EE382200221020145685", "x": 1}]),
        ["bank_accounts", 0, "x"],
    ),
    Case("request_id_too_long", _set(("request_id",), "r" * 256), ["request_id"]),
    Case("nul_in_name", _set(("name",), "Puit\x00 OÜ"), ["name"]),
    Case(
        "nul_in_iban",
        _set(("bank_accounts",), [{"iban": "EE38\x002200221020145685"}]),
        ["bank_accounts", 0, "iban"],
    ),
]

PAYMENT_CASES = [
    *_raw_cases("amount"),
    Case("unknown_field", _set(("colour",), "red"), ["colour"]),
    Case("missing_amount", _drop(("amount",)), ["amount"]),
    Case("missing_payment_date", _drop(("payment_date",)), ["payment_date"]),
    Case("amount_not_a_number", _set(("amount",), "ten euros"), ["amount"]),
    Case("amount_is_bool", _set(("amount",), False), ["amount"]),
    Case("amount_1e400", _set(("amount",), "1e400"), ["amount"]),
    Case("amount_10_pow_30", _set(("amount",), 10**30), ["amount"]),
    Case("amount_nan_string", _set(("amount",), "NaN"), ["amount"]),
    Case("amount_infinity_string", _set(("amount",), "Infinity"), ["amount"]),
    Case("amount_three_decimals", _set(("amount",), "10.001"), ["amount"]),
    Case("amount_five_decimals", _set(("amount",), "10.00001"), ["amount"]),
    Case("amount_zero", _set(("amount",), "0"), ["amount"]),
    Case("amount_over_amount_due", _set(("amount",), "176.51"), ["amount"]),
    Case("date_february_30", _set(("payment_date",), "2026-02-30"), ["payment_date"]),
    Case("date_yesterday", _set(("payment_date",), "yesterday"), ["payment_date"]),
    Case("description_is_number", _set(("description",), 1), ["description"]),
    Case("description_too_long", _set(("description",), "p" * 501), ["description"]),
    Case("nul_in_description", _set(("description",), "part\x00"), ["description"]),
]

ATTACHMENT_CASES = [
    *_raw_cases("content_base64"),
    Case("unknown_field", _set(("colour",), "red"), ["colour"]),
    Case("invalid_base64", _set(("content_base64",), "***not base64***"), ["content_base64"]),
    Case("base64_bad_padding", _set(("content_base64",), "JVBERi0"), ["content_base64"]),
    Case("base64_is_number", _set(("content_base64",), 12345), ["content_base64"]),
    Case("neither_file_nor_url", _drop(("content_base64",)), ["content_base64"]),
    Case("url_not_a_url", _both(_drop(("content_base64",)), _set(("url",), "not a url")), ["url"]),
    Case(
        "url_ftp",
        _both(_drop(("content_base64",)), _set(("url",), "ftp://example.com/a.pdf")),
        ["url"],
    ),
    Case(
        "url_javascript",
        _both(_drop(("content_base64",)), _set(("url",), "javascript:alert(1)")),
        ["url"],
    ),
    Case("filename_too_long", _set(("filename",), "f" * 256), ["filename"]),
    Case("filename_is_list", _set(("filename",), ["a.pdf"]), ["filename"]),
    Case("content_type_too_long", _set(("content_type",), "t" * 101), ["content_type"]),
    Case("nul_in_filename", _set(("filename",), "a\x00.pdf"), ["filename"]),
    Case("nul_in_base64", _set(("content_base64",), "JVBE\x00"), ["content_base64"]),
]


def _state() -> dict:
    """Everything a bad request could have written."""
    return {
        "invoices": Invoice.objects.count(),
        "rows": InvoiceRow.objects.count(),
        "suppliers": Supplier.objects.count(),
        "events": Event.objects.count(),
        "payments": Payment.objects.count(),
        "attachments": Attachment.objects.count(),
        "audit": AuditEntry.objects.count(),
        "idempotency_keys": IdempotencyKey.objects.count(),
        "invoice_fields": list(
            Invoice.objects.order_by("pk").values_list(
                "invoice_number", "net_amount", "vat_amount", "gross_amount", "paid_amount",
                "invoice_date", "due_date", "supplier_id", "modified_at",
            )
        ),
    }  # fmt: skip


def _send(api: Any, method: str, path: str, valid: dict, case: Case) -> Any:
    body = json.dumps(case.body(valid), default=str) if callable(case.body) else case.body
    return api.client.generic(
        method,
        "/api/v1" + path,
        body,
        content_type="application/json",
        headers={"X-API-Key": api.key},
    )


def _assert_located_refusal(response: Any, case: Case) -> None:
    assert response.status_code == case.status, response.content[:500]
    body = response.json()
    detail = body["detail"]
    assert isinstance(detail, list), body
    for item in detail:
        assert isinstance(item["loc"], list)
        assert isinstance(item["msg"], str)
        assert item["msg"]
        assert isinstance(item["type"], str)
    assert ["body", *case.loc] in [item["loc"] for item in detail], detail


def _check(api: Any, method: str, path: str, valid: dict, case: Case) -> None:
    before = _state()
    response = _send(api, method, path, valid, case)
    _assert_located_refusal(response, case)
    assert _state() == before


@pytest.mark.parametrize("case", INVOICE_CASES, ids=lambda c: c.id)
def test_bad_invoice_is_refused_with_its_location(api, invoice_payload, case):
    _check(api, "POST", "/invoices", invoice_payload(), case)


@pytest.mark.parametrize("case", PATCH_CASES, ids=lambda c: c.id)
def test_bad_invoice_patch_is_refused_with_its_location(api, make_invoice, invoice_payload, case):
    invoice = make_invoice(invoice_number="P-1")
    valid = {k: v for k, v in invoice_payload().items() if k != "supplier_id"}
    _check(api, "PATCH", f"/invoices/{invoice.id}", valid, case)


@pytest.mark.parametrize("case", SUPPLIER_CASES, ids=lambda c: c.id)
def test_bad_supplier_is_refused_with_its_location(api, case):
    valid = {
        "name": "Rakvere Puit OÜ",
        "country": "EE",
        "bank_accounts": [{"iban": "EE382200221020145685", "bic": "HABAEE2X"}],
    }
    _check(api, "POST", "/suppliers", valid, case)


@pytest.mark.parametrize("case", PAYMENT_CASES, ids=lambda c: c.id)
def test_bad_payment_is_refused_with_its_location(api, make_invoice, case):
    invoice = make_invoice()
    valid = {"amount": "10.00", "payment_date": "2026-11-20", "description": "Part"}
    _check(api, "POST", f"/invoices/{invoice.id}/payments", valid, case)


@pytest.mark.parametrize("case", ATTACHMENT_CASES, ids=lambda c: c.id)
def test_bad_attachment_is_refused_with_its_location(api, make_invoice, case):
    invoice = make_invoice()
    valid = {
        "filename": "invoice.pdf",
        "content_type": "application/pdf",
        "content_base64": base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode(),
    }
    _check(api, "POST", f"/invoices/{invoice.id}/attachments", valid, case)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/invoices/not-a-uuid", {"payment_reference": "9"}),
        ("PATCH", "/invoices/" + "9" * 40, {"payment_reference": "9"}),
        ("PATCH", "/invoices/-1", {"payment_reference": "9"}),
        ("POST", "/invoices/not-a-uuid/payments", {"amount": "1.00", "payment_date": "2026-11-20"}),
        (
            "POST",
            "/invoices/00000000-0000-4000-8000-000000000000/payments",
            {"amount": "1.00", "payment_date": "2026-11-20"},
        ),
        ("POST", "/invoices/not-a-uuid/attachments", {"url": "https://example.com/a.pdf"}),
    ],
)
def test_invalid_invoice_reference_in_path_is_404(api, make_invoice, method, path, body):
    make_invoice()
    before = _state()
    response = api.client.generic(
        method,
        "/api/v1" + path,
        json.dumps(body),
        content_type="application/json",
        headers={"X-API-Key": api.key},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "invoice_not_found"
    assert _state() == before


@pytest.mark.parametrize(
    "literal", ["NaN", "Infinity", "-Infinity"], ids=["nan", "infinity", "minus_infinity"]
)
def test_bare_json_constants_for_money_are_refused(api, invoice_payload, literal):
    """Python's JSON reader accepts these non-standard literals; money must not."""
    raw = json.dumps(invoice_payload()).replace('"176.50"', literal, 1)
    assert literal in raw
    before = _state()
    response = api.post("/invoices", raw=raw)
    assert response.status_code == 422
    assert ["body", "gross_amount"] in [item["loc"] for item in response.json()["detail"]]
    assert _state() == before


def test_form_encoded_body_is_refused(api, invoice_payload):
    before = _state()
    response = api.post(
        "/invoices",
        raw="invoice_number=INV-1",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 422
    assert _state() == before


def test_numbers_keep_every_decimal_digit(api, invoice_payload):
    """JSON numbers are read as Decimal: 0.1 + 0.2 style float drift cannot creep in."""
    payload = invoice_payload()
    raw = json.dumps(payload)
    for amount in ("150.00", "26.50", "176.50", "100.00", "22.00", "50.00", "4.50"):
        raw = raw.replace(f'"{amount}"', amount)
    response = api.post("/invoices", raw=raw)
    assert response.status_code == 201, response.json()
    invoice = Invoice.objects.get()
    assert str(invoice.gross_amount.normalize()) == "176.5"


@pytest.mark.parametrize(
    ("path", "params", "loc"),
    [
        ("/invoices", {"invoice_number": "INV\x00"}, ["query", "invoice_number"]),
        ("/suppliers", {"q": "Puit\x00"}, ["query", "q"]),
        ("/events", {"from": "1\x00"}, ["query", "from"]),
    ],
    ids=["invoice_filter", "supplier_search", "event_cursor"],
)
def test_nul_in_query_parameter_is_422(api, make_invoice, path, params, loc):
    """PostgreSQL cannot compare text with NUL in it; the answer is a 422, not a 500."""
    make_invoice()
    response = api.get(path, params)
    assert response.status_code == 422
    assert loc in [item["loc"] for item in response.json()["detail"]]


def test_nul_in_form_field_is_422(api, make_invoice):
    invoice = make_invoice()
    before = _state()
    response = api.upload(
        f"/invoices/{invoice.id}/attachments/upload", {"url": "https://example.com/\x00.pdf"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["form", "url"]
    assert _state() == before
