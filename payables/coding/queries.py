"""Reads of coding: an invoice's posting lines and prebooking splits, as stored.

An invoice created before posting lines existed has none stored: its lines are computed
from its rows when read (a read never writes), as they would have been derived, without
rules or suggestions; the first change of its coding stores them.
"""

from __future__ import annotations

from uuid import UUID

from payables.coding.derivation import derive_drafts, lines_from_drafts
from payables.coding.models import PostingLine, PrebookingSplit
from payables.errors import FieldError
from payables.invoices.errors import InvoiceNotFound
from payables.invoices.models import Invoice
from payables.invoices.queries import get_invoice
from payables.money import format_amount
from payables.tenancy.models import Company


def posting_lines_of(invoice: Invoice) -> list[PostingLine]:
    """The invoice's posting lines (prefetched ``posting_lines`` are used when present)."""
    stored = list(invoice.posting_lines.all())
    return stored or lines_from_drafts(invoice, derive_drafts(invoice))


def prebooking_of(invoice: Invoice) -> list[PrebookingSplit]:
    return list(invoice.prebooking_splits.all())


def posting_lines_payload(invoice: Invoice, lines: list[PostingLine] | None = None) -> list[dict]:
    """The posting lines as events carry them (built here, never from an API schema)."""
    cur = invoice.currency
    return [
        {
            "position": line.position,
            "source": line.source,
            "row_position": line.row_position,
            "description": line.description,
            "account_code": line.account_code,
            "vat_code": line.vat_code,
            "dimensions": dict(line.dimensions),
            "net_amount": format_amount(line.net_amount, cur),
            "vat_amount": format_amount(line.vat_amount, cur),
            "reverse_charge_vat_amount": format_amount(line.reverse_charge_vat_amount, cur),
            "deductible_vat_amount": format_amount(line.deductible_vat_amount, cur),
            "non_deductible_vat_amount": format_amount(line.non_deductible_vat_amount, cur),
            "expense_amount": format_amount(line.expense_amount, cur),
        }
        for line in (posting_lines_of(invoice) if lines is None else lines)
    ]


def find_named_invoice(
    company: Company, ref: str, *, invoice_id: UUID | None, internal_id: int | None
) -> tuple[Invoice, str | None]:
    """The invoice the path and body name, and a notice when they name it differently.

    The path's ``ref`` is a UUID or an internal id; the body may add ``invoice_id`` and
    ``internal_id``. A UUID wins over an internal id that names another invoice (the
    notice says so); two UUIDs, or (without one) two internal ids, that disagree are a 422.
    """
    by_path = get_invoice(company, ref)
    path_is_uuid = _is_uuid(ref)
    if invoice_id is not None and invoice_id != by_path.id:
        if path_is_uuid:
            raise FieldError(
                "invoice_id names another invoice than the path.",
                loc=["body", "invoice_id"],
                code="invoice_mismatch",
            )
        invoice = invoice_in_body(company, str(invoice_id), loc=["body", "invoice_id"])
        return invoice, (
            f"The path names invoice {ref} (internal id) and the body invoice_id {invoice.id}; "
            f"the UUID wins: this is invoice {invoice.id} (internal id {invoice.internal_id})."
        )
    if internal_id is None or internal_id == by_path.internal_id:
        return by_path, None
    if path_is_uuid or invoice_id is not None:
        return by_path, (
            f"The body's internal_id {internal_id} names another invoice; the UUID wins: this "
            f"is invoice {by_path.id} (internal id {by_path.internal_id})."
        )
    raise FieldError(
        "internal_id names another invoice than the path.",
        loc=["body", "internal_id"],
        code="invoice_mismatch",
    )


def invoice_in_body(company: Company, ref: str, *, loc: list) -> Invoice:
    """The invoice a request body names (UUID or internal id).

    One it does not find (or another company's) is a 422 at ``loc``, as for other
    references in a body: the path was found, the input names nothing.
    """
    try:
        return get_invoice(company, ref)
    except InvoiceNotFound:
        raise FieldError(
            "No invoice with this id in the company.", loc=loc, code="unknown_invoice"
        ) from None


def _is_uuid(ref: str) -> bool:
    try:
        UUID(ref)
    except ValueError:
        return False
    return True
