"""Company-scoped reads of invoices."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from payables.invoices.errors import AttachmentNotFound, InvoiceNotFound
from payables.invoices.models import Attachment, Invoice, InvoiceStatusCount
from payables.invoices.schemas import InvoiceFilters
from payables.invoices.schemas.details import invoice_answer
from payables.invoices.schemas.summaries import (
    HEADER,
    SUPPLIER,
    row_answers,
    vat_line_answers,
)
from payables.tenancy.models import Company

MAX_INTERNAL_ID_DIGITS = 18
_MAX_INTERNAL_ID = 2**63 - 1  # a bigint's largest: above every internal id
Status = Invoice.Status
APPROVED = (Status.APPROVED, Status.EXPORTED, Status.BOOKED)  # final approval done
AWAITING_APPROVAL = (Status.NEW, Status.ASSIGNED)
# What pages the list rather than filtering it: with only these (and the status filters)
# the count is read from ``InvoiceStatusCount``.
PAGING = frozenset({"page", "page_size", "after", "count", "expand"})
STATUS_FILTERS = frozenset({"status", "booked", "approved"})


def invoices_with_details(company: Company) -> QuerySet[Invoice]:
    """The company's invoices with what an answer shows, fetched in a fixed number of queries."""
    return (
        Invoice.objects.for_company(company)
        .select_related("supplier", "company")
        .prefetch_related("rows", "vat_lines")
    )


def get_invoice(company: Company, ref: str, *, details: bool = True) -> Invoice:
    """Find an invoice by its UUID or its internal id; other companies' are not found.

    With its supplier and company, and (``details``) its rows and VAT lines.
    """
    qs = invoices_with_details(company)
    if not details:
        qs = Invoice.objects.for_company(company).select_related("supplier", "company")
    return _by_ref(qs, ref)


def _by_ref(qs: QuerySet[Invoice], ref: str) -> Invoice:
    """The one invoice of ``qs`` that ``ref`` (UUID or internal id) names.

    Both are unique, so the query is not ordered (``first()`` would order it by the
    primary key, which costs more to compile than the query takes).
    """
    try:
        found = qs.filter(pk=UUID(ref))
    except ValueError:
        if not (ref.isascii() and ref.isdigit() and len(ref) <= MAX_INTERNAL_ID_DIGITS):  # "³"
            raise InvoiceNotFound() from None
        found = qs.filter(internal_id=int(ref))
    for invoice in found.order_by()[:1]:
        return invoice
    raise InvoiceNotFound()


def invoice_detail(company: Company, ref: str) -> dict:
    """The invoice's answer (``InvoiceOut``) as plain values, in three queries."""
    invoice = _by_ref(Invoice.objects.for_company(company).select_related("supplier"), ref)
    invoice.company = company  # read with the request's key: no need to join it again
    currency = {invoice.id: invoice.currency}
    return invoice_answer(
        invoice,
        rows=row_answers(currency).get(invoice.id, []),
        vat_breakdown=vat_line_answers(currency).get(invoice.id, []),
    )


def get_served_invoice(companies: Sequence[Company], ref: str) -> Invoice:
    """Find an invoice of the first company by UUID or internal id, or of the others (the
    companies an accounting office's key was granted) by UUID, which names one invoice."""
    own, *others = companies
    try:
        return get_invoice(own, ref)
    except InvoiceNotFound:
        if not others:
            raise
    try:
        invoice_id = UUID(ref)
    except ValueError:
        raise InvoiceNotFound() from None
    found = Invoice.objects.filter(company__in=others, pk=invoice_id).select_related("company")
    invoice = found.first()
    if invoice is None:
        raise InvoiceNotFound()
    return invoice


def get_attachment(invoice: Invoice, attachment_id: UUID) -> Attachment:
    attachment = invoice.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise AttachmentNotFound()
    return attachment


def get_attachment_by_internal_id(invoice: Invoice, internal_id: int) -> Attachment:
    """The invoice's attachment with this sequential number (integer-keyed APIs)."""
    attachment = invoice.attachments.filter(internal_id=internal_id).first()
    if attachment is None:
        raise AttachmentNotFound()
    return attachment


def list_page(
    company: Company, filters: InvoiceFilters
) -> tuple[list[dict], int | None, str | None]:
    """One page of the list as plain values (see ``schemas.summaries``): by ``after``
    (keyset: no count) or by ``page`` (counted unless ``count=false``); with the cursor of
    the page that follows, if any."""
    qs = filter_invoices(company, filters, details=False)
    count, statuses = None, None
    before = int(filters.after[1:]) if filters.after else None
    selected = selected_statuses(filters)
    if selected is not None and len(selected) == 1:
        qs = qs.filter(_below_in_status(company, next(iter(selected)), before))
    elif before is not None:
        qs = qs.filter(internal_id__lt=before)
    if before is not None:
        start = 0
    else:
        if filters.count and selected is None:
            count = qs.count()
        elif filters.count:  # read with the page, in the same statement
            statuses = selected
            qs = qs.annotate(status_total=_status_total(company, statuses))
        start = (filters.page - 1) * filters.page_size
    fields = (*HEADER, *SUPPLIER, *(("status_total",) if statuses is not None else ()))
    found = list(qs.values(*fields)[start : start + filters.page_size + 1])
    if statuses is not None:  # an empty page carries no count: read it alone
        count = found[0]["status_total"] if found else count_by_status(company, statuses)
    page = found[: filters.page_size]
    more = len(found) > filters.page_size
    return page, count, f"i{page[-1]['internal_id']}" if more else None


def selected_statuses(filters: InvoiceFilters) -> frozenset[str] | None:
    """The statuses the list's filters select when they select by status alone (as
    ``filter_invoices`` does); None when any other filter is given."""
    given = filters.model_dump(exclude=PAGING | STATUS_FILTERS, exclude_none=True)
    if given:
        return None
    selected = set(Status.values)
    if filters.status is not None:
        selected &= {filters.status}
    if filters.booked is not None:
        not_booked = selected - {Status.BOOKED, Status.CANCELLED}
        selected &= {Status.BOOKED} if filters.booked else not_booked
    if filters.approved is not None:
        selected &= set(APPROVED if filters.approved else AWAITING_APPROVAL)
    return frozenset(selected)


def count_by_status(company: Company, statuses: frozenset[str]) -> int:
    """How many of the company's invoices are in one of ``statuses``: exact, from the counts
    the database's triggers keep (``InvoiceStatusCount``), one row per status."""
    counts = InvoiceStatusCount.objects.filter(company=company)
    if statuses != frozenset(Status.values):
        counts = counts.filter(status__in=sorted(statuses))
    return counts.aggregate(total=Sum("count", default=0))["total"]


def _below_in_status(company: Company, status: str, before: int | None) -> RawSQL:
    """The company's invoices of one status below an internal id (None: any), as a row
    comparison that only the ``(company, status, internal id)`` index can serve.

    With the plain conditions PostgreSQL may instead walk the company's internal ids
    backwards and skip what has another status: cheap by its estimate, but a company's
    newest invoices are seldom booked, and at a million invoices the booked page skipped
    45,000 of them (27 ms; 0.1 ms on the status index).
    """
    table, column = connection.ops.quote_name(Invoice._meta.db_table), connection.ops.quote_name
    columns = ", ".join(f"{table}.{column(c)}" for c in ("company_id", "status", "internal_id"))
    company_id = Invoice._meta.get_field("company").get_db_prep_value(company.pk, connection)
    bound = (company_id, str(status), _MAX_INTERNAL_ID if before is None else before)
    return RawSQL(f"({columns}) < (%s, %s, %s)", bound, output_field=BooleanField())


def _status_total(company: Company, statuses: frozenset[str]) -> Coalesce:
    """``count_by_status`` as a subquery, to read with a page of the list: one statement
    instead of two, a round trip that a busy server pays for in waiting."""
    counts = InvoiceStatusCount.objects.filter(company=company)
    if statuses != frozenset(Status.values):
        counts = counts.filter(status__in=sorted(statuses))
    total = counts.values("company").annotate(total=Sum("count")).values("total")
    return Coalesce(Subquery(total), 0)


def filter_invoices(
    company: Company, filters: InvoiceFilters, *, details: bool = True
) -> QuerySet[Invoice]:
    """Apply list filters; newest first by internal id, so pages are stable."""
    qs = invoices_with_details(company) if details else Invoice.objects.for_company(company)
    exact = {
        "status": filters.status,
        "type": filters.type,
        "supplier_id": filters.supplier_id,
        "invoice_number": filters.invoice_number,
        "invoice_date__gte": filters.invoice_date_from,
        "invoice_date__lte": filters.invoice_date_to,
        "due_date__gte": filters.due_date_from,
        "due_date__lte": filters.due_date_to,
        "created_at__gt": filters.created_after,
        "created_at__lt": filters.created_before,
        "modified_at__gt": filters.modified_after,
        "modified_at__lt": filters.modified_before,
        "sync_failed": filters.sync_failed,
        "po_match_status": filters.po_match_status,
        "supplier__name__icontains": (filters.supplier_name or "").strip() or None,
    }
    flags = {
        "prebooked": filters.prebooked,
        "coded": filters.coded,
        "needs_review": filters.needs_review,
    }
    exact |= flags
    qs = qs.filter(**{k: v for k, v in exact.items() if v is not None})
    if filters.booked is not None:
        booked = Q(status=Invoice.Status.BOOKED)
        qs = qs.filter(booked if filters.booked else ~booked & ~Q(status=Invoice.Status.CANCELLED))
    if filters.approved is not None:
        qs = qs.filter(status__in=APPROVED if filters.approved else AWAITING_APPROVAL)
    return qs.order_by("-internal_id")
