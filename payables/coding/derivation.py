"""Posting lines as an invoice's rows (or, without rows, its VAT breakdown) say them.

Computed, never stored here: ``services.derivation`` stores them when an invoice is created
or changed, and ``queries`` computes them for an invoice that has none stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from payables.coding.drafts import LineDraft
from payables.coding.models import PostingLine
from payables.coding.vat import line_amounts, vat_codes_by_code
from payables.invoices.models import Invoice
from payables.masterdata.models import ProductItem
from payables.money import ZERO, quantize

Source = PostingLine.Source


def derive_drafts(invoice: Invoice) -> list[LineDraft]:
    """The lines the invoice's rows (or, without rows, its VAT breakdown) say.

    Row VAT that is missing, or does not add up to the invoice's VAT (rounded per row),
    is made to: see ``_reconcile_vat``.
    """
    rows = list(invoice.rows.all())
    cur = invoice.currency
    if not rows:
        return _header_drafts(invoice)
    from_items = _item_accounts(invoice, rows)
    drafts = []
    for position, row in enumerate(rows, start=1):
        vat = row.vat_amount
        if vat is None and row.vat_rate is not None:
            vat = quantize(row.net_amount * row.vat_rate / 100, cur)
        from_item = bool(row.account_code) and from_items.get(row.product_code) == row.account_code
        drafts.append(
            LineDraft(
                position=position,
                net_amount=row.net_amount,
                vat_amount=vat,  # None for now: given its share below
                vat_rate=row.vat_rate,
                row_position=row.position,
                description=row.description,
                item_code=row.item_code,
                product_code=row.product_code,
                account_code=row.account_code,
                vat_code=row.vat_code,
                dimensions=dict(row.dimensions or {}),
                source=Source.ITEM if from_item else Source.ROW,
            )
        )
    _reconcile_vat(drafts, invoice.vat_amount, cur)
    return drafts


def lines_from_drafts(invoice: Invoice, drafts: Sequence[LineDraft]) -> list[PostingLine]:
    """Unsaved posting lines with the VAT of each split by its code's treatment."""
    codes = vat_codes_by_code(invoice.company, (d.vat_code for d in drafts))
    lines = []
    for position, draft in enumerate(drafts, start=1):
        amounts = line_amounts(
            draft.net_amount, draft.vat_amount or ZERO, codes.get(draft.vat_code), invoice.currency
        )
        lines.append(
            PostingLine(
                invoice=invoice,
                position=position,
                source=draft.source,
                row_position=draft.row_position,
                description=draft.description[:1000],
                account_code=draft.account_code,
                vat_code=draft.vat_code,
                dimensions=dict(draft.dimensions),
                confidence=draft.confidence,
                **vars(amounts),
            )
        )
    return lines


def reconciles(invoice: Invoice, lines: Sequence[PostingLine]) -> bool:
    """Whether the lines add up to the invoice's net and VAT exactly."""
    net = sum((line.net_amount for line in lines), ZERO)
    vat = sum((line.vat_amount for line in lines), ZERO)
    return bool(lines) and net == invoice.net_amount and vat == invoice.vat_amount


def _header_drafts(invoice: Invoice) -> list[LineDraft]:
    """An invoice without rows: one line per VAT breakdown line, else one for it all."""
    vat_lines = list(invoice.vat_lines.all())
    if not vat_lines:
        return [LineDraft(position=1, net_amount=invoice.net_amount, vat_amount=invoice.vat_amount)]
    drafts = [
        LineDraft(
            position=position,
            net_amount=line.base_amount,
            vat_amount=line.vat_amount,
            vat_rate=line.vat_rate,
            vat_code=line.vat_code,
        )
        for position, line in enumerate(vat_lines, start=1)
    ]
    _reconcile_vat(drafts, invoice.vat_amount, invoice.currency)
    return drafts


def _reconcile_vat(drafts: list[LineDraft], total: Decimal, currency: str) -> None:
    """Make the lines' VAT add up to the invoice's: rows without VAT share what is left by
    their net (the last absorbs the rounding); else the line with the most VAT takes the
    difference of rounding per row."""
    missing = [d for d in drafts if d.vat_amount is None]
    known = sum((d.vat_amount for d in drafts if d.vat_amount is not None), ZERO)
    left = total - known
    for draft in missing:
        draft.vat_amount = ZERO
    if not left:
        return
    takers = missing or drafts
    base = sum((d.net_amount for d in takers), ZERO)
    if missing and base:
        shared = ZERO
        for draft in takers[:-1]:
            draft.vat_amount = quantize(left * draft.net_amount / base, currency)
            shared += draft.vat_amount
        takers[-1].vat_amount = left - shared
        return
    biggest = max(takers, key=lambda d: (abs(d.vat_amount), abs(d.net_amount)))
    biggest.vat_amount += left


def _item_accounts(invoice: Invoice, rows: list) -> dict[str, str]:
    """The default account of each product item the rows name (to tell ``item`` coding)."""
    codes = {row.product_code for row in rows if row.product_code}
    if not codes:
        return {}
    items = ProductItem.objects.filter(company=invoice.company_id, code__in=codes)
    return {
        code: account
        for code, account in items.values_list("code", "default_account__code")
        if account
    }
