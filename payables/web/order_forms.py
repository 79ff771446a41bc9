"""The purchase order picker of the invoice page: which order the invoice bills and,
optionally, which order line each row bills.

The form checks shape only (a choice that was offered, a number); the matching service
decides the rest, and its located refusals come back beside the fields (``place_error``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from payables.invoices.models import InvoiceRow
from payables.money import format_amount, format_decimal
from payables.orders.models import PurchaseOrder, PurchaseOrderLine
from payables.orders.services import ManualLine
from payables.web.forms import DescribedErrorsForm

AUTOMATIC = ""
MAX_NUMBER = 200  # as the API's ``MatchIn.order``


def order_label(order: PurchaseOrder) -> str:
    """``PO-1 · 2 Nov 2026 · 186.00 EUR · open``: enough to tell a supplier's orders apart."""
    status = order.get_status_display().replace("_", " ").lower()
    return (
        f"{order.number} · {order.order_date:%-d %b %Y} · "
        f"{format_amount(order.gross_amount, order.currency)} {order.currency} · {status}"
    )


def line_label(line: PurchaseOrderLine) -> str:
    """``2 · Delivery (1 pcs à 20)``: the order's line id first, as invoices refer to it."""
    amount = f"{format_decimal(line.quantity)} {line.unit}".strip()
    if line.unit_price is not None:
        amount += f" à {format_decimal(line.unit_price)}"
    return f"{line.line_id} · {line.description or '—'} ({amount})"


class MatchForm(DescribedErrorsForm):
    """An order (offered, or typed by number) and per row an optional order line and quantity.

    The rows' lines are those of ``lines_order`` (the order matched now): choosing lines
    of another order means matching it first, so a line id never lands on the wrong order.
    """

    order = forms.ChoiceField(
        label="Purchase order",
        required=False,
        error_messages={"invalid_choice": "Choose one of the orders offered."},
    )
    number = forms.CharField(label="or its number", max_length=MAX_NUMBER, required=False)

    def __init__(
        self,
        *args: Any,
        orders: Sequence[PurchaseOrder],
        rows: Sequence[InvoiceRow],
        lines_order: PurchaseOrder | None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", "po")
        super().__init__(*args, **kwargs)
        self.orders = {str(order.id): order for order in orders}
        self.lines_order = lines_order
        self.row_positions = [row.position for row in rows]
        self.fields["order"].choices = [("", "Choose an order"), *_order_choices(orders)]
        if lines_order is None:
            return
        line_choices = [(AUTOMATIC, "automatic")] + [
            (line.line_id, line_label(line)) for line in lines_order.lines.all()
        ]
        for position in self.row_positions:
            self.fields[f"row-{position}-line"] = forms.ChoiceField(
                label=f"Order line of row {position}",
                choices=line_choices,
                required=False,
                error_messages={"invalid_choice": "Choose a line of the order, or automatic."},
            )
            self.fields[f"row-{position}-quantity"] = forms.DecimalField(
                label=f"Quantity of row {position}",
                required=False,
                max_digits=22,
                decimal_places=6,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
                error_messages={"invalid": "A quantity, such as 2 or 1.5."},
            )

    def line_field(self, position: int) -> forms.BoundField | None:
        name = f"row-{position}-line"
        return self[name] if name in self.fields else None

    def quantity_field(self, position: int) -> forms.BoundField | None:
        name = f"row-{position}-quantity"
        return self[name] if name in self.fields else None

    def clean(self) -> dict:
        data = super().clean()
        typed = (data.get("number") or "").strip()
        if not typed and not data.get("order") and "order" not in self.errors:
            self.add_error("order", "Choose an order, or type its number.")
        chosen: list[ManualLine] = []
        for position in self.row_positions if self.lines_order is not None else []:
            line_id = data.get(f"row-{position}-line")
            quantity = data.get(f"row-{position}-quantity")
            if line_id:
                chosen.append(ManualLine(position, line_id, quantity))
            elif quantity is not None:
                self.add_error(
                    f"row-{position}-quantity", "Choose the order line this quantity is of."
                )
        if chosen and (typed or data.get("order")) and not self._names_lines_order(data, typed):
            self.add_error(
                "order",
                f"The rows' lines are of order {self.lines_order.number}: match the other "
                "order first (lines automatic), then choose its lines.",
            )
        data["lines"] = chosen
        return data

    def _names_lines_order(self, data: dict, typed: str) -> bool:
        order = self.lines_order
        if typed:
            return typed in (order.number, str(order.id))
        return data.get("order") == str(order.id)

    def order_ref(self) -> str:
        """What the service looks the order up by: the typed number, else the chosen UUID."""
        return (self.cleaned_data.get("number") or "").strip() or self.cleaned_data["order"]

    def lines(self) -> list[ManualLine]:
        return self.cleaned_data["lines"]

    def place_error(self, loc: Sequence[Any], message: str) -> bool:
        """Put a service's refusal beside its field: ``["order"]`` or ``["lines", i, what]``
        (``i`` indexes ``lines()``). Answers whether it found a place."""
        loc = [part for part in loc if part != "body"]
        if loc[:1] == ["order"]:
            typed = (self.cleaned_data.get("number") or "").strip()
            self.add_error("number" if typed else "order", message)
            return True
        chosen = self.cleaned_data.get("lines", [])
        if len(loc) >= 2 and loc[0] == "lines" and isinstance(loc[1], int):
            if not 0 <= loc[1] < len(chosen):
                return False
            what = "quantity" if loc[2:] == ["quantity"] else "line"
            self.add_error(f"row-{chosen[loc[1]].row}-{what}", message)
            return True
        return False


def _order_choices(orders: Sequence[PurchaseOrder]) -> list[tuple[str, str]]:
    return [(str(order.id), order_label(order)) for order in orders]
