"""Replacing an invoice's posting lines by hand (``manual``), until accounting has it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from django.db import transaction

from payables.coding.inputs import PostingLineIn
from payables.coding.models import PostingLine
from payables.coding.queries import posting_lines_of
from payables.coding.services.access import require_codable, require_coder
from payables.coding.services.changes import record_coding_change
from payables.coding.vat import charged_vat, line_amounts, vat_codes_by_code
from payables.errors import FieldError, ValidationFailed
from payables.events.services import lock_company_writes
from payables.invoices.coding import judge_row_codes
from payables.invoices.inputs import InvoiceRowIn
from payables.invoices.lifecycle import lock_invoice
from payables.invoices.models import Invoice
from payables.masterdata.models import VatCode
from payables.money import ZERO, currency_scale, fits_scale, quantize
from payables.tenancy.actors import Actor


def replace_posting_lines(
    invoice: Invoice, lines: Sequence[PostingLineIn], *, actor: Actor
) -> Invoice:
    """Replace the invoice's posting lines with these (source ``manual``).

    Allowed while the invoice is new, assigned, approved or rejected (else 409). Codes are
    judged as invoice rows' are; net and VAT must add up to the invoice's to the cent.
    A line without ``vat_amount`` gets net * its VAT code's rate. Prebooking splits, if
    any, are dropped: these lines replace them.
    """
    with transaction.atomic():
        lock_company_writes(actor.company)
        invoice = lock_invoice(invoice)
        require_codable(invoice, "posting lines")
        before = posting_lines_of(invoice)
        wanted = [(line.account_code, line.dimensions) for line in lines]
        require_coder(invoice, actor, wanted, before, where="lines")
        new = _checked_lines(invoice, lines)
        invoice.prebooking_splits.all().delete()
        record_coding_change(
            invoice,
            before,
            new,
            actor=actor,
            how="posting_lines",
            comment=f"posting lines replaced: {len(new)} line(s)",
        )
    return invoice


def _checked_lines(invoice: Invoice, lines: Sequence[PostingLineIn]) -> list[PostingLine]:
    """Unsaved lines with their amounts, or a 422 naming every problem."""
    cur = invoice.currency
    problems, codes = line_code_problems(invoice, lines)
    problems += list(_refused_amounts(lines, cur))
    if problems:
        raise ValidationFailed(problems)
    vats = [
        line.vat_amount
        if line.vat_amount is not None
        else charged_vat(line.net_amount, codes.get(line.vat_code), cur)
        for line in lines
    ]
    problems += totals_problems(invoice, [line.net_amount for line in lines], vats, "lines")
    if problems:
        raise ValidationFailed(problems)
    return [
        PostingLine(
            invoice=invoice,
            position=position,
            source=PostingLine.Source.MANUAL,
            description=line.description,
            account_code=line.account_code,
            vat_code=line.vat_code,
            dimensions=dict(line.dimensions),
            **vars(line_amounts(line.net_amount, vat, codes.get(line.vat_code), cur)),
        )
        for position, (line, vat) in enumerate(zip(lines, vats, strict=True), start=1)
    ]


def line_code_problems(
    invoice: Invoice, lines: Sequence[PostingLineIn | PostingLine]
) -> tuple[list[FieldError], dict[str, VatCode]]:
    """What is wrong with the lines' codes, at ``["lines", i, …]``, and their VAT codes.

    The codes are checked as invoice rows' are (known, active, valid on the invoice date);
    a sales VAT code is refused, and a reverse-charge one on a line that charges VAT.
    """
    rows = [
        InvoiceRowIn(
            net_amount=line.net_amount,
            account_code=line.account_code,
            vat_code=line.vat_code,
            dimensions=line.dimensions,
        )
        for line in lines
    ]
    problems = judge_row_codes(invoice.company, rows, on=invoice.invoice_date, where="lines")
    codes = vat_codes_by_code(invoice.company, (line.vat_code for line in lines))
    for i, line in enumerate(lines):
        found = codes.get(line.vat_code)
        if found is not None and found.kind == VatCode.Kind.SALES:
            problems.append(sales_code_refused(line.vat_code, ["lines", i, "vat_code"]))
        if found is not None and found.is_reverse_charge and line.vat_amount:
            problems.append(
                FieldError(
                    f"VAT code {line.vat_code!r} is reverse charge: the invoice charges no "
                    "VAT on the line (the self-assessed VAT is computed).",
                    loc=["lines", i, "vat_amount"],
                    code="reverse_charge_vat",
                )
            )
    return problems, codes


def _refused_amounts(lines: Sequence[PostingLineIn], currency: str) -> Iterator[FieldError]:
    for i, line in enumerate(lines):
        for name in ("net_amount", "vat_amount"):
            value = getattr(line, name)
            if value is not None and not fits_scale(value, currency):
                yield FieldError(
                    f"{currency} amounts have at most {currency_scale(currency)} decimals",
                    loc=["lines", i, name],
                    code="amount_scale",
                )


def sales_code_refused(code: str, loc: list) -> FieldError:
    return FieldError(
        f"VAT code {code!r} is a sales code; a purchase invoice is coded with purchase codes.",
        loc=loc,
        code="sales_vat_code",
    )


def totals_problems(
    invoice: Invoice, nets: Sequence[Decimal], vats: Sequence[Decimal], where: str
) -> list[FieldError]:
    """Net and VAT of the lines must equal the invoice's, to the cent."""
    cur = invoice.currency
    problems = []
    for what, total, own in (
        ("net", sum(nets, ZERO), invoice.net_amount),
        ("VAT", sum(vats, ZERO), invoice.vat_amount),
    ):
        if total != own:
            problems.append(
                FieldError(
                    f"The lines' {what} adds up to {quantize(total, cur)} {cur}; the invoice's "
                    f"{what} is {quantize(own, cur)} {cur} (off by {quantize(total - own, cur)}).",
                    loc=[where],
                    code="totals_mismatch",
                )
            )
    return problems
