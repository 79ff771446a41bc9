"""Fennoa's inputs as the native ones, and the native error locations as Fennoa's names.

Where Fennoa names master data by integer (a VAT handling ``vatcode_id``, a dimension
``dim_X``), payables' codes stand in: ``vatcode_id`` 1 is the VAT code ``"1"``, ``dim_1: 100``
the value ``"100"`` of the dimension type ``"1"`` (``dim_project: "P7"`` works too).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import ValidationError as PydanticValidationError

from payables.coding.inputs import PrebookingSplitIn
from payables.compat.fennoa.envelope import REQUEST_PARTS, native_input
from payables.compat.fennoa.schemas import FennoaAddIn, FennoaTagIn
from payables.errors import FieldError, ValidationFailed
from payables.invoices.inputs import InvoiceIn

# POST add: the native invoice's fields as Fennoa's form names them.
ADD_LOCS = {
    ("supplier_id",): ("purchase_supplier_id",),
    ("supplier",): ("supplier_name",),
    ("supplier", "name"): ("supplier_name",),
    ("supplier", "registry_code"): ("supplier_business_id",),
    ("supplier", "vat_number"): ("supplier_vat_number",),
    ("supplier", "country"): ("supplier_country",),
    ("type",): ("purchase_invoice_type_id",),
    ("currency_rate",): ("currency",),  # Fennoa's form has no rate: the currency needs one
    ("net_amount",): ("total_net",),
    ("vat_amount",): ("total_net",),  # the VAT is what the gross has over the net
    ("gross_amount",): ("total_gross",),
    ("payment_reference",): ("bank_reference",),
    ("bic",): ("bank_bic",),
    ("payment_terms",): ("terms_of_payment",),
    ("buyer_reference",): ("your_reference",),
    ("seller_reference",): ("our_reference",),
}
PAYMENT_LOCS = {("amount",): ("sum",)}
CREDIT_INVOICE = 2
# What the add form carries that payables keeps no field for: kept in the invoice's metadata.
KEPT_IN_METADATA = (
    "credited_invoice_no",
    "discount_date1",
    "discount_percent1",
    "discount_sum1",
    "payable_account_code",
    "bank_message",
)


def invoice_input(form: FennoaAddIn, *, supplier_id: UUID | None) -> tuple[InvoiceIn, dict]:
    """The native invoice the add form describes, and the metadata payables keeps beside it.

    ``supplier_id`` is the supplier ``purchase_supplier_id`` named; without it the supplier is
    found by business id or VAT number, or created from the name (country FI by default).
    A credit invoice's positive totals are turned negative, as payables keeps credit notes.
    """
    problems = []
    if supplier_id is None and not form.supplier_name:
        problems.append(_missing("supplier_name", "Give the supplier's name (or its id)."))
    if not form.invoice_number:
        problems.append(_missing("invoice_number", "payables needs the supplier's number."))
    if not (form.bank_reference or form.bank_message):
        problems.append(_missing("bank_reference", "Give the bank reference or a bank message."))
    if form.total_net is None:
        problems.append(
            _missing(
                "total_net",
                "payables keeps net and VAT apart: give total_net (the VAT is total_gross "
                "less total_net).",
            )
        )
    if problems:
        raise ValidationFailed(problems)
    sign = -1 if form.purchase_invoice_type_id == CREDIT_INVOICE and form.total_gross > 0 else 1
    gross, net = form.total_gross * sign, form.total_net * sign
    data: dict[str, Any] = {
        "type": "credit_note" if form.purchase_invoice_type_id == CREDIT_INVOICE else "invoice",
        "invoice_number": form.invoice_number,
        "invoice_date": form.invoice_date,
        "due_date": form.due_date,
        "entry_date": form.entry_date,
        "currency": form.currency,
        "net_amount": net,
        "vat_amount": gross - net,
        "gross_amount": gross,
        "order_number": form.order_number,
        "buyer_reference": form.your_reference,
        "seller_reference": form.our_reference,
        "payment_reference": form.bank_reference or form.bank_message,
        "bank_account": form.bank_account,
        "bic": form.bank_bic,
        "payment_terms": form.terms_of_payment,
    }
    if supplier_id is not None:
        data["supplier_id"] = supplier_id
    else:
        data["supplier"] = {
            "name": form.supplier_name,
            "country": form.supplier_country.upper(),
            "registry_code": form.supplier_business_id,
            "vat_number": form.supplier_vat_number,
        }
    kept = {
        name: _text(getattr(form, name))
        for name in KEPT_IN_METADATA
        if getattr(form, name) is not None
    }
    return native_input(InvoiceIn, data, ADD_LOCS), {"fennoa": kept} if kept else {}


def tag_splits(raw: object) -> list[PrebookingSplitIn]:
    """The prebooking splits the ``json`` field's tags describe, every problem located."""
    rows = _json_array(raw)
    problems: list[FieldError] = []
    splits = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.append(FieldError("A tag is a JSON object.", loc=["json", index]))
            continue
        found = len(problems)
        dims = _dimensions(row, index, problems)
        try:
            fields = {k: v for k, v in row.items() if not k.startswith("dim_")}
            tag = FennoaTagIn.model_validate(fields)
        except PydanticValidationError as exc:
            problems.extend(
                FieldError(e["msg"], loc=["json", index, *e["loc"]], code=e["type"])
                for e in exc.errors()
            )
            continue
        if tag.percent is None and tag.sum is None:
            problems.append(_missing(["json", index, "percent"], "Give the tag's percent or sum."))
        if tag.account_code is None:
            problems.append(
                _missing(["json", index, "account_code"], "payables books every tag to an account.")
            )
        if len(problems) == found:
            splits.append(
                PrebookingSplitIn(
                    percent=tag.percent,
                    sum=tag.sum,
                    account_code=tag.account_code,
                    vat_code=tag.vatcode_id or "",
                    dimensions=dims,
                    description=tag.description,
                )
            )
    if problems:
        raise ValidationFailed(problems)
    return splits


def tag_loc(loc: Sequence) -> list:
    """A prebooking split's location as the tag's: ``splits.0.dimensions.1`` → ``json.0.dim_1``.

    >>> tag_loc(["body", "splits", 0, "dimensions", "1"]), tag_loc(["splits", 2, "vat_code"])
    (['json', 0, 'dim_1'], ['json', 2, 'vatcode_id'])
    """
    parts = list(loc)
    if parts and parts[0] in REQUEST_PARTS:
        parts = parts[1:]
    if not parts or parts[0] != "splits":
        return parts
    parts[0] = "json"
    if len(parts) >= 4 and parts[2] == "dimensions":
        return [*parts[:2], f"dim_{parts[3]}", *parts[4:]]
    if len(parts) >= 3 and parts[2] == "vat_code":
        parts[2] = "vatcode_id"
    return parts


def _json_array(raw: object) -> list:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw, parse_float=Decimal)
        except (ValueError, RecursionError) as exc:
            raise FieldError(f"Not valid JSON: {exc}", loc=["json"], code="json_invalid") from None
    if not isinstance(raw, list) or not raw:
        raise FieldError("Give the tags as a JSON array of objects.", loc=["json"], code="invalid")
    return raw


def _dimensions(row: dict, index: int, problems: list[FieldError]) -> dict[str, str]:
    """``dim_X`` fields: X names the dimension type, the value a value of it (by code)."""
    dims = {}
    for key, value in row.items():
        if not key.startswith("dim_"):
            continue
        code = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if (
            not isinstance(code, str)
            or not code.strip()
            or len(code) > 50
            or not 0 < len(key) - 4 <= 50
        ):
            problems.append(
                FieldError(
                    "A dimension is a type (dim_<type>) and a value code of up to 50 characters.",
                    loc=["json", index, key],
                    code="invalid_dimension",
                )
            )
            continue
        dims[key[4:]] = code.strip()
    return dims


def _missing(loc: str | list, message: str) -> FieldError:
    return FieldError(message, loc=[loc] if isinstance(loc, str) else loc, code="missing")


def _text(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
