"""The invoice list's answer: summaries built straight from the rows the list reads.

A list page is read often and deep: it answers the header of each invoice (supplier,
amounts, status, dates) without rows or VAT lines unless ``expand`` asks for them, builds
the JSON from plain values (no model instances, no second validation of the answer), and
goes on by keyset (``after``) as well as by page number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.invoices.models import InvoiceRow, VatLine
from payables.invoices.schemas.invoices import InvoiceRowOut, SupplierSummaryOut, VatLineOut
from payables.json_encoding import moment_text
from payables.money import format_amount, format_decimal

EXPANDABLE = ("rows", "vat_breakdown")
# The header fields a summary reads.
HEADER = (
    "id", "internal_id", "invoice_number", "type", "status", "origin", "invoice_date",
    "due_date", "currency", "net_amount", "vat_amount", "gross_amount", "home_gross_amount",
    "prepaid_amount", "paid_amount", "order_number", "needs_review", "coded", "prebooked",
    "po_match_status", "sync_failed", "exported_at", "booked_at", "created_at",
    "modified_at",
)  # fmt: skip
SUPPLIER = ("supplier_id", "supplier__name", "supplier__registry_code", "supplier__vat_number",
            "supplier__country")  # fmt: skip


class InvoiceListItemOut(Schema):
    id: UUID
    internal_id: int
    supplier: SupplierSummaryOut
    invoice_number: str
    type: str
    status: str
    origin: str
    invoice_date: date
    due_date: date | None
    currency: str
    net_amount: str
    vat_amount: str
    gross_amount: str
    home_currency: str
    home_gross_amount: str
    amount_due: str
    order_number: str
    needs_review: bool
    coded: bool
    prebooked: bool
    po_match_status: str
    sync_failed: bool
    exported_at: datetime | None
    booked_at: datetime | None
    created_at: datetime
    modified_at: datetime
    rows: list[InvoiceRowOut] | None = Field(None, description="With `expand=rows` only.")
    vat_breakdown: list[VatLineOut] | None = Field(
        None, description="With `expand=vat_breakdown` only."
    )


class InvoiceListOut(Schema):
    items: list[InvoiceListItemOut]
    count: int | None = Field(
        description="All that match; null when paging with `after` or with `count=false`."
    )
    next: str | None = Field(
        description="Pass as `after` for the next page (keyset paging); null at the end."
    )


def summaries(values: list[dict], expand: frozenset[str], *, home_currency: str) -> list[dict]:
    """The answer's items from ``values`` rows (``HEADER`` + ``SUPPLIER``) of a company whose
    home currency is ``home_currency``, in order.

    Ids, dates and timestamps are written as text here, as the JSON encoder would write
    them, so that ``json.dumps`` stays in its C loop (its Python fallback took a third of
    the encoding). The keys keep the order the answer has always had.
    """
    currencies = {v["id"]: v["currency"] for v in values}
    rows = row_answers(currencies) if "rows" in expand else None
    vat = vat_line_answers(currencies) if "vat_breakdown" in expand else None
    items = []
    for v in values:
        cur, due_date, exported_at, booked_at = (
            v["currency"], v["due_date"], v["exported_at"], v["booked_at"]
        )  # fmt: skip
        items.append(
            {
                "id": str(v["id"]),
                "internal_id": v["internal_id"],
                "invoice_number": v["invoice_number"],
                "type": v["type"],
                "status": v["status"],
                "origin": v["origin"],
                "invoice_date": v["invoice_date"].isoformat(),
                "due_date": None if due_date is None else due_date.isoformat(),
                "currency": cur,
                "net_amount": format_amount(v["net_amount"], cur),
                "vat_amount": format_amount(v["vat_amount"], cur),
                "gross_amount": format_amount(v["gross_amount"], cur),
                "home_gross_amount": format_amount(v["home_gross_amount"], home_currency),
                "order_number": v["order_number"],
                "needs_review": v["needs_review"],
                "coded": v["coded"],
                "prebooked": v["prebooked"],
                "po_match_status": v["po_match_status"],
                "sync_failed": v["sync_failed"],
                "exported_at": None if exported_at is None else moment_text(exported_at),
                "booked_at": None if booked_at is None else moment_text(booked_at),
                "created_at": moment_text(v["created_at"]),
                "modified_at": moment_text(v["modified_at"]),
                "supplier": {
                    "id": str(v["supplier_id"]),
                    "name": v["supplier__name"],
                    "registry_code": v["supplier__registry_code"],
                    "vat_number": v["supplier__vat_number"],
                    "country": v["supplier__country"],
                },
                "home_currency": home_currency,
                "amount_due": format_amount(
                    v["gross_amount"] - v["prepaid_amount"] - v["paid_amount"], cur
                ),
                "rows": None if rows is None else rows.get(v["id"], []),
                "vat_breakdown": None if vat is None else vat.get(v["id"], []),
            }
        )
    return items


def _opt(value: object) -> str | None:
    return None if value is None else format_decimal(value)


def row_answers(currencies: Mapping[UUID, str]) -> dict[UUID, list[dict]]:
    """The rows of the invoices (their ids → currencies) as answers show them
    (``InvoiceRowOut``), by invoice, in order."""
    found: dict[UUID, list[dict]] = defaultdict(list)
    rows = InvoiceRow.objects.filter(invoice_id__in=list(currencies))
    for r in rows.order_by("invoice_id", "position").values(*_ROW_FIELDS):
        cur = currencies[r["invoice_id"]]
        found[r["invoice_id"]].append(
            {
                "position": r["position"],
                "item_code": r["item_code"],
                "product_code": r["product_code"],
                "gtin": r["gtin"],
                "order_line_reference": r["order_line_reference"],
                "description": r["description"],
                "quantity": _opt(r["quantity"]),
                "unit": r["unit"],
                "unit_price": _opt(r["unit_price"]),
                "net_amount": format_amount(r["net_amount"], cur),
                "vat_rate": _opt(r["vat_rate"]),
                "vat_amount": _amount(r["vat_amount"], cur),
                "vat_code": r["vat_code"],
                "account_code": r["account_code"],
                "dimensions": r["dimensions"],
            }
        )
    return found


def vat_line_answers(currencies: Mapping[UUID, str]) -> dict[UUID, list[dict]]:
    """The VAT breakdowns of the invoices (their ids → currencies) as answers show them
    (``VatLineOut``), by invoice."""
    found: dict[UUID, list[dict]] = defaultdict(list)
    lines = VatLine.objects.filter(invoice_id__in=list(currencies))
    for v in lines.order_by("invoice_id", "position").values(*_VAT_FIELDS):
        cur = currencies[v["invoice_id"]]
        found[v["invoice_id"]].append(
            {
                "vat_rate": _opt(v["vat_rate"]),
                "vat_code": v["vat_code"],
                "vat_category": v["vat_category"],
                "base_amount": format_amount(v["base_amount"], cur),
                "vat_amount": format_amount(v["vat_amount"], cur),
            }
        )
    return found


def _amount(value: Decimal | None, currency: str) -> str | None:
    return None if value is None else format_amount(value, currency)


_ROW_FIELDS = (
    "invoice_id", "position", "item_code", "product_code", "gtin", "order_line_reference",
    "description", "quantity", "unit", "unit_price", "net_amount", "vat_rate", "vat_amount",
    "vat_code", "account_code", "dimensions",
)  # fmt: skip
_VAT_FIELDS = (
    "invoice_id", "position", "vat_rate", "vat_code", "vat_category", "base_amount", "vat_amount",
)  # fmt: skip
