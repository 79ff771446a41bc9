"""Demo master data: a chart of accounts, EE/FI/LT VAT codes, dimensions, users, items.

Loaded through the master data services, so every record has its event, as real data.
Each record is shaped by its API schema first, as a request's would be.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from typing import TextIO

from payables.masterdata.models import DimensionType, Supplier
from payables.masterdata.schemas import (
    AccountFields,
    DimensionValueFields,
    ItemFields,
    UserFields,
    VatCodeFields,
)
from payables.masterdata.services import (
    ensure_default_dimension_types,
    set_user_password,
    upsert_account,
    upsert_dimension_value,
    upsert_item,
    upsert_user,
    upsert_vat_code,
)
from payables.tenancy.actors import Actor
from payables.tenancy.models import CompanyUser

# code, rate, valid from, valid to, reverse charge, description
VAT_CODES = [
    ("EE24", "24", date(2025, 7, 1), None, False, "Estonia standard rate"),
    ("EE22", "22", date(2024, 1, 1), date(2025, 6, 30), False, "Estonia standard rate to 2025-06"),
    ("EE9", "9", None, None, False, "Estonia reduced rate (books, accommodation)"),
    ("EE0", "0", None, None, False, "Estonia zero rate / exempt"),
    ("EE-RC", "24", date(2025, 7, 1), None, True, "Estonia reverse charge on EU services"),
    ("EE24-CAR", "24", date(2025, 7, 1), None, False,
     "Estonia standard rate, passenger car costs: half the VAT deductible"),
    ("FI25.5", "25.5", date(2024, 9, 1), None, False, "Finland standard rate"),
    ("FI14", "14", None, None, False, "Finland reduced rate (food, restaurants)"),
    ("FI10", "10", None, None, False, "Finland reduced rate (books, transport)"),
    ("LT21", "21", None, None, False, "Lithuania standard rate"),
    ("LT9", "9", None, None, False, "Lithuania reduced rate"),
    ("LT5", "5", None, None, False, "Lithuania reduced rate (medicines)"),
]  # fmt: skip

# code, name, type, default VAT code
ACCOUNTS = [
    ("4000", "Office supplies", "expense", "EE24"),
    ("4010", "Cleaning and maintenance", "expense", "EE24"),
    ("4020", "Software and licences", "expense", "EE24"),
    ("4030", "Transport and logistics", "expense", "EE24"),
    ("4040", "Consulting services", "expense", "EE24"),
    ("4050", "Books and training", "expense", "EE9"),
    ("4060", "Car expenses", "expense", "EE24-CAR"),
    ("1510", "IT equipment", "asset", "EE24"),
    ("2310", "Accounts payable", "liability", None),
]  # fmt: skip

DIMENSION_VALUES = {
    "department": [("FIN", "Finance"), ("OPS", "Operations"), ("SALES", "Sales")],
    "project": [("RIGA-OFFICE", "Riga office opening"), ("WEBSHOP", "Web shop renewal")],
    "cost_centre": [("CC100", "Head office"), ("CC200", "Warehouse"), ("CC300", "Field sales")],
}

# Half the VAT of passenger car costs is not deductible in Estonia.
NON_DEDUCTIBLE_SHARES = {"EE24-CAR": "50"}

# code, name, email, roles, last approver, approval limit
USERS = [
    ("E001", "Mari Maasikas", "mari@demo.example", ["approver", "admin"], True, "50000"),
    ("E002", "Jaan Tamm", "jaan@demo.example", ["approver"], False, "1000"),
    ("E003", "Liis Kask", "liis@demo.example", ["accountant"], False, None),
]  # fmt: skip

# What an approver may code to (the company lets approvers code): Jaan, the warehouse's.
CODING_ALLOWANCES = {"E002": (["4030", "4060"], {"cost_centre": ["CC200", "CC300"]})}

# code, description, type, unit, account, VAT code, cost centre, (seller name, seller code)
ITEMS = [
    ("PAPER-A4", "Office paper A4, 500 sheets", "stock", "pcs", "4000", "EE24", "CC100",
     ("Tallinna Kontoritarbed AS", "A4-500")),
    ("CLEAN-MONTH", "Office cleaning, monthly", "service", "h", "4010", "EE24", "CC100",
     ("Helsingin Siivous Oy", "SIIVOUS-KK")),
    ("SW-LICENCE", "Software licence, per seat", "service", "pcs", "4020", "EE24", "CC100",
     ("Stockholm Licens AB", "LIC-SEAT")),
    ("FREIGHT-KM", "Freight, per km", "service", "km", "4030", "EE24", "CC200",
     ("Rīgas Loģistika SIA", "FRT-KM")),
    ("CONSULT-H", "Consulting, per hour", "service", "h", "4040", "EE24", "CC300",
     ("Vilniaus IT UAB", "CONS-H")),
]  # fmt: skip


def load_demo_masterdata(*, actor: Actor, out: TextIO) -> None:
    """Create the demo company's master data; print each user's sign-in once."""
    for code, rate, valid_from, valid_to, reverse, description in VAT_CODES:
        upsert_vat_code(
            code,
            VatCodeFields(
                rate=Decimal(rate), valid_from=valid_from, valid_to=valid_to,
                is_reverse_charge=reverse, description=description,
                non_deductible_share=Decimal(NON_DEDUCTIBLE_SHARES.get(code, "0")),
            ).model_dump(),
            actor=actor,
        )  # fmt: skip
    for code, name, kind, vat_code in ACCOUNTS:
        account = AccountFields(name=name, type=kind, default_vat_code=vat_code)
        upsert_account(code, account.model_dump(), actor=actor)
    ensure_default_dimension_types(actor=actor)
    for type_code, values in DIMENSION_VALUES.items():
        dimension_type = DimensionType.objects.get(company=actor.company, code=type_code)
        for code, name in values:
            value = DimensionValueFields(name=name).model_dump()
            upsert_dimension_value(dimension_type, code, value, actor=actor)
    for code, name, email, roles, last, limit in USERS:
        accounts, dimensions = CODING_ALLOWANCES.get(code, ([], {}))
        user = upsert_user(
            code,
            UserFields(
                name=name, email=email, roles=roles, can_be_last_approver=last,
                approval_limit_amount=Decimal(limit) if limit else None,
                coding_accounts=accounts, coding_dimensions=dimensions,
            ).model_dump(),
            actor=actor,
        ).record  # fmt: skip
        give_new_password(user, actor=actor, out=out)
    suppliers = {s.name: s.id for s in Supplier.objects.for_company(actor.company)}
    for code, description, kind, unit, account, vat, centre, (seller, seller_code) in ITEMS:
        upsert_item(
            code,
            ItemFields(
                description=description, type=kind, unit=unit, default_account=account,
                default_vat_code=vat, default_dimensions={"cost_centre": centre},
                seller_mappings=[{"supplier_id": suppliers[seller], "seller_code": seller_code}],
            ).model_dump(),
            actor=actor,
        )  # fmt: skip


def give_new_password(user: CompanyUser, *, actor: Actor, out: TextIO) -> None:
    """Set a random password for a demo user and print it, on a line starting ``User:``."""
    password = secrets.token_urlsafe(12)
    set_user_password(user, password, actor=actor)
    out.write(f"User: {user.email} password: {password} ({', '.join(user.roles)})\n")
