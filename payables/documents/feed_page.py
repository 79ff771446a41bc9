"""The digitized feed's page as JSON text, from plain values and stored parts.

Building a hundred ``DigitizedDocumentOut`` objects (every field of every document a
model of its own) and validating the page again cost a hundred times the query. The
page is written from the rows of ``queries.digitized_values_after`` instead, converted
as the schemas convert them; the tests compare it with the schema-built page.

Most of a document's answer is what was read from it (``fields``, ``vat_breakdown``,
``lines``, ``findings``), and reading those JSON values and writing them again took most
of a page's time. They are written as JSON text when they are saved
(``Document.feed_parts``, by ``services.keep_feed_parts``) and put into the page as they
are; a document whose parts are out of date gets them written from its values here.
"""

from __future__ import annotations

import json
from typing import Any

from payables.documents.schemas import text_row
from payables.events.feeds import FeedPage
from payables.json_encoding import (
    PreciseJSONEncoder,
    StoredJson,
    moment_text,
    optional_moment_text,
    optional_text,
)

# How ``parts_json`` writes a document's parts (``Document.feed_parts_version``). Raise it
# with any change to that writing: no page then puts in parts written the old way.
FEED_PARTS_VERSION = 1
# The stored parts are a JSON object of the members ``fields`` to ``findings``, which
# follow each other in a document's answer: a page puts in its text after this head.
PARTS_HEAD = '{"fields": '
# A row's values of a document whose parts are out of date (None when they are not).
UNKEPT = "unkept_"


def parts_json(*, fields: dict, vat_breakdown: list, lines: list, findings: list) -> str:
    """The document's ``fields``, ``vat_breakdown``, ``lines`` and ``findings`` as the feed
    writes them: a JSON object of those four members, in that order, from the values as
    the database gives them back (PostgreSQL orders an object's keys its own way)."""
    parts = {
        "fields": {name: _field(found) for name, found in fields.items()},
        "vat_breakdown": [text_row(r) for r in vat_breakdown],
        "lines": [text_row(r) for r in lines],
        "findings": [
            {
                "code": str(f.get("code") or f.get("rule_id") or ""),
                "message": str(f.get("message") or ""),
                "field": str(f.get("location") or ""),
            }
            for f in findings
        ],
    }
    return json.dumps(parts, cls=PreciseJSONEncoder)


def page_json(page: FeedPage[dict[str, Any]]) -> str:
    """The page (``DigitizedPage``) as JSON text."""
    texts = StoredJson()
    items = [
        _document(row, cursor, texts.mark(_parts(row)[len(PARTS_HEAD) : -1]))
        for row, cursor in zip(page.items, page.cursors, strict=True)
    ]
    return texts.dumps({"items": items, "next": page.next, "cursor": page.cursor})


def _parts(row: dict[str, Any]) -> str:
    if row["feed_parts_version"] == FEED_PARTS_VERSION:
        return row["feed_parts"]
    return parts_json(
        fields=row[f"{UNKEPT}fields"],
        vat_breakdown=row[f"{UNKEPT}vat_breakdown"],
        lines=row[f"{UNKEPT}lines"],
        findings=row[f"{UNKEPT}findings"],
    )


def _document(row: dict[str, Any], cursor: str, parts: str) -> dict[str, Any]:
    """One ``DigitizedDocumentOut``, its keys in the schema's order; ids and moments as the
    encoder would write them (its call back for each costs more than the rest).

    ``parts`` stands for the members ``fields`` to ``findings`` together: the stored text
    from the value of ``fields`` on.
    """
    return {
        "id": str(row["id"]),
        "company_code": row["company__registry_code"] or str(row["company_id"]),
        "state": row["state"],
        "channel": row["channel"],
        "userdata": row["userdata"],
        "filename": row["filename"],
        "content_type": row["content_type"],
        "kind": row["kind"],
        "size": row["size"],
        "sha256": row["sha256"],
        "method": row["method"],
        "pages": row["pages"],
        "languages": row["languages"],
        "fields": parts,  # and vat_breakdown, lines, findings
        "failure_reason": row["failure_reason"],
        "failure_message": row["failure_message"],
        "invoice_id": optional_text(row["invoice_id"]),
        "duplicate_of": optional_text(row["duplicate_of_id"]),
        "upload_expires_at": optional_moment_text(row["upload_expires_at"]),
        "uploaded_at": optional_moment_text(row["uploaded_at"]),
        "digitized_at": moment_text(row["digitized_at"]),
        "created_at": moment_text(row["created_at"]),
        "modified_at": moment_text(row["modified_at"]),
        "cursor": cursor,
    }


def _field(found: dict) -> dict[str, Any]:
    """As ``DocumentFieldOut.from_json`` and its validation: a page number an int, the
    box's corners floats (a stored ``1`` is written ``1.0``)."""
    value, page, box = found.get("value"), found.get("page"), found.get("box")
    return {
        "value": None if value is None else str(value),
        "confidence": float(found.get("confidence") or 0),
        "validated": bool(found.get("validated")),
        "page": None if page is None else int(page),
        "box": None if box is None else [float(corner) for corner in box],
        "label": found.get("label") or "",
    }
