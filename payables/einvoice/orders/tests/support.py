"""Samples and helpers of the order parser tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path

from lxml import etree

from payables.einvoice.orders import ParsedOrder, parse_order

SAMPLES = Path(__file__).parent / "samples"
# Our own Peppol BIS Order 3 samples (fictional parties): every field the parser reads,
# prices per base quantity, and only the mandatory elements.
PEPPOL_EVERY_FIELD = "order-every-field.xml"
PEPPOL_BASE_QUANTITY = "order-price-base-quantity.xml"
PEPPOL_MINIMAL = "order-minimal.xml"
# The OpenPEPPOL example orders, when someone puts them there (never committed).
CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus" / "orders"
EE_PAYLOAD = "ee-purchase-order-payload.xml"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@cache
def parsed(name: str) -> ParsedOrder:
    return parse_order(sample(name))


def variant(name: str, edit: Callable[[etree._Element], object]) -> bytes:
    """The sample with ``edit(root)`` applied: a broken or unusual version of it."""
    tree = etree.parse(str(SAMPLES / name))
    edit(tree.getroot())
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def floats_in(value: object, path: str = "order") -> list[str]:
    """Where a float hides anywhere in a parsed order (money must be Decimal)."""
    if isinstance(value, float):
        return [path]
    if dataclasses.is_dataclass(value):
        return [
            found
            for field in dataclasses.fields(value)
            for found in floats_in(getattr(value, field.name), f"{path}.{field.name}")
        ]
    if isinstance(value, tuple):
        return [found for i, item in enumerate(value) for found in floats_in(item, f"{path}[{i}]")]
    return []


def decimals_in(value: object) -> int:
    if isinstance(value, Decimal):
        return 1
    if dataclasses.is_dataclass(value):
        return sum(decimals_in(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, tuple):
        return sum(decimals_in(item) for item in value)
    return 0
