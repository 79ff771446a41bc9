"""Writing a chunk of upsert items: one transaction under the company's write lock, and the
new invoices of the chunk stored together.

An item that is new, names a supplier the company has and keeps its own number (one no
live invoice of that supplier holds) only reads until it is stored: it is checked,
numbered and coded in memory and kept, then stored with the other kept items in a few
statements for all of them (``store_new_invoices``). Every other item — an update, a
skip decided under the lock, one whose supplier is created or that takes a local number
or clashes with a number, one with attachments or a caller's ``after_apply`` — has the
items kept before it stored first, then is written alone in a savepoint, so a bad one is
rolled back alone. Should storing the kept items fail (a number taken after all, a
hook's refusal), they are written again one by one, each in its own savepoint: the one at
fault gets its error and the others land. Either way the database ends up as if every
item had been written alone, in order: the same internal ids, events and audit entries.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db import IntegrityError, transaction

from payables.errors import PayablesError
from payables.events.batch_reads import forget_all_batch_reads, write_batch
from payables.events.services import lock_company_writes
from payables.invoices.inputs import ExternalInvoiceIn, InvoiceIn, InvoicePatch
from payables.invoices.lifecycle import EDITABLE
from payables.invoices.models import Invoice
from payables.invoices.services.invoices import (
    NewInvoice,
    checked_rate,
    insert_invoice,
    prepare_invoice,
    store_new_invoices,
    update_invoice,
)
from payables.invoices.services.suppliers import find_supplier, resolve_supplier
from payables.invoices.services.upsert_decisions import (
    ItemConflict,
    add_new_attachments,
    choose_number,
    skip_reason,
)
from payables.invoices.services.upsert_items import (
    Batch,
    Item,
    ItemResult,
    Outcome,
    done,
    refusal,
    stored_by_identity,
)
from payables.masterdata.models import Supplier
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company

logger = logging.getLogger(__name__)

# Import policies under which a new item keeps its own number when no live invoice has it.
_KEEPS_FREE_NUMBER = frozenset(
    {"preserve_if_unique_else_fallback", "always_preserve_and_reject_on_conflict"}
)

# (supplier id, type, number): what the partial unique index of invoice numbers guards.
NumberKey = tuple[UUID, str, str]


def write_chunk(chunk: list[Item], batch: Batch) -> list[ItemResult]:
    """Write a chunk of items in one transaction under the company's write lock.

    The identities are read again under the lock (another request may have stored some
    since): what is stored now decides. The batch's reads of the company's settings,
    suppliers and invoice numbers are shared by the chunk's items.
    """
    company = batch.actor.company
    with transaction.atomic(), write_batch(company):
        lock_company_writes(company)
        stored = stored_by_identity(batch.actor, chunk, lock=True)
        return _ChunkWriter(batch, stored).write(chunk)


@dataclass(frozen=True)
class _Kept:
    """A new item checked and coded in memory, waiting to be stored with the others."""

    item: Item
    key: NumberKey
    new: NewInvoice


class _ChunkWriter:
    def __init__(self, batch: Batch, stored: dict[tuple[str, str], Invoice]) -> None:
        self.batch = batch
        self.stored = stored
        self.suppliers = _ChunkSuppliers(batch.actor)
        self.numbers = _ChunkNumbers(batch.actor.company)
        self.kept: list[_Kept] = []
        self.kept_keys: set[NumberKey] = set()
        self.results: dict[int, ItemResult] = {}

    def write(self, chunk: list[Item]) -> list[ItemResult]:
        for position, item in enumerate(chunk):
            existing = self.stored.get(item.identity)
            kept = None
            if existing is None and self._may_keep(item):
                kept = self._prepare(item, later=chunk[position:])
            if isinstance(kept, ItemResult):  # refused before anything was written
                self.results[item.index] = kept
            elif kept is not None:
                self.kept.append(kept)
                self.kept_keys.add(kept.key)
            else:
                self._flush()
                self._write_alone(item, existing)
        self._flush()
        return [self.results[item.index] for item in chunk]

    def _may_keep(self, item: Item) -> bool:
        return (
            self.batch.after_apply is None
            and not item.data.attachments
            and self.batch.import_policy in _KEEPS_FREE_NUMBER
            and bool(item.data.invoice_number)
        )

    def _prepare(self, item: Item, *, later: list[Item]) -> _Kept | ItemResult | None:
        """Check and code a new item in memory, as ``_apply`` would; None: it cannot be
        kept (it creates its supplier, or its number is taken), so it is written alone."""
        data, actor = item.data, self.batch.actor
        try:
            supplier = self.suppliers.find(data)
            if supplier is None:
                return None
            key = (supplier.pk, data.type, data.invoice_number)
            if key not in self.numbers:
                self.numbers.read(self._keys(later))
            if self.numbers.holder(key) is not None or key in self.kept_keys:
                return None  # a local number or a conflict: choose_number decides, alone
            number, external_number = choose_number(
                data,
                supplier,
                existing=None,
                import_policy=self.batch.import_policy,
                policy=self.batch.policy,
                company=actor.company,
                holder_of=lambda: self.numbers.holder(key),
            )
            fields = _invoice_fields(item, supplier, number, external_number)
            new = InvoiceIn(**fields.invoice)
            rate = checked_rate(new, company=actor.company)
            prepared = prepare_invoice(
                new,
                actor=actor,
                supplier=supplier,
                rate=rate,
                source=fields.source,
                unknown_codes=self.batch.unknown_codes,
            )
        except (ItemConflict, PayablesError) as exc:
            return refusal(item, exc)
        return _Kept(item, key, prepared)

    def _keys(self, items: Iterable[Item]) -> list[NumberKey]:
        """The number keys of these items that may be kept, their suppliers found (read)."""
        keys = []
        for item in items:
            if item.identity in self.stored or not self._may_keep(item):
                continue
            try:
                supplier = self.suppliers.find(item.data)
            except PayablesError:
                continue  # refused when its turn comes
            if supplier is not None:
                keys.append((supplier.pk, item.data.type, item.data.invoice_number))
        return keys

    def _flush(self) -> None:
        """Store the kept items together; should that be refused, write each alone."""
        kept, self.kept = self.kept, []
        self.kept_keys = set()
        if not kept:
            return
        try:
            with transaction.atomic():
                invoices = store_new_invoices([k.new for k in kept], actor=self.batch.actor)
        except (PayablesError, IntegrityError):
            logger.info("Storing %d upsert items together was refused; one by one now", len(kept))
            forget_all_batch_reads(self.batch.actor.company)
            for k in kept:
                self._write_alone(k.item, None)
            return
        for k, invoice in zip(kept, invoices, strict=True):
            self.numbers.took(k.key, invoice)
            self.results[k.item.index] = done(k.item.index, "imported", invoice, k.item.data)

    def _write_alone(self, item: Item, existing: Invoice | None) -> None:
        """Write one item in its own savepoint, as every item once was."""
        self.suppliers.next_item()
        result = _refusal_or_result(item, existing, self.batch, self.suppliers)
        if result.outcome in ("error", "conflict"):  # raised: its savepoint rolled back
            self.suppliers.forget_item()
            forget_all_batch_reads(self.batch.actor.company)
        elif result.outcome in ("imported", "updated"):
            self.numbers.forget()  # it holds a number now, or an update changed one
        self.results[item.index] = result


class _ChunkSuppliers:
    """The suppliers a chunk's items name, each looked up once per chunk: nobody else
    writes the company's suppliers while the chunk holds its lock. What an item found or
    created is forgotten when that item rolls back."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.known: dict[tuple, Supplier] = {}
        self.missing: set[tuple] = set()  # named by reference, not there: to be created
        self.of_item: list[tuple] = []

    def find(self, data: ExternalInvoiceIn) -> Supplier | None:
        """The supplier the item names, refusing what ``resolve`` refuses; None where
        ``resolve`` would create it. Only reads."""
        key = _supplier_key(data)
        if key is None:
            return find_supplier(data, actor=self.actor)  # refused there, as ever
        if key in self.known:
            return self.known[key]
        if key in self.missing:
            return None
        found = find_supplier(data, actor=self.actor)
        if found is None:
            self.missing.add(key)
        else:
            self.known[key] = found
        return found

    def resolve(self, data: ExternalInvoiceIn) -> Supplier:
        key = _supplier_key(data)
        if key is None:
            return resolve_supplier(data, actor=self.actor)  # refused there, as ever
        if key not in self.known:
            self.known[key] = resolve_supplier(data, actor=self.actor)
            self.missing.discard(key)
            self.of_item.append(key)
        return self.known[key]

    def next_item(self) -> None:
        self.of_item = []

    def forget_item(self) -> None:
        for key in self.of_item:
            self.known.pop(key, None)
        self.of_item = []


def _supplier_key(data: ExternalInvoiceIn) -> tuple | None:
    if data.supplier_id is not None:
        return ("id", data.supplier_id)
    if data.supplier is not None:
        return ("ref", data.supplier.model_dump_json())
    return None


class _ChunkNumbers:
    """Which live invoices hold the numbers the chunk's new items bring, read for all of
    them in one query (``number_holder`` asks for one) and kept up to date as the chunk
    stores invoices; forgotten when an item written alone may have changed one."""

    def __init__(self, company: Company) -> None:
        self.company = company
        self.read_keys: set[NumberKey] = set()
        self.holders: dict[NumberKey, Invoice] = {}

    def __contains__(self, key: NumberKey) -> bool:
        return key in self.read_keys

    def read(self, keys: Iterable[NumberKey]) -> None:
        wanted = set(keys) - self.read_keys
        if not wanted:
            return
        found = (
            Invoice.objects.filter(
                company=self.company,
                supplier__in={k[0] for k in wanted},
                type__in={k[1] for k in wanted},
                invoice_number__in={k[2] for k in wanted},
            )
            .exclude(status=Invoice.Status.CANCELLED)
            .only("id", "company_id", "supplier_id", "type", "internal_id", "invoice_number")
            .order_by()
        )
        for invoice in found:
            key = (invoice.supplier_id, invoice.type, invoice.invoice_number)
            if key in wanted:
                self.holders[key] = invoice
        self.read_keys |= wanted

    def holder(self, key: NumberKey) -> Invoice | None:
        if key not in self.read_keys:
            self.read([key])
        return self.holders.get(key)

    def took(self, key: NumberKey, invoice: Invoice) -> None:
        self.read_keys.add(key)
        self.holders[key] = invoice

    def forget(self) -> None:
        self.read_keys.clear()
        self.holders.clear()


@dataclass(frozen=True)
class _Fields:
    invoice: dict
    source: dict


def _invoice_fields(item: Item, supplier: Supplier, number: str, external_number: str) -> _Fields:
    """The invoice's fields and its import fields, as the item gives them."""
    data = item.data
    invoice = data.model_dump(include=set(InvoiceIn.model_fields) - {"request_id"})
    invoice |= {"supplier_id": supplier.id, "supplier": None, "invoice_number": number}
    source = {
        "source_system": data.source_system,
        "source_invoice_id": data.source_invoice_id,
        "source_document_version": data.source_document_version or "",
        "source_content_hash": item.content_hash,
        "external_number": external_number,
        "external_reference": data.external_reference,
        "metadata": data.metadata,
    }
    return _Fields(invoice, source)


def _refusal_or_result(
    item: Item, existing: Invoice | None, batch: Batch, suppliers: _ChunkSuppliers
) -> ItemResult:
    try:
        return _apply_once_more_on_race(item, existing, batch, suppliers)
    except (ItemConflict, PayablesError) as exc:
        return refusal(item, exc)
    except IntegrityError:
        # Another request stored the same identity or number between our read and write.
        logger.info(
            "Upsert item %d raced with a concurrent write; reporting a conflict", item.index
        )
        return ItemResult(
            item.index,
            "conflict",
            detail="changed concurrently; send the item again",
            source_invoice_id=item.data.source_invoice_id,
        )


def _apply_once_more_on_race(
    item: Item, existing: Invoice | None, batch: Batch, suppliers: _ChunkSuppliers
) -> ItemResult:
    """Apply the item in its own savepoint; should a unique constraint refuse it (a write
    that got past the lock), read its identity again and apply it once more."""
    try:
        with transaction.atomic():
            return _apply(item, existing, batch, suppliers)
    except IntegrityError:
        logger.info("Upsert item %d raced with a concurrent write; applying it again", item.index)
        suppliers.forget_item()
    existing = stored_by_identity(batch.actor, [item], lock=True).get(item.identity)
    with transaction.atomic():
        return _apply(item, existing, batch, suppliers)


def _apply(
    item: Item, existing: Invoice | None, batch: Batch, suppliers: _ChunkSuppliers
) -> ItemResult:
    """Write one item, under the chunk's lock, with ``existing`` as stored now."""
    actor, data, index = batch.actor, item.data, item.index
    if existing is not None:
        skip = skip_reason(existing, data, item.content_hash)
        if skip is not None:
            return done(index, "skipped", existing, data, detail=skip)
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
    fields = _invoice_fields(item, supplier, number, external_number)
    if existing is None:
        new = InvoiceIn(**fields.invoice)
        invoice = insert_invoice(
            new,
            actor=actor,
            supplier=supplier,
            rate=checked_rate(new, company=actor.company),
            source=fields.source,
            unknown_codes=batch.unknown_codes,
        )
        outcome: Outcome = "imported"
    else:
        fields.invoice.pop("origin")
        patch = InvoicePatch(**fields.invoice)
        invoice = update_invoice(
            existing, patch, actor=actor, source=fields.source, unknown_codes=batch.unknown_codes
        )
        outcome = "updated"
    if data.attachments:
        add_new_attachments(invoice, data, actor, is_new=existing is None)
    if batch.after_apply is not None:
        batch.after_apply(index, invoice, outcome)
    return done(index, outcome, invoice, data)
