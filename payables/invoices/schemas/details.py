"""The whole invoice's answer (``InvoiceOut``) built as plain values, for the hot reads.

``GET /invoices/{ref}`` and the exported feed write it as it is: building ``InvoiceOut``
objects and having Ninja validate them again cost more than the queries. It is the same
answer as ``InvoiceOut.from_invoice`` (which the write endpoints still answer with), field
for field and in the same order; the tests compare the two.
"""

from __future__ import annotations

from payables.invoices.models import Invoice
from payables.json_encoding import moment_text, optional_moment_text, optional_text
from payables.money import format_amount, format_decimal


def invoice_answer(inv: Invoice, *, rows: object, vat_breakdown: object) -> dict:
    """``InvoiceOut`` of ``inv`` (supplier and company selected) with the given rows and VAT
    breakdown (``row_answers`` / ``vat_line_answers``, or stored JSON put in by the caller)."""
    cur, home = inv.currency, inv.company.home_currency
    supplier = inv.supplier
    return {
        "id": str(inv.id),
        "internal_id": inv.internal_id,
        "supplier": {
            "id": str(supplier.id),
            "name": supplier.name,
            "registry_code": supplier.registry_code,
            "vat_number": supplier.vat_number,
            "country": supplier.country,
        },
        "invoice_number": inv.invoice_number,
        "type": inv.type,
        "status": inv.status,
        "origin": inv.origin,
        "invoice_date": str(inv.invoice_date),
        "due_date": optional_text(inv.due_date),
        "entry_date": optional_text(inv.entry_date),
        "vat_date": optional_text(inv.vat_date),
        "currency": cur,
        "currency_rate": format_decimal(inv.currency_rate),
        "currency_rate_source": inv.currency_rate_source or None,
        "currency_rate_date": optional_text(inv.currency_rate_date),
        "currency_rate_note": inv.currency_rate_note,
        "net_amount": format_amount(inv.net_amount, cur),
        "vat_amount": format_amount(inv.vat_amount, cur),
        "rounding_amount": format_amount(inv.rounding_amount, cur),
        "gross_amount": format_amount(inv.gross_amount, cur),
        "home_currency": home,
        "home_net_amount": format_amount(inv.home_net_amount, home),
        "home_vat_amount": format_amount(inv.home_vat_amount, home),
        "home_gross_amount": format_amount(inv.home_gross_amount, home),
        "prepaid_amount": format_amount(inv.prepaid_amount, cur),
        "paid_amount": format_amount(inv.paid_amount, cur),
        "amount_due": format_amount(inv.amount_due, cur),
        "order_number": inv.order_number,
        "buyer_reference": inv.buyer_reference,
        "seller_reference": inv.seller_reference,
        "payment_reference": inv.payment_reference,
        "bank_account": inv.bank_account,
        "bic": inv.bic,
        "payment_terms": inv.payment_terms,
        "custom_fields": inv.custom_fields,
        "rows": rows,
        "vat_breakdown": vat_breakdown,
        "cancel_reason": inv.cancel_reason,
        "exported_at": optional_moment_text(inv.exported_at),
        "export_count": inv.export_count,
        "booked_at": optional_moment_text(inv.booked_at),
        "booking_document_id": inv.booking_document_id,
        "booking_date": optional_text(inv.booking_date),
        "sync_failed": inv.sync_failed,
        "sync_error_message": inv.sync_error_message,
        "needs_review": inv.needs_review,
        "review_findings": [review_finding_answer(f) for f in inv.review_findings or []],
        "po_match_status": inv.po_match_status,
        "source_system": inv.source_system,
        "source_invoice_id": inv.source_invoice_id,
        "source_document_version": inv.source_document_version,
        "external_number": inv.external_number,
        "external_reference": inv.external_reference,
        "metadata": inv.metadata or {},
        "created_at": moment_text(inv.created_at),
        "modified_at": moment_text(inv.modified_at),
    }


def review_finding_answer(finding: dict) -> dict:
    """A stored review finding as ``ReviewFindingOut`` shows it."""
    return {
        name: str(finding.get(name, "")) for name in ("rule_id", "severity", "message", "location")
    }
