"""Building invoices that bill the orders of the tests, through the invoice API."""

from __future__ import annotations

from decimal import Decimal

from payables.conftest import ApiClient
from payables.masterdata.models import Supplier

RATES = {"VAT24": Decimal(24), "VAT9": Decimal(9)}


def row(
    description: str,
    quantity: str | None,
    unit_price: str | None,
    *,
    rate: str = "24",
    net: str | None = None,
    **codes: str,
) -> dict:
    """An invoice row; its net is quantity times unit price unless given."""
    if net is None:
        net = str((Decimal(quantity) * Decimal(unit_price)).quantize(Decimal("0.01")))
    data = {"description": description, "net_amount": net, "vat_rate": rate} | codes
    if quantity is not None:
        data["quantity"] = quantity
    if unit_price is not None:
        data["unit_price"] = unit_price
    return data


def invoice_body(
    supplier: Supplier, number: str, rows: list[dict], *, credit: bool = False, **header: object
) -> dict:
    """A valid invoice (or credit note: the amounts of ``rows`` turned negative)."""
    sign = Decimal(-1) if credit else Decimal(1)
    breakdown: dict[str, list[Decimal]] = {}
    for r in rows:
        r["net_amount"] = str(sign * abs(Decimal(r["net_amount"])))
        base = breakdown.setdefault(r["vat_rate"], [Decimal(0), Decimal(0)])
        base[0] += Decimal(r["net_amount"])
    for rate, amounts in breakdown.items():
        amounts[1] = (amounts[0] * Decimal(rate) / 100).quantize(Decimal("0.01"))
    net = sum((a[0] for a in breakdown.values()), Decimal(0))
    vat = sum((a[1] for a in breakdown.values()), Decimal(0))
    return {
        "supplier_id": str(supplier.id),
        "invoice_number": number,
        "type": "credit_note" if credit else "invoice",
        "invoice_date": "2026-11-25",
        "due_date": "2026-12-09",
        "currency": "EUR",
        "net_amount": str(net),
        "vat_amount": str(vat),
        "gross_amount": str(net + vat),
        "rows": rows,
        "vat_breakdown": [
            {"vat_rate": rate, "base_amount": str(a[0]), "vat_amount": str(a[1])}
            for rate, a in breakdown.items()
        ],
    } | header


def post_invoice(api: ApiClient, body: dict) -> dict:
    answer = api.post("/invoices", body)
    assert answer.status_code == 201, answer.content
    return answer.json()


def match_of(api: ApiClient, invoice: dict) -> dict:
    answer = api.get(f"/invoices/{invoice['id']}/purchase-order-match")
    assert answer.status_code == 200, answer.content
    return answer.json()


def order_lines(api: ApiClient, order: dict) -> dict[str, tuple[str, str]]:
    """Each order line's (received, invoiced) quantities, and the order's status."""
    shown = api.get(f"/purchase-orders/{order['id']}").json()
    lines = {x["line_id"]: (x["received_quantity"], x["invoiced_quantity"]) for x in shown["lines"]}
    return lines | {"status": shown["status"]}
