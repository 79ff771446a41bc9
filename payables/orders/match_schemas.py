"""Shapes of invoice ↔ purchase order matches and of the matching tolerances."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.invoices.models import Invoice
from payables.money import format_amount, format_decimal
from payables.orders.models import InvoiceLineMatch, InvoiceMatch, MatchAllocation, MatchTolerance
from payables.schema_types import InSchema, Money, Quantity, decimal_input

Percent = decimal_input(7, 4, ge=0, le=1000)
MAX_MANUAL_LINES = 2000


class ManualLineIn(InSchema):
    row: int = Field(ge=1, description="The invoice row's position (1, 2, …).")
    line_id: str = Field(min_length=1, max_length=100, description="The order line's `line_id`.")
    quantity: Quantity | None = Field(
        None, description="The quantity it bills of that line; the row's when not given."
    )


class MatchIn(InSchema):
    order: str | None = Field(
        None,
        max_length=200,
        description="The order's number or UUID; null: find the order again as on arrival.",
    )
    lines: list[ManualLineIn] | None = Field(
        None,
        max_length=MAX_MANUAL_LINES,
        description="Row → order line choices; rows left out are matched automatically.",
    )


class ReasonOut(Schema):
    code: str
    message: str
    row: int | None


class AllocationOut(Schema):
    line_id: str
    description: str
    quantity: str


class LineMatchOut(Schema):
    row: int = Field(description="The invoice row's position; 0: the invoice as a whole.")
    status: str = Field(description="`matched`, `over_invoiced`, `price_variance`, `unmatched`.")
    found_by: str = Field(
        description="`line_id`, `item_code`, `description`, `amount`, `whole_order` or empty."
    )
    quantity: str
    quantity_over: str = Field(description="Billed beyond what was open on the order line(s).")
    unit_price: str | None
    order_unit_price: str | None
    price_variance: str | None = Field(description="Per unit: the invoice's less the order's.")
    order_lines: list[AllocationOut]
    reasons: list[ReasonOut]


class MatchOut(Schema):
    invoice_id: UUID
    status: str = Field(description="`matched`, `within_tolerance`, `discrepancy` or `no_po`.")
    purchase_order_id: UUID | None
    purchase_order_number: str | None
    mode: str | None = Field(description="`two_way` or `three_way`, as matched.")
    found_by: str | None
    manual: bool
    counted: bool = Field(description="Its quantities are in the order's invoiced quantities.")
    invoice_net_amount: str | None
    expected_net_amount: str | None = Field(
        description="The order's price of what the invoice bills."
    )
    reasons: list[ReasonOut]
    lines: list[LineMatchOut]
    matched_at: datetime | None
    matched_by: str | None

    @classmethod
    def build(cls, invoice: Invoice, match: InvoiceMatch | None) -> MatchOut:
        """The answer for an invoice; one that bills no order answers ``no_po`` and nothing."""
        if match is None:
            return cls(
                invoice_id=invoice.id, status="no_po", purchase_order_id=None,
                purchase_order_number=None, mode=None, found_by=None, manual=False,
                counted=False, invoice_net_amount=None, expected_net_amount=None, reasons=[],
                lines=[], matched_at=None, matched_by=None,
            )  # fmt: skip
        cur = invoice.currency
        return cls(
            invoice_id=invoice.id,
            status=match.status,
            purchase_order_id=match.order_id,
            purchase_order_number=match.order.number if match.order_id else None,
            mode=match.mode,
            found_by=match.found_by,
            manual=match.manual,
            counted=match.counted,
            invoice_net_amount=format_amount(match.invoice_net, cur),
            expected_net_amount=format_amount(match.expected_net, cur),
            reasons=[ReasonOut(**r) for r in match.reasons],
            lines=[_line(line) for line in match.lines.all()],
            matched_at=match.matched_at,
            matched_by=match.matched_by,
        )


def _opt(value: Decimal | None) -> str | None:
    return None if value is None else format_decimal(value)


def _line(line: object) -> LineMatchOut:
    return LineMatchOut(
        row=line.row_position,
        status=line.status,
        found_by=line.found_by,
        quantity=format_decimal(line.quantity),
        quantity_over=format_decimal(line.quantity_over),
        unit_price=_opt(line.unit_price),
        order_unit_price=_opt(line.order_unit_price),
        price_variance=_opt(line.price_variance),
        order_lines=[
            AllocationOut(
                line_id=a.order_line.line_id,
                description=a.order_line.description,
                quantity=format_decimal(a.quantity),
            )
            for a in line.allocations.all()
        ],
        reasons=[ReasonOut(**r) for r in line.reasons],
    )


@dataclass(frozen=True)
class MatchAnswer:
    """An invoice's match as ``MatchOut`` shows it, and when its order last changed (the
    answer shows the order's number and line descriptions)."""

    answer: dict
    order_modified_at: datetime | None


def match_answers(currencies: Mapping[UUID, str]) -> dict[UUID, MatchAnswer]:
    """The matches of the invoices (their ids → currencies) as ``MatchOut.build`` answers
    them, built from plain values in at most three queries; an invoice that bills no
    order answers ``no_po``."""
    matches = list(
        InvoiceMatch.objects.filter(invoice_id__in=list(currencies))
        .order_by("invoice_id")
        .values(*_MATCH_FIELDS)
    )
    lines = _line_answers([m["invoice_id"] for m in matches]) if matches else {}
    found = {invoice_id: MatchAnswer(_no_po(invoice_id), None) for invoice_id in currencies}
    for m in matches:
        cur = currencies[m["invoice_id"]]
        has_order = m["order_id"] is not None
        found[m["invoice_id"]] = MatchAnswer(
            {
                "invoice_id": m["invoice_id"],
                "status": m["status"],
                "purchase_order_id": m["order_id"],
                "purchase_order_number": m["order__number"] if has_order else None,
                "mode": m["mode"],
                "found_by": m["found_by"],
                "manual": m["manual"],
                "counted": m["counted"],
                "invoice_net_amount": format_amount(m["invoice_net"], cur),
                "expected_net_amount": format_amount(m["expected_net"], cur),
                "reasons": [_reason(r) for r in m["reasons"]],
                "lines": lines.get(m["invoice_id"], []),
                "matched_at": m["matched_at"],
                "matched_by": m["matched_by"],
            },
            m["order__modified_at"] if has_order else None,
        )
    return found


def _no_po(invoice_id: UUID) -> dict:
    return {
        "invoice_id": invoice_id, "status": "no_po", "purchase_order_id": None,
        "purchase_order_number": None, "mode": None, "found_by": None, "manual": False,
        "counted": False, "invoice_net_amount": None, "expected_net_amount": None,
        "reasons": [], "lines": [], "matched_at": None, "matched_by": None,
    }  # fmt: skip


def _line_answers(invoice_ids: list[UUID]) -> dict[UUID, list[dict]]:
    """The line matches of the invoices' matches as ``LineMatchOut``, by invoice."""
    allocations: dict[int, list[dict]] = defaultdict(list)
    for a in (
        MatchAllocation.objects.filter(line__match_id__in=invoice_ids)
        .order_by("pk")
        .values("line_id", "order_line__line_id", "order_line__description", "quantity")
    ):
        allocations[a["line_id"]].append(
            {
                "line_id": a["order_line__line_id"],
                "description": a["order_line__description"],
                "quantity": format_decimal(a["quantity"]),
            }
        )
    found: dict[UUID, list[dict]] = defaultdict(list)
    for line in (
        InvoiceLineMatch.objects.filter(match_id__in=invoice_ids)
        .order_by("match_id", "row_position", "pk")
        .values(*_LINE_FIELDS)
    ):
        found[line["match_id"]].append(
            {
                "row": line["row_position"],
                "status": line["status"],
                "found_by": line["found_by"],
                "quantity": format_decimal(line["quantity"]),
                "quantity_over": format_decimal(line["quantity_over"]),
                "unit_price": _opt(line["unit_price"]),
                "order_unit_price": _opt(line["order_unit_price"]),
                "price_variance": _opt(line["price_variance"]),
                "order_lines": allocations.get(line["id"], []),
                "reasons": [_reason(r) for r in line["reasons"]],
            }
        )
    return found


def _reason(reason: dict) -> dict:
    """A stored reason as ``ReasonOut`` shows it (its fields only, in their order)."""
    return {"code": reason["code"], "message": reason["message"], "row": reason["row"]}


_MATCH_FIELDS = (
    "invoice_id", "status", "order_id", "order__number", "order__modified_at", "mode",
    "found_by", "manual", "counted", "invoice_net", "expected_net", "reasons", "matched_at",
    "matched_by",
)  # fmt: skip
_LINE_FIELDS = (
    "id", "match_id", "row_position", "status", "found_by", "quantity", "quantity_over",
    "unit_price", "order_unit_price", "price_variance", "reasons",
)  # fmt: skip


class ToleranceIn(InSchema):
    """Limits; null: the limit does not apply; 0: exact. Percent and amount both set: the
    stricter decides."""

    price_percent: Percent | None = Field(
        Decimal(0), description="A unit price above the order's by more than this percent."
    )
    price_amount: Money | None = Field(None, ge=0, description="… or by more than this amount.")
    quantity_percent: Percent | None = Field(
        Decimal(0), description="Billed beyond what is open by more than this percent of it."
    )
    total_percent: Percent | None = Field(
        None, description="The net differs from the order's price of what is billed by more."
    )
    total_amount: Money | None = Field(Decimal(0), ge=0, description="… or by more than this.")


class ToleranceOut(Schema):
    supplier_id: UUID | None = Field(description="null: the company's, for every other supplier.")
    price_percent: str | None
    price_amount: str | None
    quantity_percent: str | None
    total_percent: str | None
    total_amount: str | None
    modified_at: datetime

    @classmethod
    def build(cls, row: MatchTolerance) -> ToleranceOut:
        return cls(
            supplier_id=row.supplier_id,
            price_percent=_opt(row.price_percent),
            price_amount=_opt(row.price_amount),
            quantity_percent=_opt(row.quantity_percent),
            total_percent=_opt(row.total_percent),
            total_amount=_opt(row.total_amount),
            modified_at=row.modified_at,
        )
