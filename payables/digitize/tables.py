"""Invoice lines from a table: a header row naming the columns, then rows with an amount in
the amount column, until the totals begin.

Columns are placed by the header's cells; a row's cell belongs to the column it overlaps
most. Rows without an amount continue the description of the line above.
"""

from __future__ import annotations

import re
from decimal import Decimal

from payables.digitize.candidates import Document
from payables.digitize.labels import fields_labelled
from payables.digitize.layout import Cell, Row
from payables.digitize.parsing import parse_values
from payables.digitize.values import find_percentages

_COLUMNS = {
    "description": r"description|beschreibung|bezeichnung|artikel\w*|leistung|kirjeldus|nimetus|"
    r"kuvaus|tuote|nimike|aprasymas|pavadinimas|apraksts|nosaukums|opis|nazwa|beskrivning|"
    r"designation|produkt|product|item|наименование|описание|товар",
    "quantity": r"qty|quantity|menge|anzahl|kogus|maara|kpl|kiekis|daudzums|ilosc|antal|"
    r"quantite|количество|кол-во",
    "unit_price": r"unit\sprice|price|(?:einzel|netto|stuck)?preis|einzel/\S*|hind|"
    r"yksikkohinta|a-hinta|kaina|cena|(?:a-)?pris|prix(?:\sunitaire)?|цена",
    "net_amount": r"amount|line\stotal|total|net|betrag|gesamt\S*|nettowert|summa|yhteensa|"
    r"suma|kwota|wartosc|belopp|сумма|montant|prix\sht|positions\s?betrag|entgelt",
    "vat_rate": r"vat\s?%?|tax\s?%?|mwst\.?(?:-?%)?|ust\.?\s?%?|km\s?%?|alv\s?%?|pvm|pvn|moms|"
    r"ндс|tva|btw",
}
_COLUMN_RE = {
    name: re.compile(r"(?<![^\W_])(?:" + pattern + r")(?![^\W\d_])")
    for name, pattern in _COLUMNS.items()
}
_TOTALS = {"net_amount", "vat_amount", "gross_amount"}


def find_lines(doc: Document) -> list[dict]:
    """The lines of the first table found (on any page): description, quantity, unit price,
    net amount and VAT rate, each None where the table has no such column."""
    for rows in doc.pages:
        for index, row in enumerate(rows):
            columns = _header(row)
            if columns is not None:
                lines = _body(rows[index + 1 :], columns, doc.order)
                if lines:
                    return lines
    return []


def _header(row: Row) -> dict[str, Cell] | None:
    """Column name → header cell, when the row reads as a table header (an amount column
    and at least two others). Each cell names the column its longest match says; of two
    amount columns the rightmost is the line total ("Amount" may be the quantity)."""
    columns: dict[str, Cell] = {}
    for cell in row.cells:
        matches = [
            (len(m.group(0)), name)
            for name, pattern in _COLUMN_RE.items()
            for m in [pattern.search(cell.folded)]
            if m
        ]
        if not matches:
            continue
        name = max(matches)[1]
        if name not in columns or name == "net_amount":
            columns[name] = cell
    if "net_amount" in columns and len(columns) >= 3:
        return columns
    return None


def _body(rows: list[Row], columns: dict[str, Cell], order: str) -> list[dict]:
    lines: list[dict] = []
    for row in rows[:60]:
        if any(fields_labelled(cell.folded) & _TOTALS for cell in row.cells):
            break  # the totals begin
        placed = _place(row, columns)
        amount = _amount_in(row, columns["net_amount"], order)
        if amount is None:
            if lines and "description" in placed and placed["description"].strip():
                lines[-1]["description"] = f"{lines[-1]['description']} {placed['description']}"
            continue
        lines.append(
            {
                "description": placed.get("description", "").strip(),
                "quantity": _number(placed.get("quantity", ""), order),
                "unit_price": _number(placed.get("unit_price", ""), order),
                "net_amount": amount,
                "vat_rate": _rate(placed.get("vat_rate", ""), order),
            }
        )
    return lines


def _place(row: Row, columns: dict[str, Cell]) -> dict[str, str]:
    """Each cell of the row under the header column it overlaps most."""
    placed: dict[str, list[str]] = {}
    for cell in row.cells:
        best, overlap = None, 0.0
        for name, header in columns.items():
            shared = min(cell.box[2], header.box[2]) - max(cell.box[0], header.box[0])
            if shared > overlap:
                best, overlap = name, shared
        if best is None:  # right-aligned figures may end under the header's end
            best = min(columns, key=lambda n: abs(columns[n].box[2] - cell.box[2]))
        placed.setdefault(best, []).append(cell.text)
    return {name: " ".join(texts) for name, texts in placed.items()}


def _amount_in(row: Row, header: Cell, order: str) -> Decimal | None:
    right = [
        c
        for c in row.cells
        if abs(c.box[2] - header.box[2]) < 0.06
        or (c.box[0] < header.box[2] and c.box[2] > header.box[0])
    ]
    for cell in reversed(right):
        amounts = parse_values("amount", cell.text, order)
        if amounts:
            return amounts[-1].value  # type: ignore[return-value]
    return None


def _number(text: str, order: str) -> Decimal | None:
    text = re.sub(r"(?<=\d),(?=\d{3,4}\b)", ",", text)
    values = [p.value for p in parse_values("amount", text, order)]
    if not values:
        match = re.search(r"-?\d+(?:[.,]\d+)?", text)
        return Decimal(match.group(0).replace(",", ".")) if match else None
    return values[0]  # type: ignore[return-value]


def _rate(text: str, order: str) -> Decimal | None:
    rates = find_percentages(text)
    if rates:
        return rates[0][0]
    return _number(text, order)
