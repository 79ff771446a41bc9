"""Merit's TaxAmount lines and TotalAmount read as a VAT breakdown and a net amount.

Merit writes a purchase with proportional VAT (a VAT code with a non-deductible share)
the way it books it: ``TaxAmount`` holds only the deductible VAT and ``TotalAmount`` the
rows plus the non-deductible VAT, which is a cost. Its own example: a row of 10.00 at 20 %
of which 34 % is deductible says ``TaxAmount`` 0.68 and ``TotalAmount`` 11.32. payables
keeps the invoice as the supplier wrote it (net 10.00, VAT 2.00, gross 12.00) and splits
the VAT by the code when it derives the posting lines (``coding/vat.py``: expense 11.32,
deductible VAT 0.68). So when ``TotalAmount`` is not the sum of the rows, and the lines of
proportional codes account for the difference exactly as those codes split VAT, the full
VAT is restored; otherwise the amounts go on as sent, for the invoice's own checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from payables.coding.vat import charged_vat, line_amounts
from payables.compat.merit.schemas import TaxIn
from payables.errors import FieldError
from payables.masterdata.models import VatCode
from payables.money import ZERO, format_amount


@dataclass(frozen=True)
class TaxLine:
    """One line of the VAT breakdown, and where in the payload it came from."""

    code: VatCode
    base: Decimal
    vat: Decimal
    loc: tuple


@dataclass(frozen=True)
class Taxes:
    lines: list[TaxLine]
    net: Decimal


def read_taxes(
    taxes: list[TaxIn],
    rows: list[tuple[UUID, Decimal]],
    codes: dict[UUID, VatCode],
    *,
    total: Decimal | None,
    currency: str,
    problems: list[FieldError],
) -> Taxes:
    """The breakdown and net amount the TaxAmount lines and TotalAmount stand for.

    ``rows`` are each row's (TaxId, net). Each TaxId the rows use gets a line with the
    base of its rows; a TaxId the rows use that TaxAmount leaves out is a line without
    VAT only when its code charges none, and a TaxAmount line no row uses is dropped
    when it has no VAT.
    """
    bases: dict[UUID, Decimal] = {}
    first_row: dict[UUID, int] = {}
    for index, (tax_id, net) in enumerate(rows):
        bases[tax_id] = bases.get(tax_id, ZERO) + net
        first_row.setdefault(tax_id, index)
    amounts: dict[UUID, Decimal] = {}
    where: dict[UUID, tuple] = {}
    for j, tax in enumerate(taxes):
        loc = ("TaxAmount", j, "TaxId")
        if tax.TaxId in amounts:
            problems.append(FieldError("This TaxId has a line already.", loc=loc, code="duplicate"))
        elif tax.TaxId not in bases and tax.Amount:
            problems.append(FieldError("No InvoiceRow has this TaxId.", loc=loc, code="unused"))
        elif tax.TaxId in bases:
            amounts[tax.TaxId], where[tax.TaxId] = tax.Amount, ("TaxAmount", j)
    for tax_id, index in first_row.items():
        code = codes.get(tax_id)
        if tax_id in amounts or code is None:
            continue
        if charged_vat(bases[tax_id], code, currency):
            problems.append(
                FieldError(
                    "TaxAmount has no line for this TaxId.",
                    loc=("InvoiceRow", index, "TaxId"),
                    code="missing",
                )
            )
        amounts[tax_id], where[tax_id] = ZERO, ("InvoiceRow", index)
    rows_net = sum((net for _, net in rows), ZERO)
    known = {tax_id: code for tax_id, code in codes.items() if tax_id in amounts}
    net = rows_net if total is None else total
    if net != rows_net:
        restored = _restore_proportional(amounts, bases, known, net - rows_net, currency)
        if restored is not None:
            amounts, net = restored, rows_net
        elif any(_is_proportional(code) for code in known.values()):
            problems.append(_not_proportional(total, rows_net, currency))
    lines = [
        TaxLine(code=known[tax_id], base=bases[tax_id], vat=amounts[tax_id], loc=where[tax_id])
        for tax_id in amounts
        if tax_id in known
    ]
    return Taxes(lines=lines, net=net)


def _restore_proportional(
    amounts: dict[UUID, Decimal],
    bases: dict[UUID, Decimal],
    codes: dict[UUID, VatCode],
    difference: Decimal,
    currency: str,
) -> dict[UUID, Decimal] | None:
    """The full VAT of each line, if the deductible amounts sent and the difference between
    TotalAmount and the rows are exactly the proportional codes' split; else None."""
    proportional = [tax_id for tax_id, code in codes.items() if _is_proportional(code)]
    if not proportional:
        return None
    if len(proportional) == 1:
        # One such code: its non-deductible VAT is the whole difference.
        (tax_id,) = proportional
        full = {tax_id: amounts[tax_id] + difference}
    else:
        full = {t: charged_vat(bases[t], codes[t], currency) for t in proportional}
    kept = ZERO
    for tax_id, vat in full.items():
        split = line_amounts(bases[tax_id], vat, codes[tax_id], currency)
        if split.deductible_vat_amount != amounts[tax_id]:
            return None
        kept += split.non_deductible_vat_amount
    if kept != difference:
        return None
    return amounts | full


def _is_proportional(code: VatCode) -> bool:
    return bool(code.non_deductible_share) and not code.is_reverse_charge


def _not_proportional(total: Decimal | None, rows_net: Decimal, currency: str) -> FieldError:
    return FieldError(
        f"TotalAmount {format_amount(total or ZERO, currency)} is neither the sum of the rows "
        f"({format_amount(rows_net, currency)}) nor, with proportional VAT, the rows plus the "
        "VAT that is not deductible (TaxAmount then holding the deductible VAT only).",
        loc=("TotalAmount",),
        code="totals_mismatch",
    )
