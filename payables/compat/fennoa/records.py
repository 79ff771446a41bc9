"""Fennoa's answers, grouped by model as Fennoa groups them.

A purchase invoice is ``{"PurchaseInvoice": {…}, "Currency": {…}, "PurchaseInvoiceType": {…},
"PurchaseInvoiceRow": […], "Attachments": […]}``; ids are the integers payables keeps beside
its UUIDs (``internal_id``). Amounts are decimal strings, never floats; moments are Finnish
time. Built from stored data only (never from a native API answer).
"""

from __future__ import annotations

from decimal import Decimal

import pycountry

from payables.approvals.models import ApprovalStep
from payables.coding.models import PrebookingSplit
from payables.compat.fennoa.params import fennoa_date, fennoa_moment
from payables.invoices.models import Attachment, Invoice, InvoiceRow
from payables.masterdata.models import Supplier
from payables.money import format_amount, format_decimal

Status = Invoice.Status
FINVOICE_SOURCE = "einvoice:finvoice"  # the source system of invoices read from a Finvoice
CREDIT, DEBIT = 2, 1

# The invoice's approval as Fennoa states it. Cancelled (40) is payables' own.
WAITING = {"status_id": 0, "status": "Waiting for approval"}
APPROVED = {"status_id": 10, "status": "Approved"}
REJECTED = {"status_id": 30, "status": "Rejected"}
CANCELLED = {"status_id": 40, "status": "Cancelled"}
# An approver's step; skipped (20) is payables' own: a step the chain went past.
STEP_STATUS = {
    ApprovalStep.Status.WAITING: WAITING,
    ApprovalStep.Status.APPROVED: APPROVED,
    ApprovalStep.Status.REJECTED: REJECTED,
    ApprovalStep.Status.SKIPPED: {"status_id": 20, "status": "Skipped"},
}
LEVEL_NAMES = {1: "Approval", 2: "Verification", 3: "Pre-verification"}
MAX_BANK_ACCOUNTS = 4


def invoice_entry(invoice: Invoice) -> dict:
    """The invoice with its currency, type, rows and attachments (the caller prefetches)."""
    return {
        "PurchaseInvoice": invoice_record(invoice),
        "Currency": currency_record(invoice.currency),
        "PurchaseInvoiceType": type_record(invoice),
        "PurchaseInvoiceRow": [row_record(row, invoice.currency) for row in invoice.rows.all()],
        "Attachments": [attachment_record(a) for a in files_of(invoice)],
    }


def invoice_detail(invoice: Invoice, steps: list[ApprovalStep] | None) -> dict:
    """``GET <id>``: the entry, its approval status and (given ``steps``) its approvers."""
    detail = invoice_entry(invoice) | {"ApprovalStatus": approval_status(invoice)}
    if steps is not None:
        detail["Approvers"] = [approver_record(step) for step in steps]
    return detail


def invoice_record(invoice: Invoice) -> dict:
    """The ``PurchaseInvoice`` fields (``is_first_invoice`` comes from the annotations of
    ``queries.with_fennoa_facts``)."""
    cur, home = invoice.currency, invoice.company.home_currency
    supplier = invoice.supplier
    message = invoice.metadata.get("fennoa", {}).get("bank_message", "")
    return {
        "id": invoice.internal_id,
        "purchase_supplier_id": supplier.internal_id,
        "purchase_invoice_type_id": type_id(invoice),
        "supplier_name": supplier.name,
        "supplier_business_id": supplier.registry_code,
        "supplier_vat_number": supplier.vat_number,
        "invoice_date": invoice.invoice_date.isoformat(),
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "entry_date": invoice.entry_date.isoformat(),
        "total_gross": format_amount(invoice.gross_amount, cur),
        "total_due": format_amount(invoice.amount_due, cur),
        "total_gross_hc": format_amount(invoice.home_gross_amount, home),
        "total_net": format_amount(invoice.net_amount, cur),
        "total_net_hc": format_amount(invoice.home_net_amount, home),
        "currency_rate": format_decimal(invoice.currency_rate),
        "our_reference": invoice.seller_reference,
        "your_reference": invoice.buyer_reference,
        "invoice_number": invoice.invoice_number,
        "order_number": invoice.order_number,
        "purchase_order_id": None,
        "bank_account": invoice.bank_account,
        "bank_bic": invoice.bic,
        # A message given instead of a reference is kept as the payment reference.
        "bank_message": message,
        "bank_reference": "" if message == invoice.payment_reference else invoice.payment_reference,
        "terms_of_payment": invoice.payment_terms,
        "is_receipt": 0,
        "is_first_invoice": 0 if getattr(invoice, "fennoa_has_earlier", False) else 1,
        # get/finvoice answers for every invoice: the Finvoice it came as, else rendered.
        "finvoice_available": 1,
        "is_prebooked": 1 if invoice.prebooked else 0,
        "created": fennoa_moment(invoice.created_at),
        "modified": fennoa_moment(invoice.modified_at),
    }


def came_as_finvoice(invoice: Invoice) -> bool:
    """Whether the invoice was read from a Finvoice (its originals are Finvoice files)."""
    return invoice.source_system == FINVOICE_SOURCE


def type_id(invoice: Invoice) -> int:
    return CREDIT if invoice.type == Invoice.Type.CREDIT_NOTE else DEBIT


def type_record(invoice: Invoice) -> dict:
    credit = invoice.type == Invoice.Type.CREDIT_NOTE
    return {"id": type_id(invoice), "name": "Credit invoice" if credit else "Debit invoice"}


def currency_record(code: str) -> dict:
    found = pycountry.currencies.get(alpha_3=code)
    return {"code": code, "name": found.name if found else code}


def row_record(row: InvoiceRow, currency: str) -> dict:
    """A row (Fennoa documents no row fields: these are payables' own, in Fennoa's style)."""
    record = {
        "row_number": row.position,
        "product_code": row.item_code,
        "description": row.description,
        "quantity": _decimal(row.quantity),
        "unit": row.unit,
        "price": _decimal(row.unit_price),
        "vat_percent": _decimal(row.vat_rate),
        "total_net": format_amount(row.net_amount, currency),
        "total_vat": None if row.vat_amount is None else format_amount(row.vat_amount, currency),
        "account_code": row.account_code,
        "vatcode_id": fennoa_code(row.vat_code),
    }
    return record | dimension_fields(row.dimensions)


def files_of(invoice: Invoice) -> list[Attachment]:
    """The invoice's stored files (links have no file to fetch), in the order they came."""
    files = getattr(invoice, "fennoa_files", None)
    if files is None:
        files = list(invoice.attachments.filter(kind=Attachment.Kind.FILE).order_by("internal_id"))
    return files


def attachment_record(attachment: Attachment) -> dict:
    return {
        "id": attachment.internal_id,
        "file": attachment.filename,
        "mimetype": attachment.content_type,
        "filesize": str(attachment.size or 0),
    }


def approval_status(invoice: Invoice) -> dict:
    """The invoice's final approval: waiting, approved (exported and booked too), rejected."""
    if invoice.status in {Status.APPROVED, Status.EXPORTED, Status.BOOKED}:
        return APPROVED
    if invoice.status == Status.REJECTED:
        return REJECTED
    if invoice.status == Status.CANCELLED:
        return CANCELLED
    return WAITING


def approver_record(step: ApprovalStep) -> dict:
    """One approver of the chain; ``user_id`` is the person's code (an integer when it is one)."""
    return {
        "id": step.internal_id,
        "user_id": fennoa_code(step.approver.code),
        "user_name": step.approver.name,
        "approval_level": LEVEL_NAMES[step.level],
        "approval_level_id": step.level,
        "comment": step.comment,
        **STEP_STATUS[step.status],
    }


def queue_approval(step: ApprovalStep) -> dict:
    """The approval of the queue's API user (``status`` 0: not approved yet)."""
    return {"id": step.internal_id, "approval_level": step.level, "status": 0}


def tag_record(split: PrebookingSplit, invoice: Invoice) -> dict:
    """A tag as set: its sum or its percent (the other null), account, VAT and dimensions."""
    record = {
        "id": split.pk,
        "purchase_invoice_id": str(invoice.internal_id),
        "description": split.description,
        "account_code": split.account_code,
        "sum": None if split.sum is None else f"{split.sum:.8f}",
        "percent": None if split.percent is None else f"{split.percent:.4f}",
        "vatcode_id": fennoa_code(split.vat_code),
        "created": None,
    }
    return {"PurchaseInvoiceTag": record | dimension_fields(split.dimensions)}


def supplier_record(supplier: Supplier) -> dict:
    """A supplier; Fennoa's own ids (country, currency, payment terms) are null, the codes given."""
    accounts = list(supplier.bank_accounts.all())[:MAX_BANK_ACCOUNTS]
    banks: dict[str, str] = {}
    for index in range(MAX_BANK_ACCOUNTS):
        suffix = "" if index == 0 else f"_{index + 1}"
        account = accounts[index] if index < len(accounts) else None
        banks[f"bank_account{suffix}"] = account.iban if account else ""
        banks[f"bank_bic{suffix}"] = account.bic if account else ""
    record = {
        "id": supplier.internal_id,
        "name": supplier.name,
        "name2": "",
        "address": supplier.street,
        "postalcode": supplier.postal_code,
        "city": supplier.city,
        "country_id": None,
        "country_code": supplier.country,
        "business_id": supplier.registry_code,
        "vat_number": supplier.vat_number,
        **banks,
        "bank_clearing_code": "",
        "bank_name": "",
        "bank_name2": "",
        "bank_address": "",
        "bank_postalcode": "",
        "bank_city": "",
        "bank_country_id": None,
        "default_account_code": "",
        "default_currency_id": None,
        "default_currency": supplier.default_currency,
        "default_payment_terms_id": None,
        "is_active": 1 if supplier.is_active else 0,
        "created": fennoa_date(supplier.created_at),
        "modified": fennoa_date(supplier.modified_at),
    }
    return {"PurchaseSupplier": record}


def dimension_fields(dimensions: dict) -> dict:
    """Dimensions as Fennoa's ``dim_X`` fields.

    >>> dimension_fields({"1": "100", "project": "P7"})
    {'dim_1': 100, 'dim_project': 'P7'}
    """
    return {f"dim_{kind}": fennoa_code(value) for kind, value in sorted(dimensions.items())}


def fennoa_code(code: str) -> int | str | None:
    """A code as Fennoa writes an id: an integer when it is one (no leading zero), else text.

    >>> fennoa_code("4000"), fennoa_code("0400"), fennoa_code("VAT24"), fennoa_code("")
    (4000, '0400', 'VAT24', None)
    """
    if not code:
        return None
    if code.isascii() and code.isdigit() and (code == "0" or not code.startswith("0")):
        return int(code)
    return code


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format_decimal(value)
