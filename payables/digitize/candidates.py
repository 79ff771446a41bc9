"""Candidate values for every field: after their labels (same cell, the next cells, the cells
below), from patterns that need no label (IBAN, VAT ids, RF references, currency marks), and
where supplier memory says the value stood last time."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cached_property

from payables.digitize.labels import LabelMatch, find_labels
from payables.digitize.layout import (
    Cell,
    Row,
    build_rows,
    join_wrapped_minus,
    overlapping_cells,
    rows_below,
    union,
)
from payables.digitize.model import Box, Reading, Value
from payables.digitize.parsing import KINDS, Parsed, has_legal_form, parse_values
from payables.digitize.values import date_order, fold

_GERMAN_REGISTER = re.compile(r"(?<![\w])HR\s?[AB]\s?(?:Nr\.?\s?)?\d{2,7}(?!\d)")
# How far a value may sit from its label: the same cell, the next cells, the rows below.
SAME_CELL, NEXT_CELL, BELOW = 1.0, 0.9, 0.75
# Fields whose value may be any amount in a row (totals tables put it at the far right).
AMOUNT_FIELDS = ("net_amount", "vat_amount", "gross_amount")


@dataclass(frozen=True)
class Candidate:
    name: str
    value: Value
    score: float
    page: int
    box: Box
    label: str = ""
    source: str = ""
    valid: bool | None = None
    ambiguous: bool = False
    exact: bool = True
    memory: bool = False  # found where supplier memory said (label or region)
    memory_confirmed: bool = False  # ... after the remembered label, at the remembered place
    word_confidence: float = 1.0
    support: int = 1  # distinct places the same value was found for the field


class Document:
    """A reading laid out: rows per page, the date order, the labels of every cell."""

    def __init__(self, reading: Reading, aspects: tuple[float, ...] | None = None) -> None:
        self.reading = reading
        aspects = aspects or tuple(1.414 for _ in reading.pages)
        self.pages: list[list[Row]] = [
            join_wrapped_minus(build_rows(words, number, aspects[number - 1]))
            for number, words in enumerate(reading.pages, start=1)
        ]
        self.order = date_order([row.text for rows in self.pages for row in rows])

    @cached_property
    def labels(self) -> dict[tuple[int, int, int], list[LabelMatch]]:
        """Label matches by (page, row index, cell index)."""
        found = {}
        for rows in self.pages:
            for row in rows:
                for c, cell in enumerate(row.cells):
                    matches = find_labels(cell.folded)
                    if matches:
                        found[(row.page, row.index, c)] = matches
        return found

    @cached_property
    def _row_fields(self) -> dict[tuple[int, int], set[str]]:
        out: dict[tuple[int, int], set[str]] = {}
        for (page, index, _), matches in self.labels.items():
            out.setdefault((page, index), set()).update(m.field for m in matches)
        return out

    def row_fields(self, row: Row) -> set[str]:
        """The fields labelled anywhere on a row."""
        return self._row_fields.get((row.page, row.index), set())

    def party_at(self, page: int, box: Box) -> str:
        """The party whose heading stands on the row or above it in the column: "buyer",
        "seller", "other" (a tax representative, a delivery address, ...) or ""."""
        rows = self.pages[page - 1]
        here = next((r for r in rows if r.box[1] <= (box[1] + box[3]) / 2 <= r.box[3]), None)
        if here is None:
            return ""
        x0 = max(here.box[0], box[0] - 0.25)  # the value's label may stand to its left
        below = here
        for row in reversed(rows[max(0, here.index - 12) : here.index + 1]):
            if below.box[1] - row.box[3] > 2.5 * max(row.height, 0.008):
                break  # white space between blocks: the heading above belongs to another
            below = row
            for c, cell in enumerate(row.cells):
                if row is here:
                    if cell.box[0] > box[2]:
                        continue
                elif not (cell.box[0] < box[2] + 0.05 and cell.box[2] > x0):
                    continue
                fields = {m.field for m in self.labels.get((row.page, row.index, c), [])}
                if "third_party" in fields:
                    return "other"
                if "buyer_name" in fields:
                    return "buyer"
                if "seller_name" in fields:
                    return "seller"
        return ""

    def rows(self) -> Iterator[Row]:
        for rows in self.pages:
            yield from rows

    @property
    def text(self) -> str:
        return "\f".join("\n".join(row.text for row in rows) for rows in self.pages)


def labelled(doc: Document) -> list[Candidate]:
    """Values found after (or under) their labels."""
    out = []
    for (page, index, c), matches in doc.labels.items():
        row = doc.pages[page - 1][index]
        cell = row.cells[c]
        for i, match in enumerate(matches):
            if match.field in ("noise", "third_party"):
                continue
            end_in_cell = next((m.start for m in matches[i + 1 :] if m.start >= match.end), None)
            label_text = cell.text[match.start : match.end]
            out.extend(_near_label(doc, row, c, match, end_in_cell, label_text))
    return out


def _near_label(
    doc: Document, row: Row, c: int, match: LabelMatch, stop: int | None, label: str
) -> Iterator[Candidate]:
    name, weight = match.field, match.weight
    kind = KINDS[name]
    cell = row.cells[c]
    at_start = not cell.folded[: match.start].strip(" :-–|•·")
    after = cell.text[match.end :].lstrip()
    if kind == "name" and after and not after.startswith(":"):
        return  # a heading ("Verkäufer:", "Bill to") ends its cell or has a colon
    if not at_start:
        if kind == "name":
            return  # "Lieferant GmbH", "N° TVA client": a party word inside text is no heading
        if kind in ("id", "reference", "registry", "currency"):
            weight *= 0.75
    if weight <= 0.5 and name == "issue_date":
        weight += _beside_invoice_number(doc, row)
    # 1. The rest of the label's own cell.
    rest_end = stop if stop is not None else len(cell.text)
    found = _from_cell(doc, name, kind, cell, match.end, rest_end, weight * SAME_CELL, label)
    yield from found
    if found and kind not in ("amount",):
        return
    # 2. The next cells of the row, until one that starts with a label of its own.
    for step, other in enumerate(row.cells[c + 1 : c + 4], start=1):
        own = doc.labels.get((row.page, row.index, c + step))
        if own and own[0].start == 0 and own[0].field != name:
            break
        score = weight * (NEXT_CELL - 0.05 * (step - 1))
        found = _from_cell(doc, name, kind, other, 0, len(other.text), score, label)
        yield from found
        if found and kind != "amount":
            return
    # 3. A label ending its row may have its value wrapped to the start of the next row.
    ends_row = c == len(row.cells) - 1 and not cell.text[match.end : rest_end].strip(" :#-–.|")
    below_rows = rows_below(doc.pages[row.page - 1], row, 1)
    if (
        kind != "name"
        and ends_row
        and below_rows
        and below_rows[0].cells[0].box[0] <= row.box[0] + 0.02
    ):
        first = below_rows[0].cells[0]
        found = _from_cell(doc, name, kind, first, 0, len(first.text), weight * 0.85, label)
        yield from found
        if found and kind != "amount":
            return
    # 4. The rows below, in the label's column.
    span = cell.span_box(match.start, match.end)
    x0, x1 = span[0] - 0.01, max(span[2], cell.box[2]) + 0.01
    if kind == "amount":
        total = _column_total(doc, row, x0, x1, name, weight, label)
        if total is not None:
            yield total
    depth_limit = 4 if kind == "name" else 2
    for depth, below in enumerate(rows_below(doc.pages[row.page - 1], row, depth_limit)):
        for other in overlapping_cells(below, x0, x1):
            index = below.cells.index(other)
            own = doc.labels.get((below.page, below.index, index))
            if own and own[0].start == 0:
                continue
            score = weight * (BELOW - 0.15 * depth)
            if kind == "name":
                if ":" in other.text or sum(ch.isdigit() for ch in other.text) > 3:
                    continue
                score = weight * (0.95 - 0.1 * depth) * (1.0 if has_legal_form(other.text) else 0.7)
            yield from _from_cell(doc, name, kind, other, 0, len(other.text), score, label)


def _beside_invoice_number(doc: Document, row: Row) -> float:
    """A weak date label ("vom", "du", "от") beside the invoice number is the issue date's;
    beside an order or delivery it is not ("Bestellung vom 01.03.2018")."""
    fields = doc.row_fields(row)
    above = doc.pages[row.page - 1][row.index - 1] if row.index > 0 else None
    bonus = 0.0
    if "invoice_number" in fields or (
        above is not None and "invoice_number" in doc.row_fields(above)
    ):
        bonus += 0.3
    if fields & {"order_number", "vat_date"}:
        bonus -= 0.2
    return bonus


def _column_total(
    doc: Document, row: Row, x0: float, x1: float, name: str, weight: float, label: str
) -> Candidate | None:
    """Under a column heading, the row that sums the rows above it is the total
    ("Nettobetrag" over one line per VAT rate, then their sum)."""
    column: list[Candidate] = []
    for below in rows_below(doc.pages[row.page - 1], row, 8):
        cells = overlapping_cells(below, x0, x1)
        values = [
            c
            for cell in cells
            for c in _from_cell(doc, name, "amount", cell, 0, len(cell.text), weight, label)
            if c.exact
        ]
        if not values:
            return None
        if len(column) >= 2 and sum(c.value for c in column) == values[0].value:  # type: ignore[misc]
            return replace(values[0], score=weight * NEXT_CELL)
        column.append(values[0])
    return None


def _from_cell(
    doc: Document, name: str, kind: str, cell: Cell, start: int, end: int, score: float, label: str
) -> list[Candidate]:
    text = cell.text[start:end]
    if not text.strip(" :#-–.|"):
        return []
    parsed = parse_values(kind, text, doc.order)
    if kind == "amount":
        # the nearest amount after a label is most likely its value; the last in a totals row
        weights = [1.0 - 0.08 * i for i in range(len(parsed))]
        if len(parsed) > 1:
            weights[-1] = max(weights[-1], 0.95)
    else:
        parsed, weights = parsed[:1], [1.0]
    out = []
    for p, w in zip(parsed, weights, strict=False):
        out.append(_candidate(name, p, cell, start, score * w * _exactness(kind, p), label))
    return out


def _exactness(kind: str, parsed: Parsed) -> float:
    if kind == "amount" and not parsed.exact:
        return 0.6
    if kind == "amount" and parsed.glued:
        return 0.7
    if kind == "date" and parsed.ambiguous:
        return 0.9
    if kind == "name" and not parsed.exact:
        return 0.8
    return 1.0


def _candidate(
    name: str, p: Parsed, cell: Cell, offset: int, score: float, label: str
) -> Candidate:
    words = cell.words_in(offset + p.start, offset + p.end)
    return Candidate(
        name=name,
        value=p.value,
        score=score,
        page=words[0].page,
        box=union(w.box for w in words),
        label=label,
        source=" ".join(w.text for w in words),
        valid=p.valid,
        ambiguous=p.ambiguous,
        exact=p.exact,
        word_confidence=min(w.confidence for w in words),
    )


def candidate_at(name: str, parsed: Parsed, cell: Cell, score: float) -> Candidate:
    """A candidate for a value read from a whole cell, without a label."""
    return _candidate(name, parsed, cell, 0, score, "")


def unlabelled(doc: Document) -> list[Candidate]:
    """Values recognisable without a label: IBANs, VAT ids, BICs, RF references, names with a
    legal form, currency marks, and every amount and date (weakly, for consistency solving)."""
    out = []
    for row in doc.rows():
        for cell in row.cells:
            for kind, name, score in (
                ("iban", "iban", 0.6),
                ("vat", "seller_vat_id", 0.45),
                ("currency", "currency", 0.3),
                ("amount", "any_amount", 0.1),
                ("date", "any_date", 0.1),
            ):
                for p in parse_values(kind, cell.text, doc.order):
                    if kind == "iban" and not p.valid:
                        continue  # without a label, only a valid IBAN is one
                    weight = 0.25 if kind == "currency" and not p.exact else score
                    if kind == "currency" and doc.row_fields(row) & set(AMOUNT_FIELDS):
                        weight = 0.6  # printed beside a total: the total's currency
                    out.append(_candidate(name, p, cell, 0, weight, ""))
            for match in _GERMAN_REGISTER.finditer(cell.text):
                p = Parsed(re.sub(r"\s|Nr\.?", "", match.group(0)), match.start(), match.end())
                out.append(_candidate("seller_registry_code", p, cell, 0, 0.6, ""))
            if "RF" in cell.text.upper():
                for p in parse_values("reference", cell.text, doc.order):
                    if isinstance(p.value, str) and p.value.startswith("RF"):
                        out.append(_candidate("payment_reference", p, cell, 0, 0.5, ""))
            if has_legal_form(cell.text) and len(cell.text) < 80:
                for p in parse_values("name", cell.text, doc.order):
                    top = 0.15 if row.page == 1 and row.box[1] < 0.25 else 0.0
                    out.append(_candidate("seller_name", p, cell, 0, 0.4 + top, ""))
    return out


def from_memory(doc: Document, memory: Mapping[str, Mapping[str, object]]) -> list[Candidate]:
    """Values where supplier memory says they stood: after the remembered label first,
    then inside the remembered box."""
    out = []
    for name, place in memory.items():
        if name not in KINDS or not isinstance(place, Mapping):
            continue
        kind = KINDS[name]
        label = fold(str(place.get("label") or "")).strip(" :")
        page = _int(place.get("page"), 1)
        box = _box(place.get("box"))
        found: list[Candidate] = []
        if label:
            found = _after_remembered_label(doc, name, kind, label, page, box)
        if not found and box is not None and 1 <= page <= len(doc.pages):
            found = _inside_box(doc, name, kind, page, box)
        # Found after the remembered label at the remembered place, memory decides; a label
        # elsewhere or a place alone (the layout may have changed) only tips the balance.
        out.extend(
            replace(c, memory=True, score=c.score + (1.0 if c.memory_confirmed else 0.25))
            for c in found
        )
    return out


def _after_remembered_label(
    doc: Document, name: str, kind: str, label: str, page: int, box: Box | None
) -> list[Candidate]:
    found = []
    for row in doc.rows():
        for c, cell in enumerate(row.cells):
            at = cell.folded.find(label)
            if at < 0:
                continue
            match = LabelMatch(name, 1.0, at, at + len(label))
            stop = next(
                (m.start for m in doc.labels.get((row.page, row.index, c), []) if m.start > at),
                None,
            )
            text_label = cell.text[at : at + len(label)]
            for candidate in _near_label(doc, row, c, match, stop, text_label):
                near = box is None or _distance(candidate.box, box) < 0.05
                same_page = candidate.page == page
                score = candidate.score * (1.0 if near else 0.8) * (1.0 if same_page else 0.9)
                found.append(replace(candidate, score=score, memory_confirmed=near and same_page))
    return found


def _inside_box(doc: Document, name: str, kind: str, page: int, box: Box) -> list[Candidate]:
    x0, y0, x1, y1 = box[0] - 0.02, box[1] - 0.006, box[2] + 0.02, box[3] + 0.006
    found = []
    for row in doc.pages[page - 1]:
        for cell in row.cells:
            words = [
                w
                for w in cell.words
                if x0 <= (w.box[0] + w.box[2]) / 2 <= x1 and y0 <= (w.box[1] + w.box[3]) / 2 <= y1
            ]
            if not words:
                continue
            text = " ".join(w.text for w in words)
            sub = Cell(tuple(words))
            for p in parse_values(kind, text, doc.order)[:1]:
                found.append(_candidate(name, p, sub, 0, 0.8, ""))
    return found


def _distance(a: Box, b: Box) -> float:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def _int(value: object, default: int) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default


def _box(value: object) -> Box | None:
    try:
        x0, y0, x1, y1 = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return None
    return (x0, y0, x1, y1)
