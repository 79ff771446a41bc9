"""A generated accounts-payable history to measure learned coding on: booked lines, in time.

What it models (all from one seeded ``random.Random``, so a seed gives the same history):

* **Suppliers** of about 20 kinds (telecom, energy, office supplies, software, hardware
  store, travel, fuel, rent, logistics, …), several of each with their own names. Their
  invoice frequency is skewed (a few send most invoices, many send a few a year).
* **One account or several**: a supplier of a single kind books every line to one account
  (a landlord: rent); others book by what the line is (a telecom: "mobile subscription" →
  6010 telephone, "internet connection" → 6020, "device purchase" → 1210 IT hardware asset;
  a hardware store: screws → 6150 repairs, a drill → 6200 tools, floor cleaner → 6800).
  Each supplier sells only a subset of its kind's products.
* **Free-text variation**: synonyms and mixed languages (English, Estonian, Finnish),
  casing (UPPER, Title, lower), typos (a dropped, doubled or swapped letter), and numbers
  that change every time: invoice periods ("03/2025", "1.3.2025-31.3.2025"), order and
  contract numbers, quantities. Some suppliers send item codes, most do not.
* **New suppliers**: a fifth of the suppliers first invoice in the last third of the
  history, so a time-ordered test set holds suppliers the model never saw.
* **Seasonal items**: district heating October-April, snow removal December-March,
  winter tyres October-November, air-conditioning service May-June, a summer party in June.
* **VAT codes** by item and supplier: ``24`` standard, ``9`` reduced (accommodation, books),
  ``0`` exempt (insurance, rent of an unopted landlord), ``RC`` reverse charge for services
  of foreign EU suppliers, ``RCG`` for their goods; foreign suppliers invoice in EUR,
  some in USD, GBP or SEK.
* **Dimensions**: ``department`` follows the product (IT hardware → IT, fuel → SALES) or the
  supplier's usual department; ``cost_centre`` follows the department, with exceptions;
  ``project`` is set on consulting, marketing and travel lines while a project runs
  (projects have dated windows, and texts name them sometimes).
* **Noise**: about 3 % of lines are booked to another plausible account, as people do.

Each record is a booked line with its date; ``generate`` returns them in date order.

    from coding_history import generate
    lines = generate(20_000, seed=7)
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

START = date(2023, 1, 1)
DAYS = 3 * 365  # three years of bookings
WINTER = frozenset({1, 2, 3, 4, 10, 11, 12})
PROJECTS = [  # code, name in texts, first and last day (days from START)
    ("P-ERP", "erp rollout", 0, 420),
    ("P-WEB", "website redesign", 200, 640),
    ("P-TLL", "tallinn office move", 380, 700),
    ("P-CRM", "crm project", 600, 1000),
    ("P-EXP", "nordic expansion", 750, DAYS),
]
DEPARTMENTS = ["ADM", "SALES", "PROD", "IT", "LOG"]
COST_CENTRES = {"ADM": "CC100", "SALES": "CC200", "PROD": "CC300", "IT": "CC400", "LOG": "CC500"}


@dataclass(frozen=True)
class Product:
    """Something a supplier invoices, and how the company books it."""

    texts: tuple[str, ...]  # variants; "{period}", "{n}", "{month}" are filled in
    account: str
    vat: str = "24"  # "24", "9", "0"; foreign suppliers: goods → RCG, services → RC
    price: float = 100.0  # median net amount
    goods: bool = False
    department: str = ""  # "" : the supplier's usual one
    project: bool = False  # may carry the running project
    months: frozenset[int] = frozenset(range(1, 13))  # when it is bought


def _p(*texts: str, **kwargs: object) -> Product:
    return Product(texts, **kwargs)  # type: ignore[arg-type]


# fmt: off
KINDS: dict[str, list[Product]] = {
    "telecom": [
        _p("mobile subscription {period}", "mobiilside kuutasu {period}", "Mobile plan {month}",
           "monthly fee mobile", "mobile data package", account="6010", price=35),
        _p("internet connection {period}", "interneti püsiühendus", "broadband {month}",
           "fiber internet monthly", account="6020", price=60),
        _p("device purchase iphone {n}", "Samsung Galaxy phone", "mobile phone purchase",
           "laptop device instalment", account="1210", price=700, goods=True, department="IT"),
        _p("phone case", "charger usb-c", "headset", account="6200", price=25, goods=True),
    ],
    "energy": [
        _p("electricity {period}", "elekter {period}", "sähkö {month}", "electricity energy",
           account="6110", price=900),
        _p("network fee {period}", "võrgutasu", "grid service fee", account="6110", price=300),
        _p("district heating {month}", "kaugküte {period}", "kaukolämpö", "heating energy",
           account="6120", price=1200, months=WINTER),
    ],
    "office": [
        _p("copy paper a4 {n} box", "paper A4 80g", "koopiapaber", "printing paper",
           account="6200", price=40, goods=True),
        _p("toner cartridge hp {n}", "printer toner black", "tooner", account="6200", price=90,
           goods=True),
        _p("pens and markers", "notebooks", "folders and binders", "office supplies",
           account="6200", price=30, goods=True),
        _p("coffee beans {n} kg", "kohv", "tea and coffee", "milk for office", account="6320",
           price=45, goods=True),
        _p("office chair", "desk height adjustable", "meeting table", account="1200", price=650,
           goods=True),
    ],
    "software": [
        _p("microsoft 365 business licences {period}", "office 365 subscription",
           "m365 e3 licences", account="6210", price=400, department="IT"),
        _p("azure consumption {month}", "cloud hosting {period}", "aws usage", account="6220",
           price=800, department="IT"),
        _p("support renewal annual", "software maintenance {n}", account="6210", price=1500,
           department="IT"),
    ],
    "it_services": [
        _p("consulting hours {month}", "development work {period}", "it consultancy {n} h",
           account="6230", price=3000, department="IT", project=True),
        _p("server maintenance", "helpdesk monthly fee", "it support {period}", account="6230",
           price=600, department="IT"),
        _p("laptop dell latitude", "monitor 27 inch", "docking station", account="1210",
           price=900, goods=True, department="IT"),
    ],
    "hardware_store": [
        _p("screws and anchors", "kruvid", "nails {n} pcs", "sealant", account="6150", price=20,
           goods=True),
        _p("cordless drill", "angle grinder", "ladder {n} m", "tool set", account="6200",
           price=180, goods=True),
        _p("floor cleaner", "cleaning supplies", "trash bags", "puhastusvahend", account="6800",
           price=25, goods=True),
        _p("paint white {n} l", "värv", "brushes and rollers", account="6150", price=60,
           goods=True),
        _p("winter tyres", "tyre change", account="6610", price=400, goods=True,
           department="SALES", months=frozenset({10, 11})),
    ],
    "travel": [
        _p("flight tll-hel {n}", "flight ticket riga", "lennupilet", "air ticket {month}",
           account="6300", price=250, project=True),
        _p("hotel accommodation {n} nights", "majutus", "hotel room", account="6310", vat="9",
           price=300, project=True),
        _p("taxi", "train ticket", "ferry ticket tallinn helsinki", account="6300", vat="9",
           price=40),
    ],
    "restaurant": [
        _p("business lunch", "client dinner", "catering meeting", "lõuna", account="6320",
           price=120),
        _p("summer party catering", "suvepäevad toitlustus", account="6330", price=2500,
           months=frozenset({6})),
    ],
    "fuel": [
        _p("diesel {n} l", "fuel", "kütus", "petrol 95", account="6600", price=80,
           department="SALES"),
        _p("car wash", "autopesu", account="6610", price=15, department="SALES"),
    ],
    "car_service": [
        _p("car service {n} km", "maintenance vw passat", "hooldus", account="6610", price=450,
           department="SALES"),
        _p("winter tyres", "tyre hotel", "rehvivahetus", account="6610", price=300,
           department="SALES", months=frozenset({4, 10, 11})),
    ],
    "rent": [
        _p("office rent {period}", "rent {month}", "üür {period}", account="6100", vat="0",
           price=4000, department="ADM"),
        _p("service charges {period}", "kõrvalkulud", account="6105", price=600,
           department="ADM"),
        _p("parking places {period}", "parkimine", account="6100", price=200, department="ADM"),
    ],
    "facility": [
        _p("cleaning services {period}", "koristus {month}", "office cleaning", account="6800",
           price=800, department="ADM"),
        _p("snow removal {month}", "lumekoristus", "snow clearing", account="6150", price=350,
           department="ADM", months=frozenset({1, 2, 3, 12})),
        _p("air conditioning service", "kliimaseadme hooldus", account="6150", price=500,
           department="ADM", months=frozenset({5, 6})),
    ],
    "logistics": [
        _p("freight {n}", "transport tallinn-riga", "kaubavedu", "delivery pallets {n}",
           account="4500", price=450, department="LOG"),
        _p("customs clearance", "tollivormistus", account="4510", price=120, department="LOG"),
        _p("warehouse storage {period}", "laoteenus", account="4520", price=1500,
           department="LOG"),
    ],
    "raw_materials": [
        _p("steel sheet {n} mm", "aluminium profile", "terasleht", "steel tube {n}",
           account="4000", price=5000, goods=True, department="PROD"),
        _p("pallet deposit", "packaging material", "kartongid", account="4010", price=300,
           goods=True, department="LOG"),
        _p("freight", "delivery", account="4500", price=200, department="LOG"),
    ],
    "marketing": [
        _p("google ads {month}", "facebook campaign", "online advertising {period}",
           account="6400", price=1200, department="SALES", project=True),
        _p("printing brochures {n} pcs", "trükised", "roll-up banners", account="6410", price=700,
           department="SALES", project=True),
        _p("design work", "creative services {month}", account="6400", price=2000,
           department="SALES", project=True),
    ],
    "professional": [
        _p("accounting services {period}", "raamatupidamisteenus", "payroll services",
           account="6500", price=900, department="ADM"),
        _p("legal advice {n}", "õigusabi", "contract review", account="6510", price=1500,
           department="ADM", project=True),
        _p("audit fee {n}", "annual audit", account="6520", price=6000, department="ADM"),
    ],
    "insurance": [
        _p("property insurance {n}", "vara kindlustus", account="6700", vat="0", price=900,
           department="ADM"),
        _p("vehicle insurance casco", "liikluskindlustus", account="6700", vat="0", price=500,
           department="SALES"),
    ],
    "training": [
        _p("conference ticket", "seminar fee", "koolitus", "online course {n}", account="6900",
           price=450),
        _p("books", "raamatud", "technical book", account="6910", vat="9", price=60, goods=True),
    ],
    "courier": [
        _p("courier {n}", "parcel shipment", "kuller", "express delivery", account="6250",
           price=25),
    ],
}
# fmt: on
# Kinds of supplier that may be foreign (reverse charge) and in which currency.
FOREIGN = {
    "software": ["EUR", "USD", "USD"],
    "it_services": ["EUR", "SEK"],
    "logistics": ["EUR"],
    "raw_materials": ["EUR", "GBP"],
    "training": ["EUR", "USD"],
    "marketing": ["EUR", "USD"],
}
SUFFIXES = ["AS", "OÜ", "Oy", "AB", "Ltd", "SIA", "GmbH"]
PERIOD_FORMATS: list[Callable[[date], str]] = [
    lambda d: f"{d.month:02d}/{d.year}",
    lambda d: f"1.{d.month}.{d.year}-{_month_end(d).day}.{d.month}.{d.year}",
    lambda d: f"{d:%B %Y}",
    lambda d: f"{d.year}-{d.month:02d}",
]


@dataclass
class Supplier:
    key: str
    name: str
    kind: str
    products: list[Product]
    weight: float  # relative invoice frequency
    first_day: int
    foreign: bool
    currency: str
    department: str
    sends_item_codes: bool
    item_codes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BookedLine:
    """One booked invoice line: what was invoiced and how it was coded."""

    booked_on: date
    invoice: str
    supplier: str
    supplier_kind: str
    is_foreign: bool
    currency: str
    text: str
    amount: Decimal
    item_code: str
    account: str
    vat_code: str
    dimensions: dict[str, str]


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def make_suppliers(rng: random.Random, count: int) -> list[Supplier]:
    """``count`` suppliers over the kinds; the last fifth appear only late in the history."""
    kinds = sorted(KINDS)
    suppliers = []
    for n in range(count):
        kind = kinds[n % len(kinds)] if n < len(kinds) else rng.choice(kinds)
        products = KINDS[kind]
        if rng.random() < 0.5:  # a specialist: one product, so one account
            chosen = [products[0]] if rng.random() < 0.6 else [rng.choice(products)]
        else:
            chosen = [p for p in products if rng.random() < 0.7] or [products[0]]
        foreign = kind in FOREIGN and rng.random() < 0.4
        suppliers.append(
            Supplier(
                key=f"S{n:04d}",
                name=f"{kind.replace('_', ' ').title()} {n} {rng.choice(SUFFIXES)}",
                kind=kind,
                products=chosen,
                weight=rng.paretovariate(1.2),
                first_day=_first_day(rng, n / count),
                foreign=foreign,
                currency=rng.choice(FOREIGN[kind]) if foreign else "EUR",
                department=rng.choice(DEPARTMENTS),
                sends_item_codes=rng.random() < 0.25,
            )
        )
    return suppliers


def _first_day(rng: random.Random, rank: float) -> int:
    """Half the suppliers from the start, 30 % join over two years, the last fifth late."""
    if rank < 0.5:
        return 0
    if rank < 0.8:
        return rng.randrange(0, DAYS * 2 // 3)
    return rng.randrange(DAYS * 2 // 3, DAYS - 30)


def vary(rng: random.Random, template: str, day: date) -> str:
    """Fill in the numbers and dates, then vary casing and add the occasional typo."""
    text = template.format(
        period=rng.choice(PERIOD_FORMATS)(day),
        month=f"{day:%B}".lower() if rng.random() < 0.5 else f"{day.month:02d}/{day.year}",
        n=rng.choice([rng.randrange(1, 20), rng.randrange(100, 99999)]),
    )
    if rng.random() < 0.3:
        text += rng.choice(
            [
                f" order {rng.randrange(1000, 99999)}",
                f" inv {rng.randrange(1, 9999)}",
                f" ref {rng.randrange(10**5, 10**7)}",
                f" qty {rng.randrange(1, 50)}",
            ]
        )
    if rng.random() < 0.08:
        text = _typo(rng, text)
    style = rng.random()
    if style < 0.15:
        return text.upper()
    if style < 0.35:
        return text.title()
    if style < 0.55:
        return text.capitalize()
    return text


def _typo(rng: random.Random, text: str) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:-1])
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def code_line(rng: random.Random, supplier: Supplier, product: Product, day: int) -> tuple:
    """How the company books the product: account, VAT code and dimensions (with noise)."""
    account = product.account
    if rng.random() < 0.03:  # another plausible account, as people sometimes choose
        account = rng.choice([p.account for p in supplier.products] + ["6200", "6150"])
    vat = ("RCG" if product.goods else "RC") if supplier.foreign else product.vat
    department = product.department or supplier.department
    if rng.random() < 0.1:
        department = rng.choice(DEPARTMENTS)
    dimensions = {"department": department}
    cost_centre = COST_CENTRES[department]
    if rng.random() < 0.08:
        cost_centre = rng.choice(sorted(COST_CENTRES.values()))
    dimensions["cost_centre"] = cost_centre
    running = [code for code, _, first, last in PROJECTS if first <= day <= last]
    if product.project and running and rng.random() < 0.6:
        dimensions["project"] = running[int(supplier.key[1:]) % len(running)]
    return account, vat, dimensions


def generate(count: int = 20_000, *, seed: int = 7, suppliers: int = 150) -> list[BookedLine]:
    """About ``count`` booked lines (invoices of 1-4 lines), in date order."""
    rng = random.Random(seed)
    everyone = make_suppliers(rng, suppliers)
    lines: list[BookedLine] = []
    number = 0
    while len(lines) < count:
        day = rng.randrange(DAYS)
        booked_on = START + timedelta(days=day)
        active = [s for s in everyone if s.first_day <= day]
        supplier = rng.choices(active, weights=[s.weight for s in active])[0]
        products = [p for p in supplier.products if booked_on.month in p.months]
        if not products:
            continue
        number += 1
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
            product = rng.choice(products)
            text = vary(rng, rng.choice(product.texts), booked_on)
            project_text = ""
            account, vat, dimensions = code_line(rng, supplier, product, day)
            if "project" in dimensions and rng.random() < 0.4:
                project_text = next(
                    name for code, name, *_ in PROJECTS if code == dimensions["project"]
                )
                text = f"{text} - {project_text}"
            amount = Decimal(str(round(product.price * rng.lognormvariate(0, 0.6), 2)))
            if rng.random() < 0.02:
                amount = -amount  # a credited line
            item_code = ""
            if supplier.sends_item_codes:
                item_code = supplier.item_codes.setdefault(
                    product.texts[0], f"{supplier.key[-2:]}-{rng.randrange(1000, 9999)}"
                )
            lines.append(
                BookedLine(
                    booked_on,
                    f"{supplier.key}-{number}",
                    supplier.key,
                    supplier.kind,
                    supplier.foreign,
                    supplier.currency,
                    text,
                    amount,
                    item_code,
                    account,
                    vat,
                    dimensions,
                )
            )
    lines.sort(key=lambda line: (line.booked_on, line.invoice))
    return lines[:count]
