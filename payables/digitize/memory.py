"""Supplier memory, the learning half: where a document shows the values an accountant
confirmed or corrected, as ``{field: {"label", "page", "box"}}`` for the next invoice of the
same supplier (``digitize(..., memory=...)`` looks there first)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from payables.digitize.candidates import (
    Candidate,
    Document,
    candidate_at,
    labelled,
    unlabelled,
)
from payables.digitize.parsing import KINDS, parse_values
from payables.digitize.values import find_dates, fold

_ANY = {"amount": "any_amount", "date": "any_date"}


def learn(
    data: bytes,
    values: Mapping[str, object],
    *,
    languages: Sequence[str] | None = None,
    tessdata: str | None = None,
) -> dict[str, dict]:
    """Where each of ``values`` (field → correct value) stands in the document ``data``.

    Fields whose value cannot be found on the page are left out.
    """
    from payables.digitize.engine import read

    _, _, doc = read(data, languages=languages, tessdata=tessdata)
    return learn_from(doc, values)


def learn_from(doc: Document, values: Mapping[str, object]) -> dict[str, dict]:
    """``learn`` on a document already read."""
    candidates = labelled(doc) + unlabelled(doc)
    memory = {}
    for name, value in values.items():
        if name not in KINDS or value in (None, ""):
            continue
        wanted = normalise(name, value)
        if wanted is None:
            continue
        matches = [
            c
            for c in candidates
            if c.name in (name, _ANY.get(KINDS[name]), _party_twin(name))
            and normalise(name, c.value) == wanted
        ]
        if not matches:
            matches = _anywhere(doc, name, wanted)
        if not matches:
            continue
        best = max(matches, key=lambda c: (c.name == name, bool(c.label), c.score))
        memory[name] = {
            "label": best.label or _label_left_of(doc, best),
            "page": best.page,
            "box": [round(v, 4) for v in best.box],
        }
    return memory


def _anywhere(doc: Document, name: str, wanted: object) -> list[Candidate]:
    """The value printed where no label pointed to it: any cell that reads as it."""
    found = []
    for row in doc.rows():
        for cell in row.cells:
            for parsed in parse_values(KINDS[name], cell.text, doc.order):
                if normalise(name, parsed.value) == wanted:
                    found.append(candidate_at(name, parsed, cell, 0.1))
    return found


def normalise(name: str, value: object) -> object:
    """A value in comparable form: dates as dates, amounts as Decimals, ids compact."""
    kind = KINDS.get(name, "")
    if kind == "date":
        if isinstance(value, date):
            return value
        found = find_dates(str(value))
        return found[0].value if found else None
    if kind == "amount":
        try:
            return Decimal(str(value)).normalize()
        except InvalidOperation:
            return None
    text = str(value)
    if kind == "name":
        return " ".join(fold(text).split())
    return "".join(text.split()).upper()


def _party_twin(name: str) -> str:
    return {"buyer_vat_id": "seller_vat_id", "buyer_name": "seller_name"}.get(name, "")


def _label_left_of(doc: Document, candidate: Candidate) -> str:
    """The text just left of a value on its row, when it reads like a label (no digits)."""
    for row in doc.pages[candidate.page - 1]:
        for c, cell in enumerate(row.cells):
            if cell.box[0] <= candidate.box[0] <= cell.box[2] + 0.001 and (
                cell.box[1] <= (candidate.box[1] + candidate.box[3]) / 2 <= cell.box[3]
            ):
                prefix = (
                    cell.text.split(candidate.source)[0].strip(" :") if candidate.source else ""
                )
                if prefix and not any(ch.isdigit() for ch in prefix):
                    return prefix[-40:]
                if c > 0 and not any(ch.isdigit() for ch in row.cells[c - 1].text):
                    return row.cells[c - 1].text[-40:]
                return ""
    return ""
