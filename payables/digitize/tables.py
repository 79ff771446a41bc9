"""Invoice lines from a table: a header row naming the columns, then rows with amounts."""

from __future__ import annotations

from payables.digitize.candidates import Document


def find_lines(doc: Document) -> list[dict]:
    return []
