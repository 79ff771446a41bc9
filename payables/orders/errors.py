"""Errors of the orders app."""

from __future__ import annotations

from payables.errors import Conflict, NotFound


class PurchaseOrderNotFound(NotFound):
    """No such purchase order in this company."""

    code = "purchase_order_not_found"
    default_message = "Purchase order not found."


class DuplicateOrderNumber(Conflict):
    """The company already has a purchase order with this number."""

    code = "duplicate_order_number"


class OrderNotEditable(Conflict):
    """The order is closed or cancelled: it no longer changes, nor receives goods."""

    code = "order_not_editable"


class OrderInvoiced(Conflict):
    """Invoices were matched against the order: it can be closed, not cancelled."""

    code = "order_invoiced"


class MatchNotChangeable(Conflict):
    """The invoice was finally approved (or cancelled): its order match is settled."""

    code = "match_not_changeable"
