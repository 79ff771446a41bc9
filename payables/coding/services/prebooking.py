"""Prebooking: an invoice split into shares of its gross, by percent or by sum.

A split's ``sum`` wins over its ``percent`` when both are given; after that every split
must be of one kind (all sums, or all percentages), so it is plain what the shares are of.
Percentages total 100; sums total the gross, to the cent. Each split's amount, net and VAT
are its share of the invoice's, rounded to the cent, and the last split absorbs the
rounding, so the posting lines (source ``prebooking``) add up exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction

from payables.coding.inputs import PrebookingSplitIn
from payables.coding.models import PostingLine, PrebookingSplit
from payables.coding.queries import posting_lines_of
from payables.coding.services.access import require_codable, require_coder
from payables.coding.services.changes import record_coding_change
from payables.coding.services.posting_lines import sales_code_refused
from payables.coding.vat import line_amounts, vat_codes_by_code
from payables.errors import FieldError, ValidationFailed
from payables.events.services import lock_company_writes
from payables.invoices.coding import judge_row_codes
from payables.invoices.inputs import InvoiceRowIn
from payables.invoices.lifecycle import lock_invoice
from payables.invoices.models import Invoice
from payables.masterdata.models import VatCode
from payables.money import ZERO, currency_scale, fits_scale, quantize
from payables.tenancy.actors import Actor

HUNDRED = Decimal(100)


def set_prebooking(
    invoice: Invoice, splits: Sequence[PrebookingSplitIn], *, actor: Actor
) -> Invoice:
    """Split the invoice by these shares; they replace its posting lines and earlier splits.

    Allowed while the invoice is new, assigned, approved or rejected (else 409).
    """
    with transaction.atomic():
        lock_company_writes(actor.company)
        invoice = lock_invoice(invoice)
        require_codable(invoice, "prebooking")
        before = posting_lines_of(invoice)
        wanted = [(split.account_code, split.dimensions) for split in splits]
        require_coder(invoice, actor, wanted, before, where="splits")
        codes = vat_codes_by_code(invoice.company, (s.vat_code for s in splits))
        _check(invoice, splits, codes)
        by_sum = splits[0].sum is not None
        shares = _shares(invoice, splits, by_sum=by_sum)
        lines = _lines(invoice, splits, shares, codes)
        invoice.prebooking_splits.all().delete()
        PrebookingSplit.objects.bulk_create(
            PrebookingSplit(
                invoice=invoice,
                position=position,
                percent=None if by_sum else split.percent,
                sum=split.sum if by_sum else None,
                account_code=split.account_code,
                vat_code=split.vat_code,
                dimensions=dict(split.dimensions),
                description=split.description,
            )
            for position, split in enumerate(splits, start=1)
        )
        kind = "sum" if by_sum else "percent"
        record_coding_change(
            invoice,
            before,
            lines,
            actor=actor,
            how="prebooking",
            comment=f"prebooked by {kind}: {len(lines)} split(s)",
        )
    return invoice


def _check(
    invoice: Invoice, splits: Sequence[PrebookingSplitIn], codes: dict[str, VatCode]
) -> None:
    """Refuse with every problem located: codes, kinds of split, scale and totals."""
    cur = invoice.currency
    rows = [
        InvoiceRowIn(
            net_amount=ZERO,
            account_code=s.account_code,
            vat_code=s.vat_code,
            dimensions=s.dimensions,
        )
        for s in splits
    ]
    problems = judge_row_codes(invoice.company, rows, on=invoice.invoice_date, where="splits")
    for i, split in enumerate(splits):
        found = codes.get(split.vat_code)
        if found is not None and found.kind == VatCode.Kind.SALES:
            problems.append(sales_code_refused(split.vat_code, ["splits", i, "vat_code"]))
        if found is not None and found.is_reverse_charge and invoice.vat_amount:
            problems.append(
                FieldError(
                    f"VAT code {split.vat_code!r} is reverse charge, but the invoice charges "
                    "VAT: code its share with the VAT code it was charged with.",
                    loc=["splits", i, "vat_code"],
                    code="reverse_charge_vat",
                )
            )
        if split.sum is not None and not fits_scale(split.sum, cur):
            problems.append(
                FieldError(
                    f"{cur} amounts have at most {currency_scale(cur)} decimals",
                    loc=["splits", i, "sum"],
                    code="amount_scale",
                )
            )
    by_sum = [split.sum is not None for split in splits]
    if any(by_sum) and not all(by_sum):
        problems.append(
            FieldError(
                "Split by percent or by sum, not both: give every split a sum, or none.",
                loc=["splits"],
                code="mixed_split_kinds",
            )
        )
    elif invoice.gross_amount == 0:
        problems.append(
            FieldError("An invoice of zero cannot be split.", loc=["splits"], code="zero_gross")
        )
    elif all(by_sum):
        total = sum((s.sum for s in splits), ZERO)
        if total != invoice.gross_amount:
            problems.append(
                FieldError(
                    f"The sums add up to {quantize(total, cur)} {cur}; the invoice's gross is "
                    f"{quantize(invoice.gross_amount, cur)} {cur}.",
                    loc=["splits"],
                    code="totals_mismatch",
                )
            )
    else:
        total = sum((s.percent for s in splits), ZERO)
        if total != HUNDRED:
            problems.append(
                FieldError(
                    f"The percentages add up to {total.normalize():f}; they must total 100.",
                    loc=["splits"],
                    code="percent_total",
                )
            )
    if problems:
        raise ValidationFailed(problems)


def _shares(
    invoice: Invoice, splits: Sequence[PrebookingSplitIn], *, by_sum: bool
) -> list[Decimal]:
    """Each split's part of the gross; percentages rounded, the last takes what is left."""
    gross = invoice.gross_amount
    if by_sum:
        return [split.sum for split in splits]
    return _apportion(gross, [split.percent for split in splits], HUNDRED, invoice.currency)


def _lines(
    invoice: Invoice,
    splits: Sequence[PrebookingSplitIn],
    shares: list[Decimal],
    codes: dict[str, VatCode],
) -> list[PostingLine]:
    cur, gross = invoice.currency, invoice.gross_amount
    nets = _apportion(invoice.net_amount, shares, gross, cur)
    vats = _apportion(invoice.vat_amount, shares, gross, cur)
    return [
        PostingLine(
            invoice=invoice,
            position=position,
            source=PostingLine.Source.PREBOOKING,
            description=split.description,
            account_code=split.account_code,
            vat_code=split.vat_code,
            dimensions=dict(split.dimensions),
            **vars(line_amounts(net, vat, codes.get(split.vat_code), cur)),
        )
        for position, (split, net, vat) in enumerate(zip(splits, nets, vats, strict=True), start=1)
    ]


def _apportion(
    total: Decimal, weights: Sequence[Decimal], whole: Decimal, currency: str
) -> list[Decimal]:
    """Share ``total`` by ``weights`` out of ``whole``, rounded; the last absorbs the rest.

    >>> thirds = [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    >>> _apportion(Decimal("100.00"), thirds, Decimal(100), "EUR")
    [Decimal('33.33'), Decimal('33.33'), Decimal('33.34')]
    """
    parts = [quantize(total * weight / whole, currency) for weight in weights[:-1]]
    return [*parts, total - sum(parts, ZERO)]
