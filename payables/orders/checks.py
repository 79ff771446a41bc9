"""What an order must satisfy before it is stored: unique line ids, amounts to the cent
that reconcile, codes the company's master data accepts, a known requester.

Every problem is collected and answered together as one located 422.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from payables.errors import FieldError, ValidationFailed
from payables.invoices.coding import judge_row_codes
from payables.invoices.inputs import InvoiceRowIn
from payables.masterdata.models import VatCode
from payables.money import ZERO, fits_scale, fits_storage, format_amount, quantize
from payables.orders.inputs import OrderLineIn, PurchaseOrderIn
from payables.tenancy.models import Company, CompanyUser
from payables.tenancy.queries import find_user

MONEY_WHOLE_DIGITS = 15
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class CheckedOrder:
    """The order's lines as stored (ids and nets filled in) and its totals."""

    lines: list[dict]
    net_amount: Decimal
    vat_amount: Decimal
    gross_amount: Decimal


def check_order(data: PurchaseOrderIn, *, company: Company) -> CheckedOrder:
    """Check the order's lines, codes and totals; raise one 422 naming every problem.

    A line's net is quantity times unit price (to the cent) when not given. Without a given
    VAT amount, VAT is each rate's net total times rate, the rate being the line's or its VAT
    code's (a line with neither adds none). Given net and gross must reconcile exactly.
    """
    problems: list[FieldError] = []
    cur = data.currency
    lines = [_line(i, line, cur, problems) for i, line in enumerate(data.lines)]
    _refuse_repeated_ids(lines, problems)
    problems += _judge_codes(data, company)
    rates = _purchase_vat_rates(data, company, problems)
    for name in ("net_amount", "vat_amount", "gross_amount"):
        given = getattr(data, name)
        if given is not None and not fits_scale(given, cur):
            problems.append(_scale_error([name], cur))
    if problems:
        raise ValidationFailed(problems)
    net = sum((line["net_amount"] for line in lines), ZERO)
    by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        rate = line["vat_rate"] if line["vat_rate"] is not None else rates.get(line["vat_code"])
        if line["vat_rate"] is None and rate is not None:
            line["vat_rate"] = rate
        if rate is not None:
            by_rate[rate] += line["net_amount"]
    computed_vat = sum(
        (quantize(base * rate / _HUNDRED, cur) for rate, base in by_rate.items()), ZERO
    )
    vat = data.vat_amount if data.vat_amount is not None else computed_vat
    gross = net + vat
    if data.net_amount is not None and data.net_amount != net:
        problems.append(_mismatch("net_amount", data.net_amount, "the sum of lines", net, cur))
    if data.gross_amount is not None and data.gross_amount != gross:
        problems.append(_mismatch("gross_amount", data.gross_amount, "net + VAT", gross, cur))
    if not fits_storage(gross, whole_digits=MONEY_WHOLE_DIGITS):
        problems.append(FieldError("The order's total is too large.", loc=["lines"]))
    if problems:
        raise ValidationFailed(problems)
    return CheckedOrder(lines, net, vat, gross)


def find_requester(company: Company, ref: str) -> CompanyUser:
    """A company user by UUID, email (any case) or code; an unknown one is a located 422."""
    found = find_user(company, ref)
    if found is None:
        raise FieldError(f"There is no user {ref!r}.", loc=["requester"], code="unknown_user")
    return found


def _line(index: int, line: OrderLineIn, currency: str, problems: list[FieldError]) -> dict:
    values = line.model_dump()
    values["line_id"] = line.line_id or str(index + 1)
    net = line.net_amount
    if net is None and line.unit_price is not None:
        net = quantize(line.quantity * line.unit_price, currency)
    if net is None:
        problems.append(
            FieldError(
                "Give net_amount or unit_price.", loc=["lines", index, "net_amount"], code="missing"
            )
        )
        net = ZERO
    elif not fits_scale(net, currency):
        problems.append(_scale_error(["lines", index, "net_amount"], currency))
    values["net_amount"] = net
    return values


def _refuse_repeated_ids(lines: list[dict], problems: list[FieldError]) -> None:
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if line["line_id"] in seen:
            problems.append(
                FieldError(
                    f"Line id {line['line_id']!r} is used by an earlier line.",
                    loc=["lines", i, "line_id"],
                    code="duplicate_line_id",
                )
            )
        seen.add(line["line_id"])


def _judge_codes(data: PurchaseOrderIn, company: Company) -> list[FieldError]:
    """Judge items, accounts, VAT codes and dimension values as an invoice's rows are."""
    rows = [
        InvoiceRowIn(
            product_code=line.item_code,
            net_amount=line.net_amount or ZERO,
            vat_code=line.vat_code,
            account_code=line.account_code,
            dimensions=line.dimensions,
        )
        for line in data.lines
    ]
    problems = judge_row_codes(company, rows, on=data.order_date, where="lines", items=True)
    renamed = {"product_code": "item_code"}
    return [
        FieldError(
            p.message.replace("product item", "item"),
            loc=[
                renamed.get(part, part) if isinstance(part, str) else part for part in p.loc or ()
            ],
            code=p.code,
        )
        for p in problems
    ]


def _purchase_vat_rates(
    data: PurchaseOrderIn, company: Company, problems: list[FieldError]
) -> dict[str, Decimal]:
    """The rates of the VAT codes the lines name; a sales VAT code is refused."""
    codes = {line.vat_code for line in data.lines if line.vat_code}
    if not codes:
        return {}
    found = {v.code: v for v in VatCode.objects.filter(company=company, code__in=codes)}
    for i, line in enumerate(data.lines):
        vat_code = found.get(line.vat_code)
        if vat_code is not None and vat_code.kind != VatCode.Kind.PURCHASES:
            problems.append(
                FieldError(
                    f"VAT code {line.vat_code!r} is for sales, not purchases.",
                    loc=["lines", i, "vat_code"],
                    code="not_a_purchase_vat_code",
                )
            )
    return {code: v.rate for code, v in found.items()}


def _scale_error(loc: list, currency: str) -> FieldError:
    return FieldError(
        f"Amounts in {currency} have at most {_decimals(currency)} decimals.",
        loc=loc,
        code="amount_scale",
    )


def _decimals(currency: str) -> int:
    return -quantize(Decimal(1), currency).as_tuple().exponent


def _mismatch(
    field: str, given: Decimal, what: str, expected: Decimal, currency: str
) -> FieldError:
    return FieldError(
        f"{field} {format_amount(given, currency)} does not equal {what} "
        f"{format_amount(expected, currency)}.",
        loc=[field],
        code="totals_mismatch",
    )
