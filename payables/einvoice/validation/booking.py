"""Layer 3: the checks an accounts-payable clerk makes before booking, for every format.

They run on the canonical model, so Finvoice and Estonian e-invoices (which have no
official schematron) get the same arithmetic as UBL and CII. Locations are paths in the
canonical model with the EN 16931 term in brackets. A difference of at most
``rounding_tolerance`` per line involved is a warning (rounding); more is an error, except
where the official EN 16931 rules accept the document anyway (their verdict is the
reference, measured against the corpus):

- PAY-REQ-01..06 seller name and identity, number, issue date, currency, totals (error;
  a missing amount due beside a stated gross total only warns, and a missing tax
  exclusive amount beside a stated line total is derived from it with a warning, as the
  import derives it: ZUGFeRD 1.0 BASIC may leave out TaxBasisTotalAmount);
- PAY-CUR-01 currency code shape; PAY-DAT-01 due date before issue date (warning);
- PAY-TOT-01..07 line nets, allowances, charges, tax exclusive, VAT total, tax inclusive
  and amount due reconcile (error beyond the tolerance; header-only documents skip the
  line sum, and Factur-X MINIMUM, which cannot state a prepaid amount, only warns on
  the amount due);
- PAY-VAT-01 each rate's VAT is base x rate (error from one currency unit on, the slack
  of BR-CO-17), PAY-VAT-02 the bases add up to the tax exclusive amount, PAY-VAT-03 each
  rate's base is its lines' nets - allowances + charges (BR-S-08);
- PAY-LINE-01 each line net is quantity x price / base quantity - allowances + charges,
  PAY-AC-01 each allowance or charge with a base and a percentage is base x percentage
  (document and line level): an error beyond rounding where no reading real documents
  use reconciles the figures, a warning where one does (see ``arithmetic``); warnings
  only for Finvoice and Estonian e-invoices, which lack the EN 16931 line model;
- PAY-SGN-01 a credit note signed against its format's convention (warning), PAY-SGN-02 a
  negative invoice (info; an error for a commercial invoice (380) with a negative total
  that names no invoice it corrects, BT-25).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from payables.einvoice.model import AllowanceCharge, Finding, Invoice, Line, ParsedDocument
from payables.einvoice.validation.arithmetic import check_line_net, check_percentage

DEFAULT_TOLERANCE = Decimal("0.01")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# BR-CO-17 / BR-S-09: the official rules accept a VAT amount less than one currency unit
# away from base x rate (VAT computed per line and summed drifts that far).
OFFICIAL_VAT_SLACK = Decimal(1)
_CURRENCY = re.compile(r"[A-Z]{3}")

# Formats that state a credit note's amounts positive (the type code says "credit"), and
# those that state them negative (Finvoice INV02).
POSITIVE_CREDIT_FORMATS = frozenset({"ubl", "cii", "zugferd1", "facturx-pdf"})
NEGATIVE_CREDIT_FORMATS = frozenset({"finvoice"})
# Formats without the EN 16931 line model: their line arithmetic only warns.
NATIONAL_FORMATS = frozenset({"finvoice", "ee-einvoice"})


def check_document(
    parsed: ParsedDocument, *, rounding_tolerance: Decimal = DEFAULT_TOLERANCE
) -> tuple[Finding, ...]:
    """Run the booking checks on every invoice of a parsed document."""
    many = len(parsed.invoices) > 1
    return tuple(
        finding
        for index, invoice in enumerate(parsed.invoices, start=1)
        for finding in check_booking(
            invoice,
            rounding_tolerance=rounding_tolerance,
            is_header_only=parsed.is_header_only,
            document_format=parsed.format,
            where=f"/invoice[{index}]" if many else "/invoice",
        )
    )


def check_booking(
    invoice: Invoice,
    *,
    rounding_tolerance: Decimal = DEFAULT_TOLERANCE,
    is_header_only: bool = False,
    document_format: str = "",
    where: str = "/invoice",
) -> tuple[Finding, ...]:
    """Check one invoice for booking; header-only documents skip the line checks."""
    check = _Checker(rounding_tolerance, where, strict=document_format not in NATIONAL_FORMATS)
    invoice = check.required(invoice)
    check.currency(invoice.currency)
    check.dates(invoice)
    if not is_header_only and invoice.lines:
        check.lines(invoice.lines, invoice.currency)
        check.line_total(invoice)
    check.document_allowances_charges(invoice)
    check.totals(invoice, is_header_only=is_header_only)
    check.vat(invoice, use_lines=not is_header_only and bool(invoice.lines))
    check.signs(invoice, document_format)
    return tuple(check.findings)


class _Checker:
    """Collects findings; compares stated amounts with computed ones under the tolerance."""

    def __init__(self, tolerance: Decimal, where: str, *, strict: bool = True) -> None:
        self.tolerance = abs(tolerance)
        self.where = where
        self.strict = strict  # line arithmetic beyond every reading is an error
        self.findings: list[Finding] = []

    def add(self, rule_id: str, severity: str, message: str, location: str) -> None:
        self.findings.append(Finding(rule_id, severity, message, f"{self.where}/{location}"))

    def compare(
        self,
        rule_id: str,
        what: str,
        stated: Decimal | None,
        computed: Decimal | None,
        location: str,
        *,
        lines: int = 1,
        rounded: bool = False,
        slack: Decimal = Decimal(0),
        beyond: str = "error",
    ) -> None:
        """Stated vs computed: equal passes; off by at most the tolerance per line warns.

        ``rounded``: the computed value is a product (price x quantity, base x rate), so it
        is first rounded half-up to the stated amount's decimals (at least cents).
        ``slack``: a larger difference the official EN 16931 rules accept, which only warns.
        ``beyond``: the severity past both, "warning" where the stated amount is what is
        booked anyway and the official rules do not object.
        """
        if stated is None or computed is None:
            return
        if rounded:
            computed = computed.quantize(_step(stated), rounding=ROUND_HALF_UP)
        difference = abs(stated - computed)
        if difference == 0:
            return
        allowed = self.tolerance * max(lines, 1)
        if difference <= allowed:
            severity, why = "warning", f"within the rounding tolerance of {allowed}"
        elif difference < slack:
            severity, why = "warning", f"less than the {slack} the EN 16931 rules allow"
        else:
            severity, why = beyond, f"beyond the rounding tolerance of {allowed}"
        self.add(
            rule_id,
            severity,
            f"{what}: the document states {stated}, the computed amount is {computed} "
            f"(difference {difference}, {why})",
            location,
        )

    def required(self, invoice: Invoice) -> Invoice:
        """Check what booking needs; answer the invoice with a derived BT-109 if it lacks one."""
        seller = invoice.seller
        if not seller.name:
            self.add("PAY-REQ-01", "error", "The seller's name is missing", "seller/name (BT-27)")
        if not (
            seller.vat_id or seller.registry_id or seller.tax_registration_id or seller.identifiers
        ):
            self.add(
                "PAY-REQ-02",
                "error",
                "The seller has no identity to book against: no VAT id, registration id, "
                "tax registration id or seller identifier",
                "seller/vat_id (BT-31, BT-30, BT-32, BT-29)",
            )
        if not invoice.number:
            self.add("PAY-REQ-03", "error", "The invoice number is missing", "number (BT-1)")
        if invoice.issue_date is None:
            self.add("PAY-REQ-04", "error", "The issue date is missing", "issue_date (BT-2)")
        if not invoice.currency:
            self.add("PAY-REQ-05", "error", "The invoice currency is missing", "currency (BT-5)")
        totals = invoice.totals
        if totals.tax_exclusive is None and totals.line_net_total is not None:
            derived = (
                totals.line_net_total - _zero(totals.allowance_total) + _zero(totals.charge_total)
            )
            message = (
                f"The tax exclusive amount (BT-109) is missing; derived as {derived} from the "
                "line total less allowances plus charges, as the import books it"
            )
            self.add("PAY-REQ-06", "warning", message, "totals/tax_exclusive (BT-109)")
            totals = replace(totals, tax_exclusive=derived)
            invoice = replace(invoice, totals=totals)
        for value, name, term in (
            (totals.tax_exclusive, "tax_exclusive", "BT-109"),
            (totals.tax_inclusive, "tax_inclusive", "BT-112"),
        ):
            if value is None:
                message = f"The total {name.replace('_', ' ')} ({term}) is missing"
                self.add("PAY-REQ-06", "error", message, f"totals/{name} ({term})")
        if totals.payable is None and totals.tax_inclusive is not None:
            # ZUGFeRD 1.0 BASIC and older Finvoice may leave it out: the gross total is due.
            message = "The amount due (BT-115) is missing; the tax inclusive total is due"
            self.add("PAY-REQ-06", "warning", message, "totals/payable (BT-115)")
        elif totals.payable is None:
            message = "The amount due (BT-115) is missing"
            self.add("PAY-REQ-06", "error", message, "totals/payable (BT-115)")
        return invoice

    def currency(self, code: str) -> None:
        if not code or _CURRENCY.fullmatch(code):
            return
        if _CURRENCY.fullmatch(code.upper()):
            message = f"The currency code {code!r} should be written in capitals ({code.upper()})"
            self.add("PAY-CUR-01", "warning", message, "currency (BT-5)")
        else:
            message = f"The currency code {code!r} is not a three-letter ISO 4217 code"
            self.add("PAY-CUR-01", "error", message, "currency (BT-5)")

    def dates(self, invoice: Invoice) -> None:
        if invoice.due_date and invoice.issue_date and invoice.due_date < invoice.issue_date:
            message = f"The due date {invoice.due_date} is before the issue date"
            self.add("PAY-DAT-01", "warning", f"{message} {invoice.issue_date}", "due_date (BT-9)")

    def lines(self, lines: Sequence[Line], currency: str) -> None:
        for index, line in enumerate(lines, start=1):
            at = f"lines[{index}]"
            for number, charge in enumerate(line.allowances_charges, start=1):
                self.percentage(charge, f"{at}/allowances_charges[{number}]")
            verdict = check_line_net(
                line,
                label=line.id or str(index),
                tolerance=self.tolerance,
                currency=currency,
                strict=self.strict,
            )
            if verdict is not None:
                self.add("PAY-LINE-01", *verdict, f"{at}/line_net (BT-131)")

    def line_total(self, invoice: Invoice) -> None:
        self.compare(
            "PAY-TOT-01",
            "Sum of line net amounts",
            invoice.totals.line_net_total,
            sum((line.line_net for line in invoice.lines), Decimal(0)),
            "totals/line_net_total (BT-106)",
            lines=len(invoice.lines),
        )

    def document_allowances_charges(self, invoice: Invoice) -> None:
        for number, charge in enumerate(invoice.allowances_charges, start=1):
            self.percentage(charge, f"allowances_charges[{number}]")
        totals = invoice.totals
        for is_charge, stated, rule_id, name, term in (
            (False, totals.allowance_total, "PAY-TOT-02", "allowance_total", "BT-107"),
            (True, totals.charge_total, "PAY-TOT-03", "charge_total", "BT-108"),
        ):
            amounts = [ac.amount for ac in invoice.allowances_charges if ac.is_charge == is_charge]
            if stated is None and not amounts:
                continue
            self.compare(
                rule_id,
                f"Sum of document-level {'charges' if is_charge else 'allowances'}",
                stated if stated is not None else Decimal(0),
                sum(amounts, Decimal(0)),
                f"totals/{name} ({term})",
            )

    def percentage(self, charge: AllowanceCharge, location: str) -> None:
        verdict = check_percentage(charge, tolerance=self.tolerance, strict=self.strict)
        if verdict is not None:
            self.add("PAY-AC-01", *verdict, f"{location}/amount")

    def totals(self, invoice: Invoice, *, is_header_only: bool) -> None:
        totals = invoice.totals
        if totals.line_net_total is not None:
            self.compare(
                "PAY-TOT-04",
                "Tax exclusive amount (line net total - allowances + charges)",
                totals.tax_exclusive,
                totals.line_net_total - _zero(totals.allowance_total) + _zero(totals.charge_total),
                "totals/tax_exclusive (BT-109)",
            )
        if invoice.vat_breakdown and totals.tax_total is not None:
            self.compare(
                "PAY-TOT-05",
                "VAT total (sum of the VAT breakdown)",
                totals.tax_total,
                sum((vat.tax_amount for vat in invoice.vat_breakdown), Decimal(0)),
                "totals/tax_total (BT-110)",
            )
        if totals.tax_exclusive is not None:
            # BT-110 is optional; without it the VAT breakdown states the VAT.
            vat = totals.tax_total
            if vat is None:
                vat = sum((breakdown.tax_amount for breakdown in invoice.vat_breakdown), Decimal(0))
            self.compare(
                "PAY-TOT-06",
                "Tax inclusive amount (tax exclusive + VAT)",
                totals.tax_inclusive,
                totals.tax_exclusive + vat,
                "totals/tax_inclusive (BT-112)",
            )
        if totals.tax_inclusive is not None:
            # Factur-X MINIMUM has no element for a prepaid amount (BT-113), so a gap
            # between the gross total and the amount due may be a prepayment it cannot state.
            unstated_prepaid = is_header_only and totals.prepaid is None
            self.compare(
                "PAY-TOT-07",
                "Amount due (tax inclusive - prepaid + rounding)",
                totals.payable,
                totals.tax_inclusive - _zero(totals.prepaid) + _zero(totals.rounding),
                "totals/payable (BT-115)",
                beyond="warning" if unstated_prepaid else "error",
            )

    def vat(self, invoice: Invoice, *, use_lines: bool) -> None:
        lines_per_rate = _lines_per_rate(invoice.lines) if use_lines else {}
        for index, vat in enumerate(invoice.vat_breakdown, start=1):
            if vat.rate is None:
                continue
            self.compare(
                "PAY-VAT-01",
                f"VAT of category {vat.category or '?'} at {vat.rate} % (taxable amount x rate)",
                vat.tax_amount,
                vat.taxable_amount * vat.rate / HUNDRED,
                f"vat_breakdown[{index}]/tax_amount (BT-117)",
                lines=lines_per_rate.get(vat.rate, 1),
                rounded=True,
                slack=OFFICIAL_VAT_SLACK,
            )
        if invoice.vat_breakdown and invoice.totals.tax_exclusive is not None:
            self.compare(
                "PAY-VAT-02",
                "Sum of VAT taxable amounts",
                invoice.totals.tax_exclusive,
                sum((vat.taxable_amount for vat in invoice.vat_breakdown), Decimal(0)),
                "totals/tax_exclusive (BT-109, BT-116)",
            )
        if use_lines:
            self.vat_bases(invoice)

    def vat_bases(self, invoice: Invoice) -> None:
        """Each rate's taxable amount is its lines' nets - allowances + charges (BR-S-08).

        Keyed by rate alone: some formats state no category on lines. Skipped when a line
        or a document-level allowance or charge has no rate, or a rate appears twice in
        the breakdown (two categories at 0 %), since the split is then not knowable.
        """
        rates = [vat.rate for vat in invoice.vat_breakdown]
        parts = [line.vat_rate for line in invoice.lines]
        parts += [charge.vat_rate for charge in invoice.allowances_charges]
        if None in rates or None in parts or len(set(rates)) != len(rates):
            return
        # Decimal keys compare by value: 19, 19.0 and 19.00 are one rate.
        bases: dict[Decimal | None, Decimal] = defaultdict(Decimal)
        for line in invoice.lines:
            bases[line.vat_rate] += line.line_net
        for charge in invoice.allowances_charges:
            bases[charge.vat_rate] += charge.amount if charge.is_charge else -charge.amount
        for index, vat in enumerate(invoice.vat_breakdown, start=1):
            self.compare(
                "PAY-VAT-03",
                f"Taxable amount at {vat.rate} % (its lines' nets - allowances + charges)",
                vat.taxable_amount,
                bases.get(vat.rate, Decimal(0)),
                f"vat_breakdown[{index}]/taxable_amount (BT-116)",
            )

    def signs(self, invoice: Invoice, document_format: str) -> None:
        payable = invoice.totals.payable
        if payable is None or payable == 0:
            return
        if invoice.is_credit_note:
            negative_by_convention = document_format in NEGATIVE_CREDIT_FORMATS
            positive_by_convention = document_format in POSITIVE_CREDIT_FORMATS
            if (payable < 0 and positive_by_convention) or (payable > 0 and negative_by_convention):
                self.add(
                    "PAY-SGN-01",
                    "warning",
                    f"A credit note (type {invoice.type_code}) with an amount due of {payable}: "
                    f"{document_format} states credit notes "
                    f"{'positive' if positive_by_convention else 'negative'}, so this one "
                    "reverses a credit; check the sign before booking",
                    "totals/payable (BT-115)",
                )
        elif payable < 0:
            gross = invoice.totals.tax_inclusive
            # A commercial invoice whose own total is negative and that names no invoice it
            # corrects is a credit note sent as an invoice: someone should look before it
            # books as a credit. Naming the corrected invoice (BT-25), it is a correction.
            unexplained = (
                invoice.type_code == "380"
                and gross is not None
                and gross < 0
                and not invoice.preceding_invoice
            )
            self.add(
                "PAY-SGN-02",
                "error" if unexplained else "info",
                f"An invoice (type {invoice.type_code}) with a negative amount due of {payable}: "
                + (
                    "its total is negative and it names no invoice it corrects (BT-25); "
                    "a credit note sent as an invoice"
                    if unexplained
                    else "it books as a credit"
                ),
                "totals/payable (BT-115)",
            )


def _lines_per_rate(lines: Sequence[Line]) -> dict[Decimal | None, int]:
    counts: dict[Decimal | None, int] = defaultdict(int)
    for line in lines:
        counts[line.vat_rate] += 1
    return counts


def _zero(value: Decimal | None) -> Decimal:
    return Decimal(0) if value is None else value


def _step(stated: Decimal) -> Decimal:
    """The precision to round a computed amount to: the stated amount's, at least cents."""
    exponent = stated.as_tuple().exponent
    return CENT if not isinstance(exponent, int) or exponent > -2 else Decimal(1).scaleb(exponent)
