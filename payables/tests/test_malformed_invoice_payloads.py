"""Malformed invoice bodies (create and patch) get a located 4xx, never a 500, and change
nothing.

Each case names the body (a change to a valid one, or raw bytes), the status
and the ``loc`` the answer must point at.
"""

from __future__ import annotations

import pytest

from payables.tests.malformed import (
    Case,
    _both,
    _check,
    _drop,
    _raw_cases,
    _set,
)

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
    # UAH: neither the company nor the ECB has a rate of it (USD would get the ECB's).
    Case("foreign_currency_without_rate", _set(("currency",), "UAH"), ["currency_rate"]),
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


@pytest.mark.parametrize("case", INVOICE_CASES, ids=lambda c: c.id)
def test_bad_invoice_is_refused_with_its_location(api, invoice_payload, case):
    _check(api, "POST", "/invoices", invoice_payload(), case)


@pytest.mark.parametrize("case", PATCH_CASES, ids=lambda c: c.id)
def test_bad_invoice_patch_is_refused_with_its_location(api, make_invoice, invoice_payload, case):
    invoice = make_invoice(invoice_number="P-1")
    valid = {k: v for k, v in invoice_payload().items() if k != "supplier_id"}
    _check(api, "PATCH", f"/invoices/{invoice.id}", valid, case)
