"""Demo data: a company, a key, master data, users, suppliers, ~20 invoices waiting, a
booked history with coding rules and a trained coding model, and purchase orders with
invoices that bill them, all via services."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from payables.approvals.models import ApprovalStep
from payables.approvals.services import approve_step, create_rule, reject_step
from payables.demo.coding import load_demo_coding
from payables.demo.masterdata import USERS as DEMO_USERS
from payables.demo.masterdata import give_new_password, load_demo_masterdata
from payables.demo.orders import load_demo_orders
from payables.demo.pdf import PdfRow, invoice_pdf
from payables.invoices.inputs import InvoiceIn
from payables.invoices.models import Invoice
from payables.invoices.services import add_attachment, create_invoice, record_payment
from payables.masterdata.models import Supplier
from payables.masterdata.services import create_supplier
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company, CompanyUser, Integrator
from payables.tenancy.scopes import SCOPES
from payables.tenancy.services import (
    create_api_key,
    create_company,
    create_integrator,
    create_personal_api_key,
    update_company,
)

DEMO_COMPANY = "Demo Ostud OÜ"

# Real-format identifiers (valid checksums), fictional companies.
SUPPLIERS = [
    {"name": "Tallinna Kontoritarbed AS", "country": "EE", "registry_code": "10137319",
     "vat_number": "EE100931558", "city": "Tallinn",
     "bank_accounts": [{"iban": "EE382200221020145685", "bic": "HABAEE2X"}]},
    {"name": "Helsingin Siivous Oy", "country": "FI", "registry_code": "2077474-0",
     "vat_number": "FI20774740", "city": "Helsinki"},
    {"name": "Vilniaus IT UAB", "country": "LT", "vat_number": "LT100001919017", "city": "Vilnius"},
    {"name": "Rīgas Loģistika SIA", "country": "LV", "vat_number": "LV40003521600", "city": "Rīga"},
    {"name": "Stockholm Licens AB", "country": "SE", "registry_code": "556036-0793",
     "vat_number": "SE556036079301", "city": "Stockholm"},
]  # fmt: skip

# Routing: warehouse costs are verified by Jaan before Mari approves; the rest go to Mari.
ROUTING_RULES = [
    {"name": "Warehouse costs", "position": 1, "dimension_values": {"cost_centre": ["CC200"]},
     "approvers": [{"user": "E002", "level": 2}, {"user": "E001", "level": 1}]},
    {"name": "Default", "is_default": True, "approvers": [{"user": "E001", "level": 1}]},
]  # fmt: skip
PERSONAL_KEY_SCOPES = ["approvals:read", "approvals:write", "invoices:read"]

# description, unit, price, account, cost centre (see demo/masterdata.py)
ROWS = [
    ("Office paper A4", "pcs", "4.20", "4000", "CC100"),
    ("Cleaning service, monthly", "h", "28.00", "4010", "CC100"),
    ("Software licence", "pcs", "49.00", "4020", "CC100"),
    ("Freight Tallinn-Riga", "km", "1.35", "4030", "CC200"),
    ("Consulting", "h", "95.00", "4040", "CC300"),
    ("Accounting handbook", "pcs", "38.00", "4050", "CC100"),
]


def load_demo(
    *, out: TextIO, invoice_count: int = 20, seed: int = 7, reset_passwords: bool = False
) -> Company:
    """Create the demo company with data, or issue a fresh key when it exists already.

    ``reset_passwords`` gives an existing demo's users new passwords (printed) instead,
    for whoever lost the first run's output.
    """
    rng = random.Random(seed)
    company = Company.objects.filter(name=DEMO_COMPANY).first()
    if company is not None and reset_passwords:
        _reset_passwords(company, out=out)
        return company
    if company is not None:
        integrator = Integrator.objects.get(company=company, name="Demo ERP")
        _, raw = create_api_key(integrator, scopes=list(SCOPES), name="demo")
        out.write(f"The demo company exists already; issued a new key.\nAPI key: {raw}\n")
        out.write(
            "The demo users keep their passwords; "
            "`payables demo --reset-passwords` gives them new ones.\n"
        )
        return company
    with transaction.atomic():
        company = create_company(name=DEMO_COMPANY, country="EE", home_currency="EUR")
        integrator = create_integrator(company, name="Demo ERP")
        _, raw = create_api_key(integrator, scopes=list(SCOPES), name="demo")
        actor = Actor(company=company, label="demo loader", integrator=integrator)
        suppliers = [create_supplier(s, actor=actor) for s in SUPPLIERS]
        load_demo_masterdata(actor=actor, out=out)
        for rule in ROUTING_RULES:
            create_rule(rule, actor=actor)
        # Invoices that bill a purchase order are checked against what arrived (demo/orders.py).
        company = update_company(company, {"approvers_may_code": True, "po_matching": "three_way"})
        actor = Actor(company=company, label="demo loader", integrator=integrator)
        today = timezone.localdate()

        def attach(invoice: Invoice, data: InvoiceIn, supplier: Supplier) -> None:
            pdf = _invoice_pdf(data, supplier, company)
            add_attachment(invoice, actor=actor, content=pdf, filename=f"{data.invoice_number}.pdf")

        coded = load_demo_coding(actor=actor, today=today, rng=random.Random(seed), attach=attach)
        for n in range(1, invoice_count + 1):
            supplier = suppliers[n % len(suppliers)]
            data = _demo_invoice(n, supplier.id, today, rng)
            invoice = create_invoice(data, actor=actor)
            pdf = _invoice_pdf(data, supplier, company)
            add_attachment(invoice, actor=actor, content=pdf, filename=f"{data.invoice_number}.pdf")
            _decide(invoice, n)
            if n % 4 == 0:
                record_payment(
                    invoice,
                    actor=actor,
                    amount=invoice.gross_amount,
                    payment_date=today,
                    description="Bank statement",
                )
            elif n % 5 == 0:
                half = (invoice.gross_amount / 2).quantize(Decimal("0.01"))
                record_payment(
                    invoice,
                    actor=actor,
                    amount=half,
                    payment_date=today,
                    description="Partial payment",
                )
        billed = load_demo_orders(actor=actor, today=today, attach=attach)
    out.write(
        f"Created {DEMO_COMPANY} with {len(suppliers)} suppliers and {invoice_count} invoices "
        f"waiting, and {coded} more for coding: a booked history its coding model learned "
        f"from, and uncoded ones; and {len(billed)} that bill purchase orders, one matched "
        "and one with a discrepancy.\n"
    )
    out.write(f"API key: {raw}\n")
    mari = CompanyUser.objects.get(company=company, code="E001")
    _, personal = create_personal_api_key(mari, scopes=PERSONAL_KEY_SCOPES, name="demo")
    out.write(f"Personal API key of {mari.name}: {personal}\n")
    out.write("Try: curl -H 'X-API-Key: <key>' http://127.0.0.1:8000/api/v1/invoices\n")
    return company


def _reset_passwords(company: Company, *, out: TextIO) -> None:
    """New passwords for the demo's users who are still active; each printed once."""
    actor = Actor.system(company, "demo loader")
    codes = [code for code, *_ in DEMO_USERS]
    users = CompanyUser.objects.filter(company=company, code__in=codes, is_active=True)
    with transaction.atomic():
        for user in users.order_by("code"):
            give_new_password(user, actor=actor, out=out)
    out.write(f"New passwords for the users of {company.name}; sign in at /sign-in/.\n")


def _invoice_pdf(data: InvoiceIn, supplier: object, company: Company) -> bytes:
    """The supplier's document of the invoice, as a scan or PDF would arrive."""
    return invoice_pdf(
        supplier=supplier.name,
        supplier_address=f"{supplier.city}, {supplier.country} · VAT {supplier.vat_number}",
        buyer=company.name,
        number=data.invoice_number,
        invoice_date=data.invoice_date,
        due_date=data.due_date,
        reference=data.payment_reference,
        rows=[
            PdfRow(
                description=row.description,
                quantity=row.quantity,
                unit=row.unit,
                unit_price=row.unit_price,
                net_amount=row.net_amount,
                vat_rate=row.vat_rate,
            )
            for row in data.rows
        ],
        net=data.net_amount,
        vat=data.vat_amount,
        gross=data.gross_amount,
        currency=data.currency,
    )


def _decide(invoice: object, n: int) -> None:
    """Some history to look at: every sixth invoice approved, the seventh rejected."""
    if n % 6 and n != 7:
        return
    for step in ApprovalStep.objects.filter(invoice=invoice).select_related("approver"):
        person = Actor.for_user(step.approver, via="demo")
        if n == 7:
            reject_step(step, actor=person, reason="Wrong cost centre, please check")
            return
        approve_step(step, actor=person, comment="OK")


def _demo_invoice(n: int, supplier_id: object, today: object, rng: random.Random) -> InvoiceIn:
    rows, vat_lines = [], {}
    for _ in range(rng.randint(1, 4)):
        description, unit, price, account, cost_centre = rng.choice(ROWS)
        quantity = Decimal(rng.randint(1, 40))
        net = (quantity * Decimal(price)).quantize(Decimal("0.01"))
        rate = Decimal(9) if account == "4050" else Decimal(24)
        vat = (net * rate / 100).quantize(Decimal("0.01"))
        rows.append(
            {
                "description": description,
                "quantity": quantity,
                "unit": unit,
                "unit_price": Decimal(price),
                "net_amount": net,
                "vat_rate": rate,
                "vat_amount": vat,
                "account_code": account,
                "dimensions": {"cost_centre": cost_centre},
            }
        )
        base, tax = vat_lines.get(rate, (Decimal(0), Decimal(0)))
        vat_lines[rate] = (base + net, tax + vat)
    net_total = sum((r["net_amount"] for r in rows), Decimal(0))
    vat_total = sum((r["vat_amount"] for r in rows), Decimal(0))
    invoice_date = today - timedelta(days=rng.randint(0, 40))
    return InvoiceIn(
        supplier_id=supplier_id,
        invoice_number=f"{invoice_date:%Y}-{1000 + n}",
        invoice_date=invoice_date,
        due_date=invoice_date + timedelta(days=14),
        currency="EUR",
        net_amount=net_total,
        vat_amount=vat_total,
        gross_amount=net_total + vat_total,
        payment_reference=f"{1000 + n}{(7 * n) % 10}",
        rows=rows,
        vat_breakdown=[
            {"vat_rate": rate, "base_amount": b, "vat_amount": t}
            for rate, (b, t) in sorted(vat_lines.items())
        ],
    )
