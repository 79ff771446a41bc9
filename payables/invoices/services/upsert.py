"""Batch import and upsert of invoices from other systems, by immutable source identity.

Every item is validated, then the batch's identities are looked up in one query: an item
that changes nothing (re-sent) is skipped there, without a transaction. The others are
written in chunks (``PAYABLES_UPSERT_CHUNK_SIZE``): one transaction and one company write
lock per chunk, each item in its own savepoint inside it, so one bad item becomes an
error entry while the others land. The outcome of every item is reported: imported,
updated, skipped, conflict or error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

import pydantic
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from payables.errors import Conflict, FieldError, NotFound, PayablesError, ValidationFailed
from payables.events.batch_reads import write_batch
from payables.events.services import lock_company_writes
from payables.invoices.coding import UnknownCodes
from payables.invoices.inputs import ExternalInvoiceIn, ImportPolicy, InvoiceIn, InvoicePatch
from payables.invoices.lifecycle import EDITABLE
from payables.invoices.models import Invoice, NumberingPolicy
from payables.invoices.services.invoices import (
    checked_rate,
    insert_invoice,
    resolve_supplier,
    update_invoice,
)
from payables.invoices.services.numbering import find_numbering_policy
from payables.invoices.services.upsert_decisions import (
    ItemConflict,
    add_new_attachments,
    choose_number,
    hash_content,
    skip_reason,
)
from payables.masterdata.models import Supplier
from payables.tenancy.actors import Actor

logger = logging.getLogger(__name__)

Outcome = Literal["imported", "updated", "skipped", "conflict", "error"]


@dataclass
class ItemResult:
    index: int
    outcome: Outcome
    invoice_id: UUID | None = None
    number: str | None = None
    detail: str | None = None
    source_invoice_id: str | None = None
    errors: list[dict] = field(default_factory=list)


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


# Called inside an item's transaction after it was imported or updated: (index, invoice, outcome).
AfterApply = Callable[[int, Invoice, str], None]


@dataclass(frozen=True)
class _Batch:
    """What every item of one upsert call shares."""

    actor: Actor
    import_policy: ImportPolicy
    policy: NumberingPolicy | None
    after_apply: AfterApply | None
    unknown_codes: UnknownCodes


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
    batch = _Batch(actor, import_policy, policy, after_apply, unknown_codes)
    results: list[ItemResult | None] = [None] * len(items)
    valid: list[_Item] = []
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        parsed = _parse_item(index, item, seen)
        if isinstance(parsed, ItemResult):
            results[index] = parsed
        else:
            valid.append(parsed)
    # Decide "skipped" without a transaction or lock: a re-sent batch then writes nothing
    # and does not queue behind the company's writers. The rest is decided again under it.
    stored = _stored_by_identity(actor, valid)
    to_write = []
    for item in valid:
        decided = _decide_unlocked(item, stored.get(item.identity))
        if decided is None:
            to_write.append(item)
        else:
            results[item.index] = decided
    size = max(1, settings.PAYABLES_UPSERT_CHUNK_SIZE)
    for start in range(0, len(to_write), size):
        for result in _write_chunk(to_write[start : start + size], batch):
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


@dataclass(frozen=True)
class _Item:
    """A valid item of the batch and what is derived from it once."""

    index: int
    data: ExternalInvoiceIn
    content_hash: str

    @property
    def identity(self) -> tuple[str, str]:
        return (self.data.source_system, self.data.source_invoice_id)


def _parse_item(index: int, item: object, seen: dict[tuple[str, str], int]) -> _Item | ItemResult:
    """Validate an item; an invalid one, or a second of the same identity, is an error."""
    source_id = item.get("source_invoice_id") if isinstance(item, dict) else None
    source_id = source_id if isinstance(source_id, str) else None
    try:
        data = ExternalInvoiceIn.model_validate(item)
    except pydantic.ValidationError as exc:
        return _error(index, source_id, [_pydantic_error(e) for e in exc.errors()])
    identity = (data.source_system, data.source_invoice_id)
    if identity in seen:
        return _error(
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
    return _Item(index, data, hash_content(data))


def _decide_unlocked(item: _Item, existing: Invoice | None) -> ItemResult | None:
    """Skipped or a conflict as the stored invoice says; None: it needs a write."""
    if existing is None:
        return None
    try:
        skip = skip_reason(existing, item.data, item.content_hash)
    except ItemConflict as conflict:
        return _conflict(item, conflict)
    return None if skip is None else _done(item.index, "skipped", existing, item.data, detail=skip)


def _write_chunk(chunk: list[_Item], batch: _Batch) -> list[ItemResult]:
    """Write a chunk of items in one transaction under the company's write lock.

    The identities are read again under the lock (another request may have stored some
    since): what is stored now decides. Each item runs in a savepoint, so a bad one is
    rolled back alone; the batch's reads of the company's settings are shared.
    """
    company = batch.actor.company
    with transaction.atomic(), write_batch(company):
        lock_company_writes(company)
        stored = _stored_by_identity(batch.actor, chunk, lock=True)
        suppliers = _ChunkSuppliers(batch.actor)
        return [_write_item(item, stored.get(item.identity), batch, suppliers) for item in chunk]


class _ChunkSuppliers:
    """The suppliers a chunk's items name, each looked up once per chunk: nobody else
    writes the company's suppliers while the chunk holds its lock. What an item found or
    created is forgotten when that item rolls back."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.known: dict[tuple, Supplier] = {}
        self.of_item: list[tuple] = []

    def resolve(self, data: ExternalInvoiceIn) -> Supplier:
        if data.supplier_id is not None:
            key: tuple = ("id", data.supplier_id)
        elif data.supplier is not None:
            key = ("ref", data.supplier.model_dump_json())
        else:
            return resolve_supplier(data, actor=self.actor)  # refused there, as ever
        if key not in self.known:
            self.known[key] = resolve_supplier(data, actor=self.actor)
            self.of_item.append(key)
        return self.known[key]

    def next_item(self) -> None:
        self.of_item = []

    def forget_item(self) -> None:
        for key in self.of_item:
            self.known.pop(key, None)
        self.of_item = []


def _write_item(
    item: _Item, existing: Invoice | None, batch: _Batch, suppliers: _ChunkSuppliers
) -> ItemResult:
    suppliers.next_item()
    result = _refusal_or_result(item, existing, batch, suppliers)
    if result.outcome in ("error", "conflict"):  # raised: its savepoint rolled back
        suppliers.forget_item()
    return result


def _refusal_or_result(
    item: _Item, existing: Invoice | None, batch: _Batch, suppliers: _ChunkSuppliers
) -> ItemResult:
    source_id = item.data.source_invoice_id
    try:
        return _apply_once_more_on_race(item, existing, batch, suppliers)
    except ItemConflict as conflict:
        return _conflict(item, conflict)
    except Conflict as exc:  # e.g. a duplicate number that raced past the policy's check
        return ItemResult(
            item.index,
            "conflict",
            invoice_id=exc.extra.get("existing_id"),
            detail=exc.message,
            source_invoice_id=source_id,
        )
    except ValidationFailed as exc:
        return _error(item.index, source_id, [_domain_error(e) for e in exc.errors])
    except PayablesError as exc:
        return _error(item.index, source_id, [_domain_error(exc)])
    except IntegrityError:
        # Another request stored the same identity or number between our read and write.
        logger.info(
            "Upsert item %d raced with a concurrent write; reporting a conflict", item.index
        )
        return ItemResult(
            item.index,
            "conflict",
            detail="changed concurrently; send the item again",
            source_invoice_id=source_id,
        )


def _apply_once_more_on_race(
    item: _Item, existing: Invoice | None, batch: _Batch, suppliers: _ChunkSuppliers
) -> ItemResult:
    """Apply the item in its own savepoint; should a unique constraint refuse it (a write
    that got past the lock), read its identity again and apply it once more."""
    try:
        with transaction.atomic():
            return _apply(item, existing, batch, suppliers)
    except IntegrityError:
        logger.info("Upsert item %d raced with a concurrent write; applying it again", item.index)
        suppliers.forget_item()
    existing = _stored_by_identity(batch.actor, [item], lock=True).get(item.identity)
    with transaction.atomic():
        return _apply(item, existing, batch, suppliers)


def _apply(
    item: _Item, existing: Invoice | None, batch: _Batch, suppliers: _ChunkSuppliers
) -> ItemResult:
    """Write one item, under the chunk's lock, with ``existing`` as stored now."""
    actor, data, index = batch.actor, item.data, item.index
    if existing is not None:
        skip = skip_reason(existing, data, item.content_hash)
        if skip is not None:
            return _done(index, "skipped", existing, data, detail=skip)
        if existing.status not in EDITABLE:
            # The answer carries the invoice's id and number; the detail names its state.
            raise ItemConflict(
                f"invoice is {existing.status}; only new invoices can be updated", existing
            )
    supplier = suppliers.resolve(data)
    number, external_number = choose_number(
        data,
        supplier,
        existing=existing,
        import_policy=batch.import_policy,
        policy=batch.policy,
        company=actor.company,
    )
    invoice_fields = data.model_dump(include=set(InvoiceIn.model_fields) - {"request_id"})
    invoice_fields |= {"supplier_id": supplier.id, "supplier": None, "invoice_number": number}
    source = {
        "source_system": data.source_system,
        "source_invoice_id": data.source_invoice_id,
        "source_document_version": data.source_document_version or "",
        "source_content_hash": item.content_hash,
        "external_number": external_number,
        "external_reference": data.external_reference,
        "metadata": data.metadata,
    }
    if existing is None:
        new = InvoiceIn(**invoice_fields)
        invoice = insert_invoice(
            new,
            actor=actor,
            supplier=supplier,
            rate=checked_rate(new, company=actor.company),
            source=source,
            unknown_codes=batch.unknown_codes,
        )
        outcome: Outcome = "imported"
    else:
        invoice_fields.pop("origin")
        patch = InvoicePatch(**invoice_fields)
        invoice = update_invoice(
            existing, patch, actor=actor, source=source, unknown_codes=batch.unknown_codes
        )
        outcome = "updated"
    if data.attachments:
        add_new_attachments(invoice, data, actor, is_new=existing is None)
    if batch.after_apply is not None:
        batch.after_apply(index, invoice, outcome)
    return _done(index, outcome, invoice, data)


def _stored_by_identity(
    actor: Actor, items: list[_Item], *, lock: bool = False
) -> dict[tuple[str, str], Invoice]:
    """The stored invoices of these items' identities, in one query (locked: to update)."""
    by_system: dict[str, list[str]] = {}
    for item in items:
        by_system.setdefault(item.data.source_system, []).append(item.data.source_invoice_id)
    if not by_system:
        return {}
    wanted = Q()
    for system, ids in by_system.items():
        wanted |= Q(source_system=system, source_invoice_id__in=ids)
    found = _by_identity(actor).filter(wanted)
    if lock:
        found = found.select_for_update(of=("self",))
    return {(i.source_system, i.source_invoice_id): i for i in found}


def _by_identity(actor: Actor) -> QuerySet[Invoice]:
    """The company's invoices that have a source identity; the filter repeats the partial
    unique index's condition so SQLite and PostgreSQL use that index."""
    return Invoice.objects.for_company(actor.company).exclude(source_system="").order_by()


def _done(
    index: int,
    outcome: Outcome,
    invoice: Invoice,
    data: ExternalInvoiceIn,
    *,
    detail: str | None = None,
) -> ItemResult:
    return ItemResult(
        index,
        outcome,
        invoice_id=invoice.id,
        number=invoice.invoice_number,
        detail=detail or None,
        source_invoice_id=data.source_invoice_id,
    )


def _conflict(item: _Item, conflict: ItemConflict) -> ItemResult:
    invoice = conflict.invoice
    return ItemResult(
        item.index,
        "conflict",
        invoice_id=invoice.id if invoice else None,
        number=invoice.invoice_number if invoice else None,
        detail=conflict.detail,
        source_invoice_id=item.data.source_invoice_id,
    )


def _error(index: int, source_id: str | None, errors: list[dict]) -> ItemResult:
    return ItemResult(
        index,
        "error",
        source_invoice_id=source_id,
        detail=errors[0]["msg"] if errors else None,
        errors=[{"index": index, "source_invoice_id": source_id, **e} for e in errors],
    )


def _pydantic_error(error: dict) -> dict:
    return {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}


def _domain_error(exc: PayablesError) -> dict:
    return {"loc": list(exc.loc or ()), "msg": exc.message, "type": exc.code}
