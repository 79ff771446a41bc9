"""What an e-invoice says, for people: its stored original read again and laid out as
parties, lines, VAT, totals and payment, with the values formatted here (templates only
print them, escaped). Code lists are EN 16931's: UNCL1001 document types, UNCL5305 VAT
categories, UNCL4461 payment means, UN/ECE Rec 20 units.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from payables import einvoice
from payables.einvoice import model as ein
from payables.invoices.models import Attachment, Invoice
from payables.invoices.services.attachments import read_attachment
from payables.invoices.services.einvoice_import import einvoice_limits
from payables.money import currency_scale, format_decimal

FORMAT_NAMES = {
    "ubl": "UBL",
    "cii": "UN/CEFACT CII",
    "zugferd1": "ZUGFeRD 1.0",
    "facturx-pdf": "Factur-X / ZUGFeRD PDF",
    "finvoice": "Finvoice",
    "ee-einvoice": "Estonian e-invoice",
}
DOCUMENT_TYPES = {  # UNCL1001, the codes EN 16931 uses for BT-3
    "380": "Commercial invoice",
    "381": "Credit note",
    "383": "Debit note",
    "384": "Corrected invoice",
    "386": "Prepayment invoice",
    "389": "Self-billed invoice",
    "261": "Self-billed credit note",
    "326": "Partial invoice",
    "393": "Factored invoice",
    "396": "Factored credit note",
    "751": "Invoice information for accounting purposes",
    "875": "Partial construction invoice",
    "876": "Partial final construction invoice",
    "877": "Final construction invoice",
}
VAT_CATEGORIES = {  # UNCL5305, BT-118 / BT-151
    "S": "Standard rate",
    "Z": "Zero rated",
    "E": "Exempt",
    "AE": "Reverse charge",
    "K": "Intra-community supply",
    "G": "Export outside the EU",
    "O": "Outside the scope of VAT",
    "L": "Canary Islands (IGIC)",
    "M": "Ceuta and Melilla (IPSI)",
}
PAYMENT_MEANS = {  # UNCL4461, BT-81
    "1": "Not defined",
    "10": "In cash",
    "20": "Cheque",
    "30": "Credit transfer",
    "31": "Debit transfer",
    "42": "Payment to bank account",
    "48": "Bank card",
    "49": "Direct debit",
    "57": "Standing agreement",
    "58": "SEPA credit transfer",
    "59": "SEPA direct debit",
    "68": "Online payment service",
    "97": "Clearing between partners",
    "ZZZ": "Mutually defined",
}
UNITS = {  # UN/ECE Rec 20 (and Rec 21 packages), BT-130: the common ones
    "C62": "unit",
    "H87": "piece",
    "EA": "each",
    "XPP": "piece",
    "PCE": "piece",
    "SET": "set",
    "PR": "pair",
    "LS": "lump sum",
    "HUR": "h",
    "MIN": "min",
    "DAY": "day",
    "WEE": "week",
    "MON": "month",
    "ANN": "year",
    "KGM": "kg",
    "GRM": "g",
    "TNE": "t",
    "MTR": "m",
    "KMT": "km",
    "MTK": "m²",
    "MTQ": "m³",
    "LTR": "l",
    "KWH": "kWh",
    "P1": "%",
}


@dataclass(frozen=True)
class PartyView:
    name: str
    trading_name: str = ""
    ids: tuple[tuple[str, str], ...] = ()  # (what, value)
    address: tuple[str, ...] = ()
    contact: tuple[str, ...] = ()


@dataclass(frozen=True)
class LineView:
    id: str
    name: str
    description: str
    details: tuple[str, ...]  # item ids, note, line allowances and charges, accounting
    quantity: str
    unit: str
    price: str
    vat: str
    net: str


@dataclass(frozen=True)
class VatView:
    category: str
    rate: str
    base: str
    amount: str
    exemption: str


@dataclass(frozen=True)
class PaymentView:
    means: str
    iban: str
    bic: str
    account_name: str
    reference: str


@dataclass(frozen=True)
class AttachmentView:
    """A supporting document the e-invoice names (BG-24), with the stored file if kept."""

    name: str
    description: str
    mime_type: str
    size: int | None
    uri: str
    link: str  # the URI when it is safe to link to (http or https)
    stored: Attachment | None


@dataclass(frozen=True)
class ContentView:
    """One invoice of an e-invoice document, ready to print."""

    source: str  # format, version and profile in words
    title: str  # document type in words
    number: str
    currency: str
    dates: tuple[tuple[str, date], ...]
    references: tuple[tuple[str, str], ...]
    seller: PartyView
    buyer: PartyView
    payee: str
    lines: tuple[LineView, ...]
    is_header_only: bool
    allowances_charges: tuple[tuple[str, str], ...]
    vat: tuple[VatView, ...]
    totals: tuple[tuple[str, str], ...]
    amount_due: str
    payments: tuple[PaymentView, ...]
    payment_terms: str
    notes: tuple[str, ...]
    attachments: tuple[AttachmentView, ...]


@dataclass(frozen=True)
class EInvoiceContent:
    """The e-invoice behind an invoice: its content, or why it cannot be read."""

    original: Attachment
    view: ContentView | None = None
    problem: str = ""


def original_einvoice(invoice: Invoice, attachments: list[Attachment]) -> Attachment | None:
    """The stored e-invoice an invoice was imported from (the latest one), if any."""
    if invoice.origin != Invoice.Origin.E_INVOICE:
        return None
    originals = [a for a in attachments if a.is_original and a.kind == Attachment.Kind.FILE]
    return max(originals, key=lambda a: a.created_at, default=None)


def read_content(
    invoice: Invoice, original: Attachment, attachments: list[Attachment]
) -> EInvoiceContent:
    """Parse the stored original again and describe this invoice's part of it.

    Never raises for a bad or missing original: the answer then says what is wrong.
    """
    try:
        parsed = einvoice.parse(read_attachment(original), limits=einvoice_limits())
    except einvoice.EInvoiceError as exc:
        return EInvoiceContent(original, problem=f"The original cannot be read: {exc.message}")
    except OSError:  # storage lost the file
        return EInvoiceContent(original, problem="The original file is missing from storage.")
    source = _own_invoice(parsed, invoice)
    if source is None:
        return EInvoiceContent(
            original,
            problem=(
                f"The original holds {len(parsed.invoices)} invoices, none of them "
                f"number {invoice.invoice_number}."
            ),
        )
    return EInvoiceContent(original, view=describe(parsed, source, attachments))


def _own_invoice(parsed: ein.ParsedDocument, invoice: Invoice) -> ein.Invoice | None:
    """The invoice of the document that became this one: by number, then by kind."""
    if len(parsed.invoices) == 1:
        return parsed.invoices[0]
    credit = invoice.type == Invoice.Type.CREDIT_NOTE
    same = [i for i in parsed.invoices if i.number[:200] == invoice.invoice_number]
    return next((i for i in same if i.is_credit_note == credit), same[0] if same else None)


def describe(
    parsed: ein.ParsedDocument, source: ein.Invoice, attachments: Sequence[Attachment] = ()
) -> ContentView:
    """Lay one canonical invoice out for reading."""
    cur = source.currency.upper()
    totals = source.totals
    return ContentView(
        source=_source(parsed),
        title=DOCUMENT_TYPES.get(source.type_code, f"Document type {source.type_code}"),
        number=source.number,
        currency=cur,
        dates=_present(
            ("Issue date", source.issue_date),  # BT-2
            ("Due date", source.due_date),  # BT-9
            ("VAT point date", source.tax_point_date),  # BT-7
            ("Delivery date", source.delivery_date),  # BT-72
        ),
        references=_present(
            ("Buyer reference", source.buyer_reference),  # BT-10
            ("Order", source.order_reference),  # BT-13
            ("Sales order", source.sales_order_reference),  # BT-14
            ("Contract", source.contract_reference),  # BT-12
            ("Project", source.project_reference),  # BT-11
            ("Preceding invoice", source.preceding_invoice),  # BT-25
            ("Buyer accounting reference", source.accounting_cost),  # BT-19
        ),
        seller=_party(source.seller),
        buyer=_party(source.buyer),
        payee=source.payee_name,
        lines=tuple(_line(line, cur) for line in source.lines),
        is_header_only=parsed.is_header_only or not source.lines,
        allowances_charges=tuple(
            (_allowance_label(ac), money(ac.amount if ac.is_charge else -ac.amount, cur))
            for ac in source.allowances_charges
        ),
        vat=tuple(
            VatView(
                category=_category(v.category),
                rate=_rate(v.rate),
                base=money(v.taxable_amount, cur),
                amount=money(v.tax_amount, cur),
                exemption=" ".join(filter(None, (v.exemption_reason_code, v.exemption_reason))),
            )
            for v in source.vat_breakdown
        ),
        totals=_present(
            ("Sum of lines", money(totals.line_net_total, cur)),  # BT-106
            ("Allowances", money(totals.allowance_total, cur)),  # BT-107
            ("Charges", money(totals.charge_total, cur)),  # BT-108
            ("Total without VAT", money(totals.tax_exclusive, cur)),  # BT-109
            ("VAT", money(totals.tax_total, cur)),  # BT-110
            (
                f"VAT in {source.tax_currency.upper()}",  # BT-111
                money(totals.tax_total_accounting, source.tax_currency or cur),
            ),
            ("Total with VAT", money(totals.tax_inclusive, cur)),  # BT-112
            ("Paid in advance", money(totals.prepaid, cur)),  # BT-113
            ("Rounding", money(totals.rounding, cur)),  # BT-114
        ),
        amount_due=money(totals.payable, cur),  # BT-115
        payments=tuple(
            PaymentView(
                means=PAYMENT_MEANS.get(p.code, p.code),
                iban=p.iban,
                bic=p.bic,
                account_name=p.account_name,
                reference=p.payment_reference,
            )
            for p in source.payment_means
        ),
        payment_terms=source.payment_terms,
        notes=source.notes,
        attachments=tuple(_attachment(a, attachments) for a in source.attachments),
    )


def money(amount: Decimal | None, currency: str) -> str:
    """An amount with its currency's decimals, or more where the document states more.

    >>> money(Decimal("1234.5"), "EUR"), money(Decimal("-0.125"), "EUR"), money(Decimal(7), "JPY")
    ('1234.50', '-0.125', '7')
    >>> money(None, "EUR")
    ''
    """
    if amount is None:
        return ""
    exponent = amount.as_tuple().exponent
    places = max(currency_scale(currency), -exponent if isinstance(exponent, int) else 0)
    return f"{amount.quantize(Decimal(1).scaleb(-places)):f}"


def _source(parsed: ein.ParsedDocument) -> str:
    name = FORMAT_NAMES.get(parsed.format, parsed.format)
    return " · ".join(filter(None, (name, parsed.version, parsed.profile)))


def _present(*pairs: tuple[str, object]) -> tuple:
    """The pairs whose value is there."""
    return tuple((label, value) for label, value in pairs if value not in (None, ""))


def _party(party: ein.Party) -> PartyView:
    ids = [
        ("VAT number", party.vat_id),  # BT-31 / BT-48
        ("Tax registration", party.tax_registration_id),  # BT-32
        ("Registration", _scheme(party.registry_id, party.registry_scheme)),  # BT-30 / BT-47
        *(("Identifier", _scheme(value, scheme)) for value, scheme in party.identifiers),
        (
            "Electronic address",  # BT-34 / BT-49
            _scheme(party.electronic_address, party.electronic_address_scheme),
        ),
    ]
    address = party.address
    place = " ".join(filter(None, (address.postal_code, address.city)))
    contact = (party.contact_name, party.contact_phone, party.contact_email)
    return PartyView(
        name=party.name or party.trading_name,
        trading_name=party.trading_name if party.name else "",
        ids=tuple((what, value) for what, value in ids if value),
        address=tuple(filter(None, (*address.lines, place, address.subdivision, address.country))),
        contact=tuple(filter(None, contact)),
    )


def _scheme(value: str, scheme: str) -> str:
    return f"{value} ({scheme})" if value and scheme else value


def _line(line: ein.Line, cur: str) -> LineView:
    details = [
        f"Seller's item {line.seller_item_id}" if line.seller_item_id else "",
        f"Buyer's item {line.buyer_item_id}" if line.buyer_item_id else "",
        (
            f"Item {_scheme(line.standard_item_id, line.standard_item_scheme)}"
            if line.standard_item_id
            else ""
        ),
        line.note,
        *(
            f"{_allowance_label(ac)}: {money(ac.amount if ac.is_charge else -ac.amount, cur)}"
            for ac in line.allowances_charges
        ),
        f"Order line {line.order_line_reference}" if line.order_line_reference else "",
        f"Accounting {line.accounting_cost}" if line.accounting_cost else "",
    ]
    price = format_decimal(line.net_price) if line.net_price is not None else ""
    if price and line.price_base_quantity not in (None, Decimal(1)):
        price = f"{price} / {format_decimal(line.price_base_quantity)}"
    vat = " ".join(filter(None, (line.vat_category, _rate(line.vat_rate))))
    return LineView(
        id=line.id,
        name=line.name,
        description=line.description if line.description != line.name else "",
        details=tuple(filter(None, details)),
        quantity=format_decimal(line.quantity) if line.quantity is not None else "",
        unit=UNITS.get(line.unit_code, line.unit_code),
        price=price,
        vat=vat,
        net=money(line.line_net, cur),
    )


def _allowance_label(ac: ein.AllowanceCharge) -> str:
    kind = "Charge" if ac.is_charge else "Allowance"
    reason = ac.reason or ac.reason_code
    percent = f" {format_decimal(ac.percentage)} %" if ac.percentage is not None else ""
    return f"{kind}{percent}: {reason}" if reason else f"{kind}{percent}"


def _category(code: str) -> str:
    return f"{code} {VAT_CATEGORIES[code]}" if code in VAT_CATEGORIES else code


def _rate(rate: Decimal | None) -> str:
    return f"{format_decimal(rate)} %" if rate is not None else ""


def _attachment(attachment: ein.Attachment, stored: Sequence[Attachment]) -> AttachmentView:
    kept = None
    if attachment.content is not None:
        digest = hashlib.sha256(attachment.content).hexdigest()
        kept = next((a for a in stored if a.sha256 == digest and not a.is_original), None)
    elif attachment.uri:
        kept = next((a for a in stored if a.url and a.url == attachment.uri), None)
    return AttachmentView(
        name=attachment.filename or attachment.id,
        description=attachment.description if attachment.description != attachment.id else "",
        mime_type=attachment.mime_code,
        size=len(attachment.content) if attachment.content is not None else None,
        uri=attachment.uri,
        link=attachment.uri if attachment.uri.lower().startswith(("http://", "https://")) else "",
        stored=kept,
    )
