"""Map between the e-invoice engine's canonical model and payables invoices.

Inbound: a canonical invoice becomes an external-invoice item for the upsert machinery.
Outbound: a stored invoice becomes a canonical invoice that renders as UBL or Finvoice.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from decimal import Decimal

from payables.einvoice import model as ein
from payables.identifiers import (
    validate_bic,
    validate_iban,
    validate_registry_code,
    validate_vat_number,
)
from payables.invoices.models import Invoice
from payables.money import ZERO, quantize

MAX_DESCRIPTION = 1000
MAX_PROPOSED_LINES = 1000
# Codes an Estonian e-invoice proposes for the buyer's ledger (AccountingRecord and its
# JournalEntry): metadata, not cost dimensions. They become row dimensions only where
# the company keeps a dimension type of that code; they are always kept as proposed coding.
LEDGER_CODES = frozenset(
    {
        "general_ledger_detail",
        "partner_code",
        "classificator_code",
        "business_code",
        "source_code",
        "cash_flow_code",
        "accounting_description",
    }
)
# Rates of conversion are kept to ten decimals (Invoice.currency_rate).
RATE_QUANTUM = Decimal("0.0000000001")


def source_identity(parsed: ein.ParsedDocument, invoice: ein.Invoice) -> tuple[str, str]:
    """The immutable identity of an e-invoice: its format, and seller id + type + number.

    An invoice and a credit note with the same number are two documents; invoices keep
    the identity they had before the type was part of it.
    """
    seller = invoice.seller
    seller_id = seller.vat_id or seller.registry_id or seller.electronic_address or seller.name
    kind = "credit_note:" if invoice.is_credit_note else ""
    return f"einvoice:{parsed.format}", f"{seller_id}:{kind}{invoice.number}"[:200]


def payables_sign(invoice: ein.Invoice) -> Decimal:
    """-1 for a credit note that states positive amounts (payables keeps them negative)."""
    positive = (invoice.totals.tax_inclusive or ZERO) > 0
    return Decimal(-1) if invoice.is_credit_note and positive else Decimal(1)


def prepaid_amount(invoice: ein.Invoice) -> Decimal:
    """BT-113 in payables' sign convention, keeping the document's own sign.

    A negative prepaid amount (money owed from before, added to this invoice) raises
    the amount due; it is never turned into a payment.
    """
    return (invoice.totals.prepaid or ZERO) * payables_sign(invoice)


def stated_amount_due(invoice: ein.Invoice) -> Decimal | None:
    """The amount due the document states (BT-115 or its Finvoice/EE equivalent), signed."""
    payable = invoice.totals.payable
    return None if payable is None else payable * payables_sign(invoice)


def seller_as_supplier(seller: ein.Party, *, fallback_country: str) -> tuple[dict, list[str]]:
    """The supplier fields of a seller, dropping identifiers that fail their checks.

    A document's bad VAT number must not refuse the invoice: the validation findings
    report it, and the supplier is stored without it.
    """
    warnings: list[str] = []
    country = (seller.address.country or fallback_country).upper()[:2]
    fields: dict = {"name": (seller.name or seller.trading_name)[:200], "country": country}
    if seller.vat_id:
        try:
            fields["vat_number"] = validate_vat_number(
                seller.vat_id, _vat_country(seller.vat_id, country)
            )
        except ValueError as exc:
            warnings.append(f"Seller VAT number not stored on the supplier: {exc}")
    if seller.registry_id and not seller.registry_scheme:
        try:
            fields["registry_code"] = validate_registry_code(seller.registry_id, country)[:50]
        except ValueError as exc:
            warnings.append(f"Seller registry code not stored on the supplier: {exc}")
    address = seller.address
    if address.lines:
        fields["street"] = ", ".join(address.lines)[:200]
    fields["postal_code"] = address.postal_code[:20]
    fields["city"] = address.city[:100]
    return fields, warnings


def _vat_country(vat_id: str, country: str) -> str:
    prefix = vat_id.strip()[:2].upper()
    if prefix.isalpha():
        return "GR" if prefix == "EL" else prefix
    return country


def valid_ibans(payment_means: Iterable[ein.PaymentMeans]) -> list[dict]:
    """The payment accounts of the document whose IBANs check out (BICs only if valid)."""
    accounts = []
    for means in payment_means:
        if not means.iban:
            continue
        try:
            iban = validate_iban(means.iban)
        except ValueError:
            continue
        try:
            bic = validate_bic(means.bic) if means.bic else ""
        except ValueError:
            bic = ""
        accounts.append({"iban": iban, "bic": bic})
    return accounts


def to_external_item(
    parsed: ein.ParsedDocument,
    invoice: ein.Invoice,
    *,
    home_currency: str,
    supplier_id: object | None,
    supplier: dict | None,
    dimension_types: frozenset[str] = frozenset(),
) -> dict:
    """Build the upsert item for one canonical invoice, in payables' conventions.

    Credit notes carry negative amounts in payables; document-level allowances and
    charges become rows, so rows add up to the tax-exclusive total (BT-109). The
    coding a document proposes is kept in ``metadata["proposed_coding"]``; of the
    ledger codes of an Estonian e-invoice (``LEDGER_CODES``) only those of the company's
    own ``dimension_types`` become row dimensions.
    """
    totals = invoice.totals
    sign = payables_sign(invoice)
    rows = [_row(line, sign, dimension_types) for line in invoice.lines]
    for ac in invoice.allowances_charges:
        amount = ac.amount if ac.is_charge else -ac.amount
        label = "Charge" if ac.is_charge else "Allowance"
        rows.append(
            {
                "description": f"{label}: {ac.reason or ac.reason_code or 'document level'}"[
                    :MAX_DESCRIPTION
                ],
                "net_amount": amount * sign,
                "vat_rate": ac.vat_rate,
            }
        )
    # Without BT-109 (ZUGFeRD 1.0 BASIC may leave it out) the net is derived as the
    # booking checks derive it: line total - allowances + charges.
    derived_net = None
    if totals.line_net_total is not None:
        derived_net = (
            totals.line_net_total - (totals.allowance_total or ZERO) + (totals.charge_total or ZERO)
        )
    net = _first(totals.tax_exclusive, derived_net)
    vat = _first(totals.tax_total, sum((v.tax_amount for v in invoice.vat_breakdown), ZERO))
    rounding = totals.rounding or ZERO
    gross = _first(totals.tax_inclusive, net + vat) + rounding
    payment = invoice.payment_means[0] if invoice.payment_means else ein.PaymentMeans()
    item = {
        "source_system": source_identity(parsed, invoice)[0],
        "source_invoice_id": source_identity(parsed, invoice)[1],
        "invoice_number": invoice.number[:200] or None,
        "type": "credit_note" if invoice.is_credit_note else "invoice",
        "origin": "e-invoice",
        "invoice_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "vat_date": invoice.tax_point_date,
        "currency": invoice.currency.upper(),
        "currency_rate": _rate(invoice, home_currency),
        "net_amount": net * sign,
        "vat_amount": vat * sign,
        "rounding_amount": rounding * sign,
        "gross_amount": gross * sign,
        "order_number": invoice.order_reference[:200],
        "buyer_reference": invoice.buyer_reference[:200],
        "seller_reference": invoice.sales_order_reference[:200],
        "payment_reference": payment.payment_reference[:200],
        "bank_account": payment.iban.replace(" ", "")[:50],
        "bic": payment.bic[:20],
        "payment_terms": invoice.payment_terms[:500],
        "rows": rows if invoice.lines else [],
        "vat_breakdown": [
            {
                "vat_rate": v.rate,
                "vat_category": v.category[:20],
                "base_amount": v.taxable_amount * sign,
                "vat_amount": v.tax_amount * sign,
            }
            for v in invoice.vat_breakdown
        ],
        "external_reference": invoice.contract_reference[:200],
        "metadata": {
            "format": parsed.format,
            "version": parsed.version,
            "profile": parsed.profile,
            "header_only": parsed.is_header_only,
            "prepaid_amount": str(totals.prepaid * sign) if totals.prepaid else None,
            "notes": list(invoice.notes)[:20],
            "proposed_coding": _proposed_coding(invoice.lines) or None,
        },
        "attachments": [_attachment(a) for a in invoice.attachments if _is_kept(a)],
    }
    if supplier_id is not None:
        item["supplier_id"] = supplier_id
    else:
        item["supplier"] = supplier
    return {k: v for k, v in item.items() if v is not None}


def _proposed_coding(lines: Iterable[ein.Line]) -> list[dict]:
    """Per line, the account and codes the document proposes for the buyer's books."""
    return [
        {"line": line.id, "account_code": line.account_code, **dict(line.dimensions)}
        for line in lines
        if line.account_code or line.dimensions
    ][:MAX_PROPOSED_LINES]


def _row(line: ein.Line, sign: Decimal, dimension_types: frozenset[str]) -> dict:
    unit_price = line.net_price
    if unit_price is not None and line.price_base_quantity not in (None, ZERO):
        unit_price = unit_price / line.price_base_quantity
    description = line.name
    if line.description and line.description != line.name:
        description = f"{line.name}\n{line.description}" if line.name else line.description
    return {
        "item_code": (line.seller_item_id or line.standard_item_id)[:100],
        "gtin": _gtin(line),
        "order_line_reference": line.order_line_reference[:100],
        "description": description[:MAX_DESCRIPTION],
        "quantity": line.quantity,
        "unit": line.unit_code[:20],
        "unit_price": unit_price.quantize(Decimal("0.00000001"))
        if unit_price is not None
        else None,
        "net_amount": line.line_net * sign,
        "vat_rate": line.vat_rate,
        "account_code": (line.account_code or line.accounting_cost)[:50],
        "dimensions": {
            name[:50]: value[:100]
            for name, value in line.dimensions
            if name not in LEDGER_CODES or name in dimension_types
        },
    }


def _gtin(line: ein.Line) -> str:
    """The line's standard item id when it is a GTIN (scheme 0160, or bare 8/12-14 digits)."""
    code = line.standard_item_id.strip()
    if line.standard_item_scheme not in ("", "0160") or not code.isdigit():
        return ""
    return code if len(code) in (8, 12, 13, 14) else ""


def _is_kept(attachment: ein.Attachment) -> bool:
    """Embedded files are kept; links only when they are absolute http(s) URLs."""
    if attachment.content is not None:
        return True
    return attachment.uri.startswith(("http://", "https://"))


def _attachment(attachment: ein.Attachment) -> dict:
    if attachment.content is not None:
        return {
            "filename": (attachment.filename or attachment.id or "attachment")[:255],
            "content_type": attachment.mime_code[:100],
            "content_base64": base64.b64encode(attachment.content).decode(),
        }
    return {"filename": attachment.filename[:255], "url": attachment.uri}


def _rate(invoice: ein.Invoice, home_currency: str) -> Decimal | None:
    """Home-currency units per invoice unit, from the VAT in both currencies (BT-111 / BT-110).

    None when the document does not give its VAT in the home currency: the invoice then
    takes the company's or the ECB's rate of its date (``choose_currency_rate``).
    """
    if invoice.currency.upper() == home_currency.upper():
        return None
    totals = invoice.totals
    if (
        invoice.tax_currency.upper() == home_currency.upper()
        and totals.tax_total_accounting
        and totals.tax_total
    ):
        return (totals.tax_total_accounting / totals.tax_total).copy_abs().quantize(RATE_QUANTUM)
    return None


def _first(*values: Decimal | None) -> Decimal:
    for value in values:
        if value is not None:
            return value
    return ZERO


def to_canonical(invoice: Invoice) -> ein.Invoice:
    """Describe a stored invoice in the canonical model (for rendering UBL or Finvoice).

    payables keeps credit notes negative; the model states them positive, as UBL does
    (the Finvoice writer negates them again).
    """
    sign = Decimal(-1) if invoice.type == Invoice.Type.CREDIT_NOTE else Decimal(1)
    company, supplier = invoice.company, invoice.supplier
    account = supplier.bank_accounts.first()
    cur = invoice.currency

    def money(value: Decimal) -> Decimal:
        return quantize(value * sign, cur)

    lines = tuple(
        ein.Line(
            id=str(row.position),
            line_net=money(row.net_amount),
            # A row without a quantity is one unit, stated positive like its amount.
            quantity=row.quantity.normalize() * sign if row.quantity is not None else Decimal(1),
            unit_code=row.unit or "C62",
            net_price=(row.unit_price.normalize() if row.unit_price is not None else None),
            name=(row.description.split("\n", 1)[0] or row.item_code or f"Row {row.position}"),
            seller_item_id=row.item_code,
            vat_category=_category(row.vat_rate),
            vat_rate=row.vat_rate.normalize() if row.vat_rate is not None else None,
            accounting_cost=row.account_code,
            vat_amount=money(row.vat_amount) if row.vat_amount is not None else None,
        )
        for row in invoice.rows.all()
    )
    breakdown = tuple(
        ein.VatBreakdown(
            category=line.vat_category or _category(line.vat_rate),
            taxable_amount=money(line.base_amount),
            tax_amount=money(line.vat_amount),
            rate=line.vat_rate.normalize() if line.vat_rate is not None else None,
        )
        for line in invoice.vat_lines.all()
    )
    return ein.Invoice(
        number=invoice.invoice_number,
        issue_date=invoice.invoice_date,
        type_code="381" if sign < 0 else "380",
        currency=cur,
        tax_point_date=invoice.vat_date,
        due_date=invoice.due_date,
        buyer_reference=invoice.buyer_reference or company.name,
        order_reference=invoice.order_number,
        sales_order_reference=invoice.seller_reference,
        seller=ein.Party(
            name=supplier.name,
            registry_id=supplier.registry_code,
            vat_id=supplier.vat_number,
            address=ein.Address(
                lines=(supplier.street,) if supplier.street else (),
                city=supplier.city,
                postal_code=supplier.postal_code,
                country=supplier.country,
            ),
        ),
        buyer=ein.Party(
            name=company.name,
            registry_id=company.registry_code,
            vat_id=company.vat_number,
            address=ein.Address(country=company.country),
        ),
        payment_means=(
            ein.PaymentMeans(
                code="30",
                iban=invoice.bank_account or (account.iban if account else ""),
                bic=invoice.bic or (account.bic if account else ""),
                payment_reference=invoice.payment_reference,
            ),
        ),
        payment_terms=invoice.payment_terms,
        lines=lines,
        vat_breakdown=breakdown,
        totals=ein.Totals(
            line_net_total=money(sum((r.net_amount for r in invoice.rows.all()), ZERO))
            if lines
            else money(invoice.net_amount),
            tax_exclusive=money(invoice.net_amount),
            tax_total=money(invoice.vat_amount),
            tax_inclusive=money(invoice.net_amount + invoice.vat_amount),
            rounding=money(invoice.rounding_amount) if invoice.rounding_amount else None,
            payable=money(invoice.gross_amount),
        ),
    )


def _category(rate: Decimal | None) -> str:
    if rate is None:
        return "O"
    return "S" if rate > 0 else "Z"
