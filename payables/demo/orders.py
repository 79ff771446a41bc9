"""Demo purchase orders: three orders with goods receipts, and invoices that bill two of them.

The demo company matches three-way (ordered, received, invoiced), with small tolerances.
Paper from Tallinna Kontoritarbed arrived and is invoiced exactly: matched. Freight from
Rīgas Loģistika arrived, but is invoiced at a higher price per km: a discrepancy, which
goes to the order's requester, Jaan (an approver), before the rules' approvers. Consulting
from Vilniaus IT has partly arrived and is not invoiced yet: the supplier's one open
order, which its next invoice is matched to. All through the services the API calls.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from payables.demo.coding import Attach
from payables.invoices.inputs import InvoiceIn
from payables.invoices.models import Invoice
from payables.invoices.services import create_invoice
from payables.masterdata.models import Supplier
from payables.orders.inputs import GoodsReceiptIn, PurchaseOrderIn
from payables.orders.match_schemas import ToleranceIn
from payables.orders.services import create_purchase_order, record_goods_receipt, set_tolerance
from payables.tenancy.actors import Actor

# A unit price up to 2 % above the order's, and a total within a euro, still match.
TOLERANCE = {"price_percent": "2", "quantity_percent": "0", "total_amount": "1.00"}

# number, supplier, requester (a demo user's code), days ago, lines:
# (line id, item, seller code, description, quantity, unit, unit price, account, cost centre)
ORDERS = [
    ("PO-2026-0001", "Tallinna Kontoritarbed AS", "E001", 20, [
        ("1", "PAPER-A4", "A4-500", "Office paper A4, 500 sheets", "50", "pcs", "4.20", "4000",
         "CC100"),
        ("2", "", "", "Delivery to the office", "1", "pcs", "15.00", "4000", "CC100"),
    ]),
    ("PO-2026-0002", "Rīgas Loģistika SIA", "E002", 15, [
        ("1", "FREIGHT-KM", "FRT-KM", "Freight Tallinn-Riga, per km", "400", "km", "1.35",
         "4030", "CC200"),
    ]),
    ("PO-2026-0003", "Vilniaus IT UAB", "E001", 10, [
        ("1", "CONSULT-H", "CONS-H", "Consulting, per hour", "40", "h", "95.00", "4040",
         "CC300"),
    ]),
]  # fmt: skip

_LINES = {number: lines for number, _, _, _, lines in ORDERS}

# order number, days ago, {line id: quantity received}
RECEIPTS = [
    ("PO-2026-0001", 6, {"1": "50", "2": "1"}),
    ("PO-2026-0002", 4, {"1": "400"}),
    ("PO-2026-0003", 2, {"1": "16"}),
]

# invoice number, order number, days ago, rows: (order line id, quantity, unit price)
ORDER_INVOICES = [
    ("TK-5501", "PO-2026-0001", 3, [("1", "50", "4.20"), ("2", "1", "15.00")]),  # matched
    ("RL-0907", "PO-2026-0002", 2, [("1", "400", "1.45")]),  # 7 % above the order's price
]


def load_demo_orders(*, actor: Actor, today: date, attach: Attach) -> list[Invoice]:
    """Tolerances, the orders and their receipts, and the invoices that bill them; answers
    the invoices (each matched as it arrived)."""
    set_tolerance(ToleranceIn(**TOLERANCE).model_dump(), actor=actor)
    suppliers = {s.name: s for s in Supplier.objects.for_company(actor.company)}
    orders = {}
    for number, supplier, requester, days, lines in ORDERS:
        orders[number] = create_purchase_order(
            _order(number, suppliers[supplier], requester, today - timedelta(days=days), lines),
            actor=actor,
        )
    for number, days, received in RECEIPTS:
        receipt = GoodsReceiptIn(
            received_at=today - timedelta(days=days),
            reference=f"Delivery note {number[-4:]}",
            lines=[{"line_id": k, "quantity": v} for k, v in received.items()],
        )
        record_goods_receipt(orders[number], receipt, actor=actor)
    invoices = []
    for invoice_number, order_number, days, billed in ORDER_INVOICES:
        order = orders[order_number]
        data = _invoice(
            invoice_number, order_number, order.supplier, today - timedelta(days=days), billed
        )
        invoice = create_invoice(data, actor=actor)
        attach(invoice, data, order.supplier)
        invoices.append(invoice)
    return invoices


def _order(
    number: str, supplier: Supplier, requester: str, day: date, lines: list[tuple]
) -> PurchaseOrderIn:
    return PurchaseOrderIn(
        number=number,
        supplier_id=supplier.id,
        requester=requester,
        order_date=day,
        delivery_date=day + timedelta(days=7),
        currency="EUR",
        lines=[
            {
                "line_id": line_id, "item_code": item, "seller_item_code": seller_code,
                "description": text, "quantity": quantity, "unit": unit, "unit_price": price,
                "vat_code": "EE24", "account_code": account,
                "dimensions": {"cost_centre": centre},
            }
            for line_id, item, seller_code, text, quantity, unit, price, account, centre in lines
        ],
    )  # fmt: skip


def _invoice(
    number: str, order_number: str, supplier: Supplier, day: date, billed: list[tuple]
) -> InvoiceIn:
    """The supplier's invoice naming the order (BT-13) and each row's order line (BT-132)."""
    order_lines = {line[0]: line for line in _LINES[order_number]}
    rows = []
    for line_id, quantity, price in billed:
        _, _, seller_code, text, _, unit, _, account, centre = order_lines[line_id]
        net = (Decimal(quantity) * Decimal(price)).quantize(Decimal("0.01"))
        rows.append(
            {
                "description": text, "quantity": Decimal(quantity), "unit": unit,
                "unit_price": Decimal(price), "net_amount": net, "vat_rate": Decimal(24),
                "vat_amount": (net * Decimal("0.24")).quantize(Decimal("0.01")),
                "item_code": seller_code, "order_line_reference": line_id,
                "account_code": account, "dimensions": {"cost_centre": centre},
            }
        )  # fmt: skip
    net = sum((r["net_amount"] for r in rows), Decimal(0))
    vat = sum((r["vat_amount"] for r in rows), Decimal(0))
    return InvoiceIn(
        supplier_id=supplier.id,
        invoice_number=number,
        invoice_date=day,
        due_date=day + timedelta(days=14),
        currency="EUR",
        net_amount=net,
        vat_amount=vat,
        gross_amount=net + vat,
        order_number=order_number,
        rows=rows,
        vat_breakdown=[{"vat_rate": Decimal(24), "base_amount": net, "vat_amount": vat}],
    )
