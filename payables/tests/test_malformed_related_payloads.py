"""Malformed supplier, payment and attachment bodies get a located 4xx, never a 500, and
change nothing.
"""

from __future__ import annotations

import base64

import pytest

from payables.tests.malformed import (
    Case,
    _both,
    _check,
    _drop,
    _raw_cases,
    _set,
)

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
