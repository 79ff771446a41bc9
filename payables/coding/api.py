"""Coding endpoints: an invoice's posting lines and prebooking splits."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from payables.coding.queries import find_named_invoice, posting_lines_of, prebooking_of
from payables.coding.schemas import CodingOut, PostingLinesIn, PrebookingIn
from payables.coding.services import replace_posting_lines, set_prebooking
from payables.invoices.models import Invoice
from payables.invoices.queries import get_invoice
from payables.tenancy.auth import scoped

router = Router(tags=["coding"])
read = scoped("coding:read")
write = scoped("coding:write")


def _answer(request: HttpRequest, invoice: Invoice, notice: str | None = None) -> CodingOut:
    invoice = get_invoice(request.actor.company, str(invoice.id))
    return CodingOut.build(
        invoice, posting_lines_of(invoice), prebooking_of(invoice), notice=notice
    )


@router.get("/{ref}/posting-lines", response=CodingOut, auth=read)
def get_posting_lines(request: HttpRequest, ref: str) -> CodingOut:
    """The invoice's posting lines (by UUID or internal id), with its prebooking splits.

    Each line's VAT is split by its VAT code's non-deductible share: `deductible_vat_amount`
    is reclaimed, `non_deductible_vat_amount` is added to `expense_amount` (net + it). With a
    reverse-charge code the invoice charges no VAT and `reverse_charge_vat_amount` (net *
    rate) is self-assessed, split the same way.
    """
    return _answer(request, get_invoice(request.actor.company, ref))


@router.put("/{ref}/posting-lines", response=CodingOut, auth=write)
def put_posting_lines(request: HttpRequest, ref: str, payload: PostingLinesIn) -> CodingOut:
    """Replace the invoice's posting lines (source `manual`) while it is `new`, `assigned`,
    `approved` or `rejected`; exported, booked, cancelled or unread invoices answer 409
    `coding_not_editable`.

    The lines' `net_amount` must add up to the invoice's net and their `vat_amount` to its
    VAT, to the cent (else 422 at `["body", "lines"]`). A line without `vat_amount` gets net *
    its VAT code's rate (none for reverse charge or without a code). Codes are judged as
    invoice rows' are: an unknown, inactive or out-of-date account, VAT code or dimension
    value is a 422 at e.g. `["body", "lines", 0, "account_code"]`; a sales VAT code is
    refused too. Prebooking splits, if any, are dropped.

    The body may name the invoice too (`invoice_id`, `internal_id`): a UUID wins over an
    internal id naming another invoice, and `notice` says so.

    An approver (personal key) may change the coding of an invoice waiting for them when
    the company's `approvers_may_code` is on, to the accounts and dimension values they
    are allowed; else 403 (`approvers_may_not_code`, `invoice_not_waiting_for_you`,
    `coding_not_allowed` with `loc`). Where the company's `coding_change_restarts_chain` is
    on, changing a dimension a routing rule looks at restarts an assigned invoice's chain.
    Every change is an audit entry and an `invoice.coding_changed` event.
    """
    invoice, notice = find_named_invoice(
        request.actor.company, ref, invoice_id=payload.invoice_id, internal_id=payload.internal_id
    )
    invoice = replace_posting_lines(invoice, payload.lines, actor=request.actor)
    return _answer(request, invoice, notice)


@router.get("/{ref}/prebooking", response=CodingOut, auth=read)
def get_prebooking(request: HttpRequest, ref: str) -> CodingOut:
    """The invoice's prebooking splits and the posting lines they became."""
    return _answer(request, get_invoice(request.actor.company, ref))


@router.put("/{ref}/prebooking", response=CodingOut, auth=write)
def put_prebooking(request: HttpRequest, ref: str, payload: PrebookingIn) -> CodingOut:
    """Split the invoice by `percent` of its gross or by `sum` (a split's sum wins over its
    percent); after that every split must be of one kind (422 `mixed_split_kinds`).

    Percentages total 100, sums the gross to the cent (422 at `["body", "splits"]`). Each
    split's share, net and VAT are rounded to the cent and the last split absorbs the
    rounding, so its posting lines (source `prebooking`) add up exactly. `vat_code` must
    be a purchase code (a sales code: 422 `sales_vat_code`). States, approvers, the body's
    ids, events and chain restarts: as `PUT …/posting-lines`.
    """
    invoice, notice = find_named_invoice(
        request.actor.company, ref, invoice_id=payload.invoice_id, internal_id=payload.internal_id
    )
    invoice = set_prebooking(invoice, payload.splits, actor=request.actor)
    return _answer(request, invoice, notice)
