"""Batch import and upsert of invoices from other systems, by immutable source identity.

Every item is validated, then the batch's identities are looked up in one query: an item
that changes nothing (re-sent) is skipped there, without a transaction. The others are
written in chunks (``PAYABLES_UPSERT_CHUNK_SIZE``, ``upsert_writes``): one transaction and
one company write lock per chunk, the chunk's new invoices stored together, and one bad
item an error entry that changes nothing while the others land. The outcome of every
item is reported: imported, updated, skipped, conflict or error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID

import pydantic
from django.conf import settings

from payables.errors import FieldError, NotFound
from payables.invoices.coding import UnknownCodes
from payables.invoices.inputs import ExternalInvoiceIn, ImportPolicy
from payables.invoices.models import Invoice
from payables.invoices.services.numbering import find_numbering_policy
from payables.invoices.services.upsert_decisions import ItemConflict, hash_content, skip_reason
from payables.invoices.services.upsert_items import (
    AfterApply,
    Batch,
    Item,
    ItemResult,
    Outcome,
    conflict,
    done,
    error,
    pydantic_error,
    stored_by_identity,
)
from payables.invoices.services.upsert_writes import write_chunk
from payables.tenancy.actors import Actor

__all__ = ["AfterApply", "ItemResult", "UpsertReport", "upsert_invoices"]

logger = logging.getLogger(__name__)


@dataclass
class UpsertReport:
    results: list[ItemResult]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    def as_dict(self) -> dict:
        """The answer of the upsert endpoint."""
        return {
            "imported_count": self.count("imported"),
            "updated_count": self.count("updated"),
            "skipped_count": self.count("skipped"),
            "conflict_count": self.count("conflict"),
            "errors": [e for r in self.results for e in r.errors],
            "invoice_ids": [
                r.invoice_id if r.outcome in {"imported", "updated", "skipped"} else None
                for r in self.results
            ],
            "conflict_ids": [
                r.invoice_id for r in self.results if r.outcome == "conflict" and r.invoice_id
            ],
            "results": [
                {
                    "index": r.index,
                    "outcome": r.outcome,
                    "invoice_id": r.invoice_id,
                    "number": r.number,
                    "detail": r.detail,
                }
                for r in self.results
            ],
        }


def upsert_invoices(
    items: list,
    *,
    actor: Actor,
    import_policy: ImportPolicy,
    numbering_policy_id: UUID | None = None,
    after_apply: AfterApply | None = None,
    unknown_codes: UnknownCodes = "refuse",
) -> UpsertReport:
    """Import or update each item by (source_system, source_invoice_id); report every outcome.

    ``after_apply`` lets a caller add to an applied item in the same transaction (the
    e-invoice importer attaches the original document there). ``unknown_codes`` says
    what codes the company's master data refuses do: make the item an error, or be
    left out (see ``create_invoice``).
    """
    if numbering_policy_id is not None:
        try:
            policy = find_numbering_policy(actor.company, numbering_policy_id)
        except NotFound:
            raise FieldError(
                "No numbering policy with this id.", loc=["numbering_policy_id"]
            ) from None
    else:
        policy = None
    batch = Batch(actor, import_policy, policy, after_apply, unknown_codes)
    results: list[ItemResult | None] = [None] * len(items)
    valid: list[Item] = []
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        parsed = _parse_item(index, item, seen)
        if isinstance(parsed, ItemResult):
            results[index] = parsed
        else:
            valid.append(parsed)
    # Decide "skipped" without a transaction or lock: a re-sent batch then writes nothing
    # and does not queue behind the company's writers. The rest is decided again under it.
    stored = stored_by_identity(actor, valid)
    to_write = []
    for item in valid:
        decided = _decide_unlocked(item, stored.get(item.identity))
        if decided is None:
            to_write.append(item)
        else:
            results[item.index] = decided
    size = max(1, settings.PAYABLES_UPSERT_CHUNK_SIZE)
    for start in range(0, len(to_write), size):
        for result in write_chunk(to_write[start : start + size], batch):
            results[result.index] = result
    report = UpsertReport(results=[r for r in results if r is not None])
    logger.info(
        "Upsert of %d invoices: %d imported, %d updated, %d skipped, %d conflicts, %d errors",
        len(items),
        report.count("imported"),
        report.count("updated"),
        report.count("skipped"),
        report.count("conflict"),
        report.count("error"),
    )
    return report


def _parse_item(index: int, item: object, seen: dict[tuple[str, str], int]) -> Item | ItemResult:
    """Validate an item; an invalid one, or a second of the same identity, is an error."""
    source_id = item.get("source_invoice_id") if isinstance(item, dict) else None
    source_id = source_id if isinstance(source_id, str) else None
    try:
        data = ExternalInvoiceIn.model_validate(item)
    except pydantic.ValidationError as exc:
        return error(index, source_id, [pydantic_error(e) for e in exc.errors()])
    identity = (data.source_system, data.source_invoice_id)
    if identity in seen:
        return error(
            index,
            source_id,
            [
                {
                    "loc": ["source_invoice_id"],
                    "msg": f"The same source identity is at index {seen[identity]} of this batch.",
                    "type": "duplicate_in_batch",
                }
            ],
        )
    seen[identity] = index
    return Item(index, data, hash_content(data))


def _decide_unlocked(item: Item, existing: Invoice | None) -> ItemResult | None:
    """Skipped or a conflict as the stored invoice says; None: it needs a write."""
    if existing is None:
        return None
    try:
        skip = skip_reason(existing, item.data, item.content_hash)
    except ItemConflict as clash:
        return conflict(item, clash)
    return None if skip is None else done(item.index, "skipped", existing, item.data, detail=skip)
