"""Demo coding: rules, a booked history the coding model learns from, and uncoded invoices.

The history is what accounting received over the past months: each supplier books its
kind of cost to one account and cost centre, with the text varying by month. It is
approved and exported through the services, then the model
is trained on it, so suggestions show at once for the uncoded invoices at the end.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from payables.approvals.models import ApprovalStep
from payables.approvals.services import approve_step
from payables.coding.services.rules import create_rule
from payables.coding.services.training import train_coding_model
from payables.handoff.services import export_invoice
from payables.invoices.inputs import InvoiceIn
from payables.invoices.models import Invoice
from payables.invoices.services import create_invoice
from payables.masterdata.models import Supplier
from payables.tenancy.actors import Actor

CODING_RULES = [
    {"name": "Car fuel: half the VAT deductible", "conditions": {"text_contains": "fuel"},
     "actions": {"account_code": "4060", "vat_code": "EE24-CAR",
                 "dimensions": {"cost_centre": "CC300"}}},
    {"name": "Freight to the warehouse", "conditions": {"text_regex": r"^freight\b"},
     "actions": {"account_code": "4030", "vat_code": "EE24",
                 "dimensions": {"cost_centre": "CC200"}}},
]  # fmt: skip

# supplier, description (with the month), price, account, VAT code, cost centre
BOOKED_KINDS = [
    ("Tallinna Kontoritarbed AS", "Office paper A4, delivery {month}", "4.20", "4000", "EE24",
     "CC100"),
    ("Helsingin Siivous Oy", "Office cleaning {month}", "28.00", "4010", "EE24", "CC100"),
    ("Stockholm Licens AB", "Software licences {month}", "49.00", "4020", "EE24", "CC100"),
    ("Rīgas Loģistika SIA", "Freight Tallinn-Riga {month}", "1.35", "4030", "EE24", "CC200"),
    ("Vilniaus IT UAB", "Consulting hours {month}", "95.00", "4040", "EE24", "CC300"),
    ("Tallinna Kontoritarbed AS", "Fuel for company car {month}", "1.65", "4060", "EE24-CAR",
     "CC300"),
]  # fmt: skip
HISTORY = 12

# Uncoded rows as a scan or a simple e-invoice brings them: a rule codes the fuel, the
# model suggests the rest.
UNCODED = [
    ("Tallinna Kontoritarbed AS", "Fuel, company car 123ABC", "1.70", 40),
    ("Helsingin Siivous Oy", "Office cleaning, next month", "28.00", 12),
]


# Gives a created invoice its supplier's PDF (the demo's own renderer).
Attach = Callable[[Invoice, InvoiceIn, Supplier], None]


def load_demo_coding(*, actor: Actor, today: date, rng: random.Random, attach: Attach) -> int:
    """Coding rules, a booked history and its trained model, and two uncoded invoices;
    answers how many invoices it made."""
    for rule in CODING_RULES:
        create_rule(rule, actor=actor)
    suppliers = {s.name: s for s in Supplier.objects.for_company(actor.company)}
    for n in range(1, HISTORY + 1):
        supplier, text, price, account, vat_code, centre = BOOKED_KINDS[n % len(BOOKED_KINDS)]
        day = today - timedelta(days=60 + 7 * n)
        row = _row(text.format(month=f"{day:%m/%Y}"), price, rng.randint(1, 8), vat_code)
        row |= {"account_code": account, "dimensions": {"cost_centre": centre}}
        data = _invoice(suppliers[supplier], f"H{day:%Y}-{n:03d}", day, row)
        invoice = create_invoice(data, actor=actor)
        attach(invoice, data, suppliers[supplier])
        _approve(invoice)
        export_invoice(invoice, actor=actor)
    train_coding_model(actor.company)
    for n, (supplier, text, price, quantity) in enumerate(UNCODED, start=1):
        data = _invoice(suppliers[supplier], f"U-{n:03d}", today, _row(text, price, quantity, ""))
        attach(create_invoice(data, actor=actor), data, suppliers[supplier])
    return HISTORY + len(UNCODED)


def _approve(invoice: Invoice) -> None:
    """Every step of the invoice's chain approves, in turn."""
    while (
        step := ApprovalStep.objects.filter(invoice=invoice, is_current=True).first()
    ) is not None:
        approve_step(step, actor=Actor.for_user(step.approver, via="demo"), comment="OK")


def _row(description: str, price: str, quantity: int, vat_code: str) -> dict:
    net = (Decimal(price) * quantity).quantize(Decimal("0.01"))
    return {
        "description": description,
        "quantity": Decimal(quantity),
        "unit_price": Decimal(price),
        "net_amount": net,
        "vat_rate": Decimal(24),
        "vat_amount": (net * Decimal("0.24")).quantize(Decimal("0.01")),
        "vat_code": vat_code,
    }


def _invoice(supplier: Supplier, number: str, day: date, row: dict) -> InvoiceIn:
    net, vat = row["net_amount"], row["vat_amount"]
    return InvoiceIn(
        supplier_id=supplier.id,
        invoice_number=number,
        invoice_date=day,
        due_date=day + timedelta(days=14),
        currency="EUR",
        net_amount=net,
        vat_amount=vat,
        gross_amount=net + vat,
        rows=[row],
        vat_breakdown=[{"vat_rate": Decimal(24), "base_amount": net, "vat_amount": vat}],
    )
