"""Refusals of order documents: the engine's errors, with order rule ids and a location."""

from __future__ import annotations

from payables.einvoice.errors import MalformedDocument, UnsupportedFormat


class NotAnOrder(UnsupportedFormat):
    """The document is not a purchase order of a format payables reads."""

    rule_id = "PAY-ORDER-FORMAT"


class InvalidOrder(MalformedDocument):
    """The order lacks what an order needs (its number), or holds more than one order."""

    rule_id = "PAY-ORDER"
