"""What both order formats share: the party mapping, per-unit prices and computed amounts.

Orders are parsed within the invoice limits as they are: ``xmlsafe`` counts ``OrderLine``
among its line elements, so an order has as many lines as an invoice may."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from payables.einvoice.model import Party
from payables.einvoice.orders.model import OrderParty
from payables.einvoice.reader import DocumentReader

_CENT = Decimal("0.01")
# A unit price from a base quantity keeps at most this many decimals (10 / 3 per piece).
_PRICE_PLACES = Decimal("0.000001")
GLN_SCHEME = "0088"


def order_party(party: Party, *, country: str = "") -> OrderParty:
    """An engine ``Party`` (as the invoice mappings read it) as an order party."""
    gln = next((value for value, scheme in party.identifiers if scheme == GLN_SCHEME), "")
    if not gln and party.electronic_address_scheme == GLN_SCHEME:
        gln = party.electronic_address
    return OrderParty(
        name=party.name,
        registry_code=party.registry_id,
        registry_scheme=party.registry_scheme,
        vat_id=party.vat_id,
        country=party.address.country or country,
        gln=gln,
        endpoint_id=party.electronic_address,
        endpoint_scheme=party.electronic_address_scheme,
        identifiers=party.identifiers,
        contact_name=party.contact_name,
        contact_email=party.contact_email,
        contact_phone=party.contact_phone,
    )


def unit_price(
    reader: DocumentReader, price: Decimal | None, base: Decimal | None, where: str
) -> Decimal | None:
    """The price of one unit: a price per base quantity (30 per 2) divided by it."""
    if price is None or base is None or base == 1:
        return price
    if base <= 0:
        reader.note(
            "ORDER-BASE-QUANTITY",
            "warning",
            f"The price's base quantity {base} is not positive: the price is read per unit",
            where,
        )
        return price
    per_unit = price / base
    if per_unit != per_unit.quantize(_PRICE_PLACES):
        per_unit = per_unit.quantize(_PRICE_PLACES, rounding=ROUND_HALF_UP)
        reader.note(
            "ORDER-UNIT-PRICE-ROUNDED",
            "info",
            f"The price {price} per {base} units is {per_unit} per unit, rounded",
            where,
        )
    return per_unit


def net_amount(
    stated: Decimal | None, quantity: Decimal | None, price: Decimal | None
) -> tuple[Decimal | None, bool]:
    """The line's net and whether it was computed: the document's own amount when it
    states one, else quantity x unit price to the cent, else None."""
    if stated is not None:
        return stated, False
    if quantity is None or price is None:
        return None, False
    return (quantity * price).quantize(_CENT, rounding=ROUND_HALF_UP), True
