"""An upsert item and its outcome: what the batch upsert (``upsert``) and the writing of
its chunks (``upsert_writes``) share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from django.db.models import Q, QuerySet

from payables.errors import Conflict, PayablesError, ValidationFailed
from payables.invoices.coding import UnknownCodes
from payables.invoices.inputs import ExternalInvoiceIn, ImportPolicy
from payables.invoices.models import Invoice, NumberingPolicy
from payables.invoices.services.upsert_decisions import ItemConflict
from payables.tenancy.actors import Actor

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


# Called inside an item's transaction after it was imported or updated: (index, invoice, outcome).
AfterApply = Callable[[int, Invoice, str], None]


@dataclass(frozen=True)
class Batch:
    """What every item of one upsert call shares."""

    actor: Actor
    import_policy: ImportPolicy
    policy: NumberingPolicy | None
    after_apply: AfterApply | None
    unknown_codes: UnknownCodes


@dataclass(frozen=True)
class Item:
    """A valid item of the batch and what is derived from it once."""

    index: int
    data: ExternalInvoiceIn
    content_hash: str

    @property
    def identity(self) -> tuple[str, str]:
        return (self.data.source_system, self.data.source_invoice_id)


def stored_by_identity(
    actor: Actor, items: list[Item], *, lock: bool = False
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


def done(
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


def conflict(item: Item, clash: ItemConflict) -> ItemResult:
    invoice = clash.invoice
    return ItemResult(
        item.index,
        "conflict",
        invoice_id=invoice.id if invoice else None,
        number=invoice.invoice_number if invoice else None,
        detail=clash.detail,
        source_invoice_id=item.data.source_invoice_id,
    )


def refusal(item: Item, exc: ItemConflict | PayablesError) -> ItemResult:
    """The outcome of an item its write refused."""
    source_id = item.data.source_invoice_id
    if isinstance(exc, ItemConflict):
        return conflict(item, exc)
    if isinstance(exc, Conflict):  # e.g. a duplicate number that raced past the policy's check
        return ItemResult(
            item.index,
            "conflict",
            invoice_id=exc.extra.get("existing_id"),
            detail=exc.message,
            source_invoice_id=source_id,
        )
    if isinstance(exc, ValidationFailed):
        return error(item.index, source_id, [_domain_error(e) for e in exc.errors])
    return error(item.index, source_id, [_domain_error(exc)])


def error(index: int, source_id: str | None, errors: list[dict]) -> ItemResult:
    return ItemResult(
        index,
        "error",
        source_invoice_id=source_id,
        detail=errors[0]["msg"] if errors else None,
        errors=[{"index": index, "source_invoice_id": source_id, **e} for e in errors],
    )


def pydantic_error(error: dict) -> dict:
    return {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}


def _domain_error(exc: PayablesError) -> dict:
    return {"loc": list(exc.loc or ()), "msg": exc.message, "type": exc.code}
