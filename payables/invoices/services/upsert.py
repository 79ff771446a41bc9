"""Batch import and upsert of invoices from other systems, by immutable source identity.

Each item runs in its own transaction (a savepoint when the caller holds one), so one
bad item becomes an error entry while the others land. The outcome of every item is
reported: imported, updated, skipped, conflict or error.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal
from uuid import UUID

import pydantic
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from payables.errors import Conflict, FieldError, NotFound, PayablesError, ValidationFailed
from payables.events.services import lock_company_writes
from payables.invoices.coding import UnknownCodes
from payables.invoices.inputs import ExternalInvoiceIn, ImportPolicy, InvoiceIn, InvoicePatch
from payables.invoices.lifecycle import EDITABLE
from payables.invoices.models import Attachment, Invoice, NumberingPolicy
from payables.invoices.numbering import version_key
from payables.invoices.services.attachments import (
    add_attachment,
    decode_base64_content,
    stored_filename,
)
from payables.invoices.services.invoices import (
    create_invoice,
    resolve_supplier,
    update_invoice,
)
from payables.invoices.services.numbering import (
    ensure_default_numbering_policy,
    find_numbering_policy,
    take_local_number,
)
from payables.masterdata.models import Supplier
from payables.tenancy.actors import Actor

logger = logging.getLogger(__name__)

Outcome = Literal["imported", "updated", "skipped", "conflict", "error"]
# Fields of the payload that are not invoice content: a new version alone is no change.
_NOT_CONTENT = {"source_document_version", "request_id"}
# Line fields added after content hashes were first stored: left out of the hash while
# empty, so an item sent before they existed is still recognised as unchanged.
_ADDED_LATER = {
    "rows": ("product_code", "vat_code", "gtin", "order_line_reference"),
    "vat_breakdown": ("vat_category",),
}


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


class _ItemConflict(Exception):
    """An item that cannot be applied; carries the invoice it clashes with."""

    def __init__(self, detail: str, invoice: Invoice | None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.invoice = invoice


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
    seen: dict[tuple[str, str], int] = {}
    results = []
    batch = _Batch(actor, import_policy, policy, after_apply, unknown_codes)
    for index, item in enumerate(items):
        results.append(_upsert_item(index, item, batch, seen))
    report = UpsertReport(results=results)
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


def _upsert_item(
    index: int, item: object, batch: _Batch, seen: dict[tuple[str, str], int]
) -> ItemResult:
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
    try:
        return _apply_once_more_on_race(index, data, batch)
    except _ItemConflict as conflict:
        invoice = conflict.invoice
        return ItemResult(
            index,
            "conflict",
            invoice_id=invoice.id if invoice else None,
            number=invoice.invoice_number if invoice else None,
            detail=conflict.detail,
            source_invoice_id=source_id,
        )
    except Conflict as exc:  # e.g. a duplicate number that raced past the policy's check
        return ItemResult(
            index,
            "conflict",
            invoice_id=exc.extra.get("existing_id"),
            detail=exc.message,
            source_invoice_id=source_id,
        )
    except ValidationFailed as exc:
        return _error(index, source_id, [_domain_error(e) for e in exc.errors])
    except PayablesError as exc:
        return _error(index, source_id, [_domain_error(exc)])
    except IntegrityError:
        # Another request stored the same identity or number between our read and write.
        logger.info("Upsert item %d raced with a concurrent write; reporting a conflict", index)
        return ItemResult(
            index,
            "conflict",
            detail="changed concurrently; send the item again",
            source_invoice_id=source_id,
        )


def _apply_once_more_on_race(index: int, data: ExternalInvoiceIn, batch: _Batch) -> ItemResult:
    """Apply the item in its own transaction; if a concurrent request stored the same
    identity first (unique constraint), apply it again: it then sees that invoice."""
    try:
        with transaction.atomic():
            return _apply(index, data, batch)
    except IntegrityError:
        logger.info("Upsert item %d raced with a concurrent write; applying it again", index)
    with transaction.atomic():
        return _apply(index, data, batch)


def _apply(index: int, data: ExternalInvoiceIn, batch: _Batch) -> ItemResult:
    actor = batch.actor
    content_hash = _content_hash(data)
    # Decide "skipped" without locking: a re-sent batch then writes nothing and does not
    # queue behind the company's writers. Anything else re-reads under the lock.
    existing = _by_identity(actor, data).first()
    if existing is not None:
        skip = _skip_reason(existing, data, content_hash)
        if skip is not None:
            return _done(index, "skipped", existing, data, detail=skip)
    lock_company_writes(actor.company)
    existing = _by_identity(actor, data).select_for_update().first()
    if existing is not None:
        skip = _skip_reason(existing, data, content_hash)
        if skip is not None:
            return _done(index, "skipped", existing, data, detail=skip)
        if existing.status not in EDITABLE:
            # The answer carries the invoice's id and number; the detail names its state.
            raise _ItemConflict(
                f"invoice is {existing.status}; only new invoices can be updated", existing
            )
    supplier = resolve_supplier(data, actor=actor)
    number, external_number = _choose_number(
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
        "source_content_hash": content_hash,
        "external_number": external_number,
        "external_reference": data.external_reference,
        "metadata": data.metadata,
    }
    if existing is None:
        invoice = create_invoice(
            InvoiceIn(**invoice_fields),
            actor=actor,
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
    _add_new_attachments(invoice, data, actor)
    if batch.after_apply is not None:
        batch.after_apply(index, invoice, outcome)
    return _done(index, outcome, invoice, data)


def _by_identity(actor: Actor, data: ExternalInvoiceIn) -> QuerySet[Invoice]:
    """The invoice with this source identity; the filter repeats the partial unique
    index's condition so SQLite and PostgreSQL use that index."""
    return (
        Invoice.objects.for_company(actor.company)
        .filter(source_system=data.source_system, source_invoice_id=data.source_invoice_id)
        .exclude(source_system="")
        .order_by()
    )


def _skip_reason(existing: Invoice, data: ExternalInvoiceIn, content_hash: str) -> str | None:
    """Say why an item needs no write, or None when it is an update (or a conflict)."""
    incoming, stored = data.source_document_version, existing.source_document_version
    if incoming and stored:
        if version_key(incoming) < version_key(stored):
            return "stale_version"
        if version_key(incoming) == version_key(stored):
            if content_hash == existing.source_content_hash:
                return "unchanged"
            raise _ItemConflict(
                f"version {incoming} was already imported with different content; "
                "send a higher source_document_version",
                existing,
            )
        return None
    return "unchanged" if content_hash == existing.source_content_hash else None


def _choose_number(
    data: ExternalInvoiceIn,
    supplier: Supplier,
    *,
    existing: Invoice | None,
    import_policy: ImportPolicy,
    policy: NumberingPolicy | None,
    company: object,
) -> tuple[str, str]:
    """Return (invoice_number, external_number) under the import policy.

    A local number, when one is needed, is taken from the numbering policy: its counter
    moves on (the default policy is created the first time it is needed).
    """
    external = data.invoice_number or ""
    if existing is not None and external == (existing.external_number or existing.invoice_number):
        return existing.invoice_number, existing.external_number

    def local() -> tuple[str, str]:
        return take_local_number(
            policy or ensure_default_numbering_policy(company), supplier=supplier
        ), external

    if import_policy == "always_local_numbering":
        return local()
    holder = _number_holder(supplier, external, data.type, exclude=existing)
    if import_policy == "always_preserve_and_reject_on_conflict":
        if not external:
            raise FieldError(
                "invoice_number is required under always_preserve_and_reject_on_conflict.",
                loc=["invoice_number"],
                code="missing",
            )
        if holder is not None:
            kind = "credit note" if data.type == Invoice.Type.CREDIT_NOTE else "invoice"
            raise _ItemConflict(
                f"{supplier.name} already has {kind} {external}: {_described(holder)}", holder
            )
        return external, ""
    if external and holder is None:
        return external, ""
    return local()


def _described(invoice: Invoice) -> str:
    """Name an existing invoice in a conflict: its id, number and status."""
    return (
        f"invoice {invoice.invoice_number} (id {invoice.id}, "
        f"internal id {invoice.internal_id}, status {invoice.status})"
    )


def _number_holder(
    supplier: Supplier, number: str, kind: str, *, exclude: Invoice | None
) -> Invoice | None:
    """The live invoice of this supplier, type and number (a credit note is another document)."""
    if not number:
        return None
    return (
        Invoice.objects.filter(
            company=supplier.company_id, supplier=supplier, type=kind, invoice_number=number
        )
        .exclude(status=Invoice.Status.CANCELLED)
        .exclude(pk=exclude.pk if exclude else None)
        .first()
    )


def _add_new_attachments(invoice: Invoice, data: ExternalInvoiceIn, actor: Actor) -> None:
    """Attach what the invoice does not have yet: a file of other bytes or another name,
    a link to another URL (an e-invoice may carry the same file under two names)."""
    known = {
        (sha256, "", filename) if kind == Attachment.Kind.FILE else ("", url, "")
        for sha256, url, filename, kind in invoice.attachments.values_list(
            "sha256", "url", "filename", "kind"
        )
    }
    for position, item in enumerate(data.attachments):
        loc = ["attachments", position, "content_base64"]
        content = (
            decode_base64_content(item.content_base64, loc=loc)
            if item.content_base64 is not None
            else None
        )
        key = (
            (hashlib.sha256(content).hexdigest(), "", stored_filename(item.filename))
            if content is not None
            else ("", str(item.url), "")
        )
        if key in known:
            continue
        known.add(key)
        add_attachment(
            invoice,
            actor=actor,
            content=content,
            url=str(item.url) if item.url else None,
            filename=item.filename,
            content_type=item.content_type,
        )


def _content_hash(data: ExternalInvoiceIn) -> str:
    """Hash the payload's content so that "100.0" and "100.00" count as the same."""
    content = data.model_dump(exclude=_NOT_CONTENT)
    for key, names in _ADDED_LATER.items():
        for line in content[key]:
            for name in names:
                if line[name] == "":
                    del line[name]
    canonical = json.dumps(content, sort_keys=True, default=_canonical, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


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
