"""What a purchase order document holds, whatever its format: the parsers' common answer.

Plain frozen dataclasses (no Django): the orders app maps them to its models. Money and
quantities are ``Decimal``; an amount the document leaves out is None, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from payables.einvoice.model import Finding


@dataclass(frozen=True)
class OrderParty:
    """The seller (supplier) or the buyer of an order."""

    name: str = ""  # legal (registration) name, else the trading name
    registry_code: str = ""  # company registration number
    registry_scheme: str = ""  # ISO 6523 ICD of the registry code ("0191" Estonia)
    vat_id: str = ""  # with its country prefix, as written
    country: str = ""  # ISO 3166-1 alpha-2
    gln: str = ""  # GS1 Global Location Number (ICD 0088)
    endpoint_id: str = ""  # Peppol electronic address
    endpoint_scheme: str = ""  # its EAS code
    identifiers: tuple[tuple[str, str], ...] = ()  # other party ids: (id, scheme)
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


@dataclass(frozen=True)
class Requester:
    """Who asked for the goods (UBL OriginatorCustomerParty; the buyer's contact in the
    Estonian structure): the person an invoice discrepancy goes to."""

    name: str = ""  # the person, else the department or party
    department: str = ""  # the party's name when a person is named too
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class OrderTotals:
    """The amounts the document states; each None when it does not state it."""

    net: Decimal | None = None  # without VAT, after order-level discounts and charges
    vat: Decimal | None = None
    gross: Decimal | None = None  # with VAT
    lines_net: Decimal | None = None  # the sum of the line amounts, as stated
    payable: Decimal | None = None


@dataclass(frozen=True)
class OrderLine:
    """One ordered item."""

    line_id: str
    name: str = ""  # the item's (short) name
    description: str = ""  # the item's description, else its name
    item_code: str = ""  # the buyer's own item code
    seller_item_code: str = ""
    gtin: str = ""  # standard item identification, scheme 0160 (GS1 GTIN)
    quantity: Decimal | None = None
    unit: str = ""  # UN/ECE Recommendation 20 code
    # Per one unit: a price quoted per base quantity (30 per 2 pieces) is divided by it.
    unit_price: Decimal | None = None
    net_amount: Decimal | None = None
    # True when the document states no line amount and ``net_amount`` is quantity x
    # unit price; False when it is the document's own.
    net_amount_computed: bool = False
    vat_rate: Decimal | None = None  # percent
    vat_category: str = ""  # UNCL5305 (S, Z, E, AE, O, ...)
    account: str = ""  # the buyer's account or accounting cost for the line
    cost_objective: str = ""  # cost centre / objective, where the format carries one
    dimensions: tuple[tuple[str, str], ...] = ()  # other coding: (dimension, value)
    note: str = ""
    requested_delivery_date: date | None = None


@dataclass(frozen=True)
class ParsedOrder:
    """One purchase order read from a document, with what the parser noticed."""

    format: str  # "peppol-order" or "ee-purchase-order"
    number: str
    order_date: date | None = None
    delivery_date: date | None = None  # requested delivery (end of the period, else start)
    currency: str = ""
    buyer_reference: str = ""  # the buyer's reference for the invoice (BT-10)
    accounting_cost: str = ""  # the buyer's booking of the whole order
    seller: OrderParty = field(default_factory=OrderParty)
    buyer: OrderParty = field(default_factory=OrderParty)
    requester: Requester = field(default_factory=Requester)
    note: str = ""
    totals: OrderTotals = field(default_factory=OrderTotals)
    lines: tuple[OrderLine, ...] = ()
    profile: str = ""  # Peppol ProfileID; the e-invoice standard version for Estonian
    contract_reference: str = ""
    warnings: tuple[Finding, ...] = ()
