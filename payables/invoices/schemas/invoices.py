"""Shapes of invoice requests and answers. Amounts go out as strings at the currency's scale."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.invoices.inputs import (  # noqa: F401 (the API's request bodies)
    AttachmentIn,
    InvoiceIn,
    InvoicePatch,
    InvoiceRowIn,
    SupplierRefIn,
    VatLineIn,
)
from payables.invoices.models import Attachment, Invoice, Payment
from payables.money import format_amount, format_decimal
from payables.schema_types import (
    InSchema,
    IsoDate,
    Money,
    PageParams,
    Timestamp,
)

Text = Field("", max_length=200)


class CancelIn(InSchema):
    reason: str = Field("", max_length=500)


class ClearReviewIn(InSchema):
    reason: str = Field(
        max_length=500, description="Why the findings do not stop the invoice (required)."
    )


class ReviewFindingOut(Schema):
    rule_id: str = Field(description="The rule that failed (`BR-CO-16`, `PAY-…`, …).")
    severity: str = Field(description="`fatal` or `error`.")
    message: str
    location: str = Field(description="Where in the document, when known (an XPath); else ``.")

    @classmethod
    def from_stored(cls, finding: dict) -> ReviewFindingOut:
        return cls(
            rule_id=str(finding.get("rule_id", "")),
            severity=str(finding.get("severity", "")),
            message=str(finding.get("message", "")),
            location=str(finding.get("location", "")),
        )


class PaymentIn(InSchema):
    amount: Money
    payment_date: IsoDate
    description: str = Field("", max_length=500)
    account_code: str = Field(
        "", max_length=50, description="Defaults to the configured payment account."
    )
    request_id: str | None = Field(None, max_length=255)


class InvoiceFilters(PageParams):
    status: Invoice.Status | None = None
    type: Invoice.Type | None = None
    supplier_id: UUID | None = None
    invoice_number: str | None = Field(None, max_length=200)
    invoice_date_from: IsoDate | None = None
    invoice_date_to: IsoDate | None = None
    due_date_from: IsoDate | None = None
    due_date_to: IsoDate | None = None
    created_after: Timestamp | None = None
    created_before: Timestamp | None = None
    modified_after: Timestamp | None = None
    modified_before: Timestamp | None = None
    sync_failed: bool | None = Field(None, description="Accounting reported a failure.")
    booked: bool | None = Field(
        None, description="true: booked; false: not booked yet (cancelled ones left out)."
    )
    prebooked: bool | None = Field(
        None, description="Posting lines set by a person or a rule (manual, prebooking, rule)."
    )
    approved: bool | None = Field(
        None,
        description="true: final approval done (approved, exported or booked); false: "
        "waiting for approval (new or assigned).",
    )
    needs_review: bool | None = Field(None, description="Flagged for an accountant's review.")
    coded: bool | None = Field(
        None, description="Every posting line has an account and a VAT code."
    )
    supplier_name: str | None = Field(
        None, max_length=200, description="Part of the supplier's name, any case."
    )
    po_match_status: Literal["matched", "within_tolerance", "discrepancy", "no_po"] | None = Field(
        None, description="How the invoice compares with its purchase order."
    )
    after: str | None = Field(
        None,
        pattern=r"^i[0-9]{1,18}$",
        description="Keyset paging: the `next` of the previous page (then `page` is not "
        "used and `count` is null), for deep pages at the cost of one index range.",
    )
    count: bool = Field(
        default=True,
        description="false: leave out counting all that match (`count` is null): on a "
        "ledger of a hundred thousand invoices the count costs more than the page.",
    )
    expand: str | None = Field(
        None,
        pattern=r"^(rows|vat_breakdown)(,(rows|vat_breakdown))?$",
        description="Add `rows` and/or `vat_breakdown` to each summary (comma-separated).",
    )


class SupplierSummaryOut(Schema):
    id: UUID
    name: str
    registry_code: str
    vat_number: str
    country: str


class InvoiceRowOut(Schema):
    position: int
    item_code: str
    product_code: str
    gtin: str
    order_line_reference: str
    description: str
    quantity: str | None
    unit: str
    unit_price: str | None
    net_amount: str
    vat_rate: str | None
    vat_amount: str | None
    vat_code: str
    account_code: str
    dimensions: dict


class VatLineOut(Schema):
    vat_rate: str | None
    vat_code: str
    vat_category: str
    base_amount: str
    vat_amount: str


class AttachmentOut(Schema):
    id: UUID
    kind: str
    filename: str
    content_type: str
    size: int | None
    sha256: str
    url: str | None
    is_original: bool
    created_at: datetime
    warnings: list[str] = []

    @classmethod
    def from_attachment(cls, a: Attachment, *, warnings: list[str] | None = None) -> AttachmentOut:
        return cls(
            id=a.id,
            kind=a.kind,
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            url=a.url or None,
            is_original=a.is_original,
            created_at=a.created_at,
            warnings=warnings or [],
        )


class AttachmentContentOut(Schema):
    id: UUID
    filename: str
    content_type: str
    sha256: str
    content_base64: str


class PaymentOut(Schema):
    id: UUID
    amount: str
    payment_date: date
    description: str
    account_code: str
    created_at: datetime

    @classmethod
    def from_payment(cls, p: Payment) -> PaymentOut:
        return cls(
            id=p.id,
            amount=format_amount(p.amount, p.invoice.currency),
            payment_date=p.payment_date,
            description=p.description,
            account_code=p.account_code,
            created_at=p.created_at,
        )


class InvoiceOut(Schema):
    id: UUID
    internal_id: int
    supplier: SupplierSummaryOut
    invoice_number: str
    type: str
    status: str
    origin: str
    invoice_date: date
    due_date: date | None
    entry_date: date
    vat_date: date | None
    currency: str
    currency_rate: str
    currency_rate_source: Literal["document", "company", "ecb"] | None = Field(
        description=(
            "Where `currency_rate` came from: `document` (sent with the invoice; an "
            "e-invoice's BT-111), `company` (the company's own rates), `ecb` (the European "
            "Central Bank reference rate); null for an invoice in the home currency."
        )
    )
    currency_rate_date: date | None = Field(
        description="The day of the company's or the ECB's rate used; null otherwise."
    )
    currency_rate_note: str = Field(
        description="Set when the rate is from before the invoice's date, saying why."
    )
    net_amount: str
    vat_amount: str
    rounding_amount: str
    gross_amount: str
    home_currency: str
    home_net_amount: str
    home_vat_amount: str
    home_gross_amount: str
    prepaid_amount: str = Field(
        description="Paid before the invoice (BT-113), signed as the document states it."
    )
    paid_amount: str
    amount_due: str
    order_number: str
    buyer_reference: str
    seller_reference: str
    payment_reference: str
    bank_account: str
    bic: str
    payment_terms: str
    custom_fields: dict
    rows: list[InvoiceRowOut]
    vat_breakdown: list[VatLineOut]
    cancel_reason: str
    exported_at: datetime | None
    export_count: int
    booked_at: datetime | None
    booking_document_id: str
    booking_date: date | None
    sync_failed: bool
    sync_error_message: str
    needs_review: bool = Field(
        description=(
            "Imported with validation errors: neither finally approved nor exported until an "
            "accountant clears the review (`POST /invoices/{ref}/clear-review`)."
        )
    )
    review_findings: list[ReviewFindingOut] = Field(
        description="The error-level findings the invoice was imported with; kept once cleared."
    )
    po_match_status: str = Field(
        description=(
            "How it compares with its purchase order: `matched`, `within_tolerance`, "
            "`discrepancy` or `no_po`; per line at `GET /invoices/{ref}/purchase-order-match`."
        )
    )
    source_system: str = Field(description="The sending system of a batch upsert; else empty.")
    source_invoice_id: str = Field(description="Its immutable id there; else empty.")
    source_document_version: str = Field(description="The version last applied; else empty.")
    external_number: str = Field(
        description="The sender's number when the invoice got a local one; else empty."
    )
    external_reference: str = Field(description="A reference kept as sent (a tax authority's).")
    metadata: dict = Field(description="The sender's metadata, as sent with the upsert.")
    created_at: datetime
    modified_at: datetime

    @classmethod
    def from_invoice(cls, inv: Invoice) -> InvoiceOut:
        """Build the answer; the caller prefetches supplier, rows and VAT lines."""
        cur, home = inv.currency, inv.company.home_currency

        def opt(value: Decimal | None, fmt: object = format_decimal) -> str | None:
            return None if value is None else fmt(value)

        return cls(
            id=inv.id,
            internal_id=inv.internal_id,
            supplier=SupplierSummaryOut(
                id=inv.supplier.id,
                name=inv.supplier.name,
                registry_code=inv.supplier.registry_code,
                vat_number=inv.supplier.vat_number,
                country=inv.supplier.country,
            ),
            invoice_number=inv.invoice_number,
            type=inv.type,
            status=inv.status,
            origin=inv.origin,
            invoice_date=inv.invoice_date,
            due_date=inv.due_date,
            entry_date=inv.entry_date,
            vat_date=inv.vat_date,
            currency=cur,
            currency_rate=format_decimal(inv.currency_rate),
            currency_rate_source=inv.currency_rate_source or None,
            currency_rate_date=inv.currency_rate_date,
            currency_rate_note=inv.currency_rate_note,
            net_amount=format_amount(inv.net_amount, cur),
            vat_amount=format_amount(inv.vat_amount, cur),
            rounding_amount=format_amount(inv.rounding_amount, cur),
            gross_amount=format_amount(inv.gross_amount, cur),
            home_currency=home,
            home_net_amount=format_amount(inv.home_net_amount, home),
            home_vat_amount=format_amount(inv.home_vat_amount, home),
            home_gross_amount=format_amount(inv.home_gross_amount, home),
            prepaid_amount=format_amount(inv.prepaid_amount, cur),
            paid_amount=format_amount(inv.paid_amount, cur),
            amount_due=format_amount(inv.amount_due, cur),
            order_number=inv.order_number,
            buyer_reference=inv.buyer_reference,
            seller_reference=inv.seller_reference,
            payment_reference=inv.payment_reference,
            bank_account=inv.bank_account,
            bic=inv.bic,
            payment_terms=inv.payment_terms,
            custom_fields=inv.custom_fields,
            rows=[
                InvoiceRowOut(
                    position=r.position,
                    item_code=r.item_code,
                    product_code=r.product_code,
                    gtin=r.gtin,
                    order_line_reference=r.order_line_reference,
                    description=r.description,
                    quantity=opt(r.quantity),
                    unit=r.unit,
                    unit_price=opt(r.unit_price),
                    net_amount=format_amount(r.net_amount, cur),
                    vat_rate=opt(r.vat_rate),
                    vat_amount=opt(r.vat_amount, lambda v: format_amount(v, cur)),
                    vat_code=r.vat_code,
                    account_code=r.account_code,
                    dimensions=r.dimensions,
                )
                for r in inv.rows.all()
            ],
            vat_breakdown=[
                VatLineOut(
                    vat_rate=opt(v.vat_rate),
                    vat_code=v.vat_code,
                    vat_category=v.vat_category,
                    base_amount=format_amount(v.base_amount, cur),
                    vat_amount=format_amount(v.vat_amount, cur),
                )
                for v in inv.vat_lines.all()
            ],
            cancel_reason=inv.cancel_reason,
            exported_at=inv.exported_at,
            export_count=inv.export_count,
            booked_at=inv.booked_at,
            booking_document_id=inv.booking_document_id,
            booking_date=inv.booking_date,
            sync_failed=inv.sync_failed,
            sync_error_message=inv.sync_error_message,
            needs_review=inv.needs_review,
            review_findings=[ReviewFindingOut.from_stored(f) for f in inv.review_findings or []],
            po_match_status=inv.po_match_status,
            source_system=inv.source_system,
            source_invoice_id=inv.source_invoice_id,
            source_document_version=inv.source_document_version,
            external_number=inv.external_number,
            external_reference=inv.external_reference,
            metadata=inv.metadata or {},
            created_at=inv.created_at,
            modified_at=inv.modified_at,
        )
