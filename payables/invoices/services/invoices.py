"""Create, update and cancel invoices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from payables.errors import FieldError, ValidationFailed
from payables.events import event_types
from payables.events.batch_reads import write_batch
from payables.events.outbox import deferred_writes
from payables.events.services import lock_company_writes
from payables.invoices import lifecycle
from payables.invoices.coding import Parts, UnknownCodes, code_invoice
from payables.invoices.errors import DuplicateInvoiceNumber
from payables.invoices.inputs import InvoiceIn, InvoicePatch
from payables.invoices.lifecycle import lock_invoice
from payables.invoices.models import Invoice, InvoiceRow, VatLine
from payables.invoices.services.suppliers import resolve_supplier
from payables.invoices.totals import check_home_amounts, check_totals, home_amount
from payables.invoices.trail import add_audit_entry, record_invoice_event
from payables.masterdata.models import Supplier
from payables.masterdata.rates import FoundRate, find_rate
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company
from payables.tenancy.services import take_next_values

INVOICE_COUNTER = "invoice"

# What an import (``source``) may set besides the invoice's own data.
SOURCE_FIELDS = frozenset(
    {
        "source_system", "source_invoice_id", "source_document_version", "source_content_hash",
        "external_number", "external_reference", "metadata",
    }
)  # fmt: skip

# Header fields copied one to one from the payload to the model.
_HEADER_FIELDS = (
    "invoice_number", "type", "invoice_date", "due_date", "vat_date", "currency",
    "net_amount", "vat_amount", "rounding_amount", "gross_amount", "order_number",
    "buyer_reference", "seller_reference", "payment_reference", "bank_account", "bic",
    "payment_terms", "custom_fields",
)  # fmt: skip


def create_invoice(
    data: InvoiceIn,
    *,
    actor: Actor,
    source: dict | None = None,
    unknown_codes: UnknownCodes = "refuse",
) -> Invoice:
    """Store a new invoice in state ``new`` after checking its money, supplier and coding.

    ``source`` sets the import fields (source identity, external number, metadata).
    Codes the company's master data does not accept are refused, or with
    ``unknown_codes="drop"`` left out and listed in ``metadata["dropped_coding"]``.
    """
    company = actor.company
    rate = checked_rate(data, company=company)
    supplier = None
    try:
        with transaction.atomic(), write_batch(company):
            lock_company_writes(company)
            supplier = resolve_supplier(data, actor=actor)
            return insert_invoice(
                data,
                actor=actor,
                supplier=supplier,
                rate=rate,
                source=source,
                unknown_codes=unknown_codes,
            )
    except IntegrityError:
        # Outside the rolled-back block, so the database answers again: the partial
        # unique index refused a number the supplier already has (or something else).
        if supplier is not None:
            _refuse_duplicate_number(supplier, data.invoice_number, data.type, exclude=None)
        raise


def checked_rate(data: InvoiceIn, *, company: Company) -> FoundRate:
    """Check the invoice's totals, then find its rate to the home currency (or a 422)."""
    _raise_errors(check_totals(data, home_currency=company.home_currency))
    return choose_currency_rate(data, company=company)


def insert_invoice(
    data: InvoiceIn,
    *,
    actor: Actor,
    supplier: Supplier,
    rate: FoundRate,
    source: dict | None = None,
    unknown_codes: UnknownCodes = "refuse",
) -> Invoice:
    """Code and store a new invoice whose totals and rate were checked (``create_invoice``).

    Runs in the caller's transaction, which holds the company's write lock: a batch's
    item transaction needs no savepoint of its own for it. A number the supplier already
    has is refused by the partial unique index (an ``IntegrityError`` that rolls the
    caller back; ``create_invoice`` turns it into ``DuplicateInvoiceNumber``).
    """
    new = prepare_invoice(
        data, actor=actor, supplier=supplier, rate=rate, source=source, unknown_codes=unknown_codes
    )
    return store_new_invoices([new], actor=actor)[0]


@dataclass(frozen=True)
class NewInvoice:
    """A coded invoice, not stored yet (``prepare_invoice``), and its lines."""

    invoice: Invoice
    rows: list[InvoiceRow]
    vat_lines: list[VatLine]


def prepare_invoice(
    data: InvoiceIn,
    *,
    actor: Actor,
    supplier: Supplier,
    rate: FoundRate,
    source: dict | None = None,
    unknown_codes: UnknownCodes = "refuse",
) -> NewInvoice:
    """Code a new invoice and build it with its lines in memory; it only reads, so a
    refusal here leaves nothing to undo. ``store_new_invoices`` writes it."""
    company = actor.company
    try:
        coded = code_invoice(data, company=company, supplier=supplier, unknown_codes=unknown_codes)
    except ValidationFailed:
        # A duplicate number was always reported before the codes: keep that order.
        _refuse_duplicate_number(supplier, data.invoice_number, data.type, exclude=None)
        raise
    data = coded.data
    invoice = Invoice(
        company=company,
        supplier=supplier,
        origin=data.origin,
        entry_date=data.entry_date or timezone.localdate(),
    )
    _apply_header(invoice, data, rate)
    _apply_source(invoice, source)
    _note_dropped(invoice, coded.dropped)
    return NewInvoice(invoice, *_lines(invoice, data))


def store_new_invoices(new: Sequence[NewInvoice], *, actor: Actor) -> list[Invoice]:
    """Store prepared invoices of the actor's company, in their order, as each alone would be.

    Inside the caller's transaction under the company's write lock: consecutive internal
    ids, one insert each of invoices, rows and VAT lines; then for each invoice in turn
    its audit entry, its ``invoice.created`` event and the lifecycle's hooks (posting
    lines, order matching, routing), whose trail is stored in bulk at the end
    (``deferred_writes``), in the order it was recorded. A number a supplier already has
    makes the invoices' insert fail (``IntegrityError``); so does a refusal of any hook:
    a caller that wants the others stored anyway stores them one by one.
    """
    if not new:
        return []
    company = actor.company
    last = take_next_values(company, INVOICE_COUNTER, len(new))
    invoices = [item.invoice for item in new]
    for offset, invoice in enumerate(invoices):
        invoice.internal_id = last - len(new) + 1 + offset
    Invoice.objects.bulk_create(invoices)
    InvoiceRow.objects.bulk_create([row for item in new for row in item.rows])
    VatLine.objects.bulk_create([line for item in new for line in item.vat_lines])
    with deferred_writes(company):
        for item in new:
            invoice = item.invoice
            add_audit_entry(invoice, actor, "created")
            record_invoice_event(event_types.INVOICE_CREATED, invoice, actor=actor)
            # The hooks read the lines just written from memory, and know nothing refers
            # to the invoice yet; afterwards it reads from the database like any other.
            lifecycle.mark_created(invoice, rows=item.rows, vat_lines=item.vat_lines)
            try:
                lifecycle.offer_for_routing(invoice, actor=actor)
            finally:
                lifecycle.forget_created(invoice)
    return invoices


def update_invoice(
    invoice: Invoice,
    patch: InvoicePatch,
    *,
    actor: Actor,
    source: dict | None = None,
    unknown_codes: UnknownCodes = "refuse",
) -> Invoice:
    """Change a ``new`` invoice; rows and VAT breakdown, when sent, replace the stored ones.

    Only what changes is coded again: sent rows (and their products are recognised),
    a sent VAT breakdown or custom fields, and all of them when the invoice date moves.
    """
    changes = patch.model_dump(exclude_unset=True)
    with transaction.atomic():
        lock_company_writes(actor.company)
        invoice = lock_invoice(invoice)
        lifecycle.require_editable(invoice)
        sent = _drop_nulls(changes)
        stored = invoice_as_input(invoice)
        if sent.get("currency", invoice.currency) != invoice.currency:
            stored["currency_rate"] = None  # a rate of the old currency is no rate of the new
        data = InvoiceIn.model_validate(stored | sent)
        _raise_errors(check_totals(data, home_currency=invoice.company.home_currency))
        rate = choose_currency_rate(data, company=invoice.company)
        if "supplier_id" in changes or "supplier" in changes:
            invoice.supplier = resolve_supplier(data, actor=actor)
        _refuse_duplicate_number(
            invoice.supplier, data.invoice_number, data.type, exclude=invoice.pk
        )
        moved = data.invoice_date != invoice.invoice_date
        parts = Parts(
            rows="rows" in sent or moved,
            recognise="rows" in sent,
            vat_breakdown="vat_breakdown" in sent or moved,
            custom_fields="custom_fields" in sent or moved,
        )
        coded = code_invoice(
            data,
            company=invoice.company,
            supplier=invoice.supplier,
            parts=parts,
            unknown_codes=unknown_codes,
        )
        data = coded.data
        _apply_header(invoice, data, rate)
        _apply_source(invoice, source)
        _note_dropped(invoice, coded.dropped)
        _save_guarding_number(invoice)
        if "rows" in sent or "vat_breakdown" in sent or coded.dropped:
            _replace_lines(invoice, data)
        add_audit_entry(invoice, actor, "updated", comment=", ".join(sorted(changes)))
        record_invoice_event(
            event_types.INVOICE_UPDATED,
            invoice,
            actor=actor,
            details={"changed_fields": sorted(changes)},
        )
        lifecycle.offer_for_routing(invoice, actor=actor)
    return invoice


def cancel_invoice(invoice: Invoice, *, actor: Actor, reason: str = "") -> Invoice:
    """Cancel an invoice that has not reached accounting; its number becomes free again."""
    with transaction.atomic():
        lock_company_writes(actor.company)
        return lifecycle.cancel(lock_invoice(invoice), actor=actor, reason=reason)


def invoice_as_input(invoice: Invoice) -> dict:
    """The stored invoice in the shape of ``InvoiceIn``, so a patch can be merged into it."""
    data = {name: getattr(invoice, name) for name in _HEADER_FIELDS}
    data["supplier_id"] = invoice.supplier_id
    data["origin"] = invoice.origin
    data["entry_date"] = invoice.entry_date
    # Only a rate given with the invoice is input: a company or ECB rate is looked up
    # again, for the invoice's date as it is after the change.
    is_given = invoice.currency_rate_source == Invoice.RateSource.DOCUMENT
    data["currency_rate"] = invoice.currency_rate if is_given else None
    data["rows"] = [
        {
            "item_code": r.item_code,
            "product_code": r.product_code,
            "gtin": r.gtin,
            "order_line_reference": r.order_line_reference,
            "description": r.description,
            "quantity": r.quantity,
            "unit": r.unit,
            "unit_price": r.unit_price,
            "net_amount": r.net_amount,
            "vat_rate": r.vat_rate,
            "vat_amount": r.vat_amount,
            "vat_code": r.vat_code,
            "account_code": r.account_code,
            "dimensions": r.dimensions,
        }
        for r in invoice.rows.all()
    ]
    data["vat_breakdown"] = [
        {
            "vat_rate": v.vat_rate,
            "vat_code": v.vat_code,
            "vat_category": v.vat_category,
            "base_amount": v.base_amount,
            "vat_amount": v.vat_amount,
        }
        for v in invoice.vat_lines.all()
    ]
    # Stored amounts carry 4 decimals; normalise so the scale checks see the real value.
    for key in ("net_amount", "vat_amount", "rounding_amount", "gross_amount"):
        data[key] = data[key].normalize()
    return data


def _drop_nulls(changes: dict) -> dict:
    """A null for a required field means "leave it"; for optional ones it clears them."""
    required = {
        "invoice_number",
        "invoice_date",
        "currency",
        "net_amount",
        "vat_amount",
        "gross_amount",
        "type",
        "rows",
        "vat_breakdown",
        "custom_fields",
    }
    merged = {k: v for k, v in changes.items() if not (v is None and k in required)}
    if merged.get("supplier") is not None:
        merged["supplier_id"] = None
    elif merged.get("supplier_id") is not None:
        merged["supplier"] = None
    for text in (
        "order_number",
        "buyer_reference",
        "seller_reference",
        "payment_reference",
        "bank_account",
        "bic",
        "payment_terms",
    ):
        if text in merged and merged[text] is None:
            merged[text] = ""
    if merged.get("rounding_amount", 0) is None:
        merged["rounding_amount"] = 0
    return merged


def _apply_source(invoice: Invoice, source: dict | None) -> None:
    """Set the import fields; anything else (a status, say) is a programming error."""
    unknown = set(source or {}) - SOURCE_FIELDS
    if unknown:
        raise ValueError(f"Not import fields of an invoice: {sorted(unknown)}")
    for name, value in (source or {}).items():
        setattr(invoice, name, value)  # not-invoice-status


def choose_currency_rate(data: InvoiceIn, *, company: Company) -> FoundRate:
    """The rate converting the invoice to the home currency, and where it comes from.

    The rate sent with the invoice (an e-invoice's BT-111 / BT-110) wins; else the
    company's own rate, else the ECB reference rate, of the VAT point date (else the
    issue date) or the nearest earlier day that has one. No rate is a located 422.
    """
    home = company.home_currency
    if data.currency == home:
        return FoundRate(Decimal(1), "", None)
    if data.currency_rate is not None:
        found = FoundRate(data.currency_rate, Invoice.RateSource.DOCUMENT, None)
    else:
        on = data.vat_date or data.invoice_date
        found = find_rate(company, data.currency, on)
    if found is None:
        raise ValidationFailed(
            [
                FieldError(
                    f"No exchange rate of {data.currency} for {on.isoformat()}: the ECB "
                    f"publishes none and the company has loaded none. Give currency_rate "
                    f"({home} per {data.currency}), or load the company's rates.",
                    loc=["currency_rate"],
                    code="currency_rate_required",
                )
            ]
        )
    _raise_errors(check_home_amounts(data, found.rate, home_currency=home))
    return found


def _apply_header(invoice: Invoice, data: InvoiceIn, rate: FoundRate) -> None:
    for name in _HEADER_FIELDS:  # never the status: the lifecycle's alone
        setattr(invoice, name, getattr(data, name))  # not-invoice-status
    if data.entry_date:
        invoice.entry_date = data.entry_date
    home = invoice.company.home_currency
    invoice.currency_rate = rate.rate
    invoice.currency_rate_source = rate.source
    invoice.currency_rate_date = rate.rate_date
    invoice.currency_rate_note = rate.note
    invoice.home_net_amount = home_amount(data.net_amount, rate.rate, home)
    invoice.home_vat_amount = home_amount(data.vat_amount, rate.rate, home)
    invoice.home_gross_amount = home_amount(data.gross_amount, rate.rate, home)


def _note_dropped(invoice: Invoice, dropped: list[FieldError]) -> None:
    """Keep what the document proposed and was left out, for the person who codes it."""
    if dropped:
        invoice.metadata = invoice.metadata | {
            "dropped_coding": [
                {"loc": list(e.loc or ()), "msg": e.message, "type": e.code} for e in dropped
            ]
        }


def _replace_lines(invoice: Invoice, data: InvoiceIn) -> None:
    invoice.rows.all().delete()
    invoice.vat_lines.all().delete()
    rows, vat_lines = _lines(invoice, data)
    InvoiceRow.objects.bulk_create(rows)
    VatLine.objects.bulk_create(vat_lines)


def _lines(invoice: Invoice, data: InvoiceIn) -> tuple[list[InvoiceRow], list[VatLine]]:
    """The invoice's rows and VAT lines as the payload gives them, not stored yet."""
    rows = [
        InvoiceRow(invoice=invoice, position=i, **row.model_dump())
        for i, row in enumerate(data.rows, start=1)
    ]
    vat_lines = [
        VatLine(invoice=invoice, position=i, **line.model_dump())
        for i, line in enumerate(data.vat_breakdown, start=1)
    ]
    return rows, vat_lines


def _refuse_duplicate_number(
    supplier: Supplier, number: str, kind: str, *, exclude: object
) -> None:
    """An invoice and a credit note may share a number: they are two documents."""
    existing = number_holder(supplier, number, kind, exclude=exclude)
    if existing is not None:
        raise DuplicateInvoiceNumber(
            f"{supplier.name} already has {_kind(kind)} {number}.",
            extra={"existing_id": str(existing.id), "existing_internal_id": existing.internal_id},
        )


def number_holder(
    supplier: Supplier, number: str, kind: str, *, exclude: object = None
) -> Invoice | None:
    """The live (not cancelled) invoice of this supplier with this type and number, other
    than the one whose primary key is ``exclude``.

    At most one exists (the partial unique index ``invoice_number_unique_per_supplier``).
    It is asked for without an order, so the database finds it in that index: with
    ``first()``'s order by internal id, PostgreSQL may walk the company's invoices
    backwards instead, all of them when the number is new.
    """
    found = (
        Invoice.objects.filter(
            company=supplier.company_id, supplier=supplier, type=kind, invoice_number=number
        )
        .exclude(status=Invoice.Status.CANCELLED)
        .only("id", "company_id", "internal_id", "invoice_number", "status")  # what refusals name
    )
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return next(iter(found.order_by()[:1]), None)


def _kind(kind: str) -> str:
    return "credit note" if kind == Invoice.Type.CREDIT_NOTE else "invoice"


def _save_guarding_number(invoice: Invoice) -> None:
    """Save; the unique constraint catches a duplicate number that raced past the check."""
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        _refuse_duplicate_number(
            invoice.supplier, invoice.invoice_number, invoice.type, exclude=invoice.pk
        )
        raise


def _raise_errors(errors: list) -> None:
    if errors:
        raise ValidationFailed(errors)
