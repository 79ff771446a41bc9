"""What an upsert item becomes: skipped (its content and version against the stored ones),
the number it is stored under (the import policy), and the attachments it adds."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal

from payables.errors import FieldError
from payables.invoices.inputs import ExternalInvoiceIn, ImportPolicy
from payables.invoices.models import Attachment, Invoice, NumberingPolicy
from payables.invoices.numbering import version_key
from payables.invoices.services.attachments import (
    add_attachment,
    decode_base64_content,
    stored_filename,
)
from payables.invoices.services.invoices import number_holder
from payables.invoices.services.numbering import (
    ensure_default_numbering_policy,
    take_local_number,
)
from payables.masterdata.models import Supplier
from payables.tenancy.actors import Actor

# Fields of the payload that are not invoice content: a new version alone is no change.
_NOT_CONTENT = {"source_document_version", "request_id"}
# Line fields added after content hashes were first stored: left out of the hash while
# empty, so an item sent before they existed is still recognised as unchanged.
_ADDED_LATER = {
    "rows": ("product_code", "vat_code", "gtin", "order_line_reference"),
    "vat_breakdown": ("vat_category",),
}


class ItemConflict(Exception):
    """An item that cannot be applied; carries the invoice it clashes with."""

    def __init__(self, detail: str, invoice: Invoice | None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.invoice = invoice


def skip_reason(existing: Invoice, data: ExternalInvoiceIn, content_hash: str) -> str | None:
    """Say why an item needs no write, or None when it is an update (or a conflict)."""
    incoming, stored = data.source_document_version, existing.source_document_version
    if incoming and stored:
        if version_key(incoming) < version_key(stored):
            return "stale_version"
        if version_key(incoming) == version_key(stored):
            if content_hash == existing.source_content_hash:
                return "unchanged"
            raise ItemConflict(
                f"version {incoming} was already imported with different content; "
                "send a higher source_document_version",
                existing,
            )
        return None
    return "unchanged" if content_hash == existing.source_content_hash else None


def choose_number(
    data: ExternalInvoiceIn,
    supplier: Supplier,
    *,
    existing: Invoice | None,
    import_policy: ImportPolicy,
    policy: NumberingPolicy | None,
    company: object,
    holder_of: Callable[[], Invoice | None] | None = None,
) -> tuple[str, str]:
    """Return (invoice_number, external_number) under the import policy.

    A local number, when one is needed, is taken from the numbering policy: its counter
    moves on (the default policy is created the first time it is needed). ``holder_of``
    answers which live invoice has the item's number, when the caller knows (a chunk
    reads them for all its items); else the database is asked.
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
    holder = (
        holder_of()
        if holder_of is not None
        else _number_holder(supplier, external, data.type, exclude=existing)
    )
    if import_policy == "always_preserve_and_reject_on_conflict":
        if not external:
            raise FieldError(
                "invoice_number is required under always_preserve_and_reject_on_conflict.",
                loc=["invoice_number"],
                code="missing",
            )
        if holder is not None:
            kind = "credit note" if data.type == Invoice.Type.CREDIT_NOTE else "invoice"
            raise ItemConflict(
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
    return number_holder(supplier, number, kind, exclude=exclude.pk if exclude else None)


def add_new_attachments(
    invoice: Invoice, data: ExternalInvoiceIn, actor: Actor, *, is_new: bool
) -> None:
    """Attach what the invoice does not have yet: a file of other bytes or another name,
    a link to another URL (an e-invoice may carry the same file under two names)."""
    known = set()
    if not is_new:
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


def hash_content(data: ExternalInvoiceIn) -> str:
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
