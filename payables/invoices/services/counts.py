"""Recounting the invoices of every company by status, which triggers otherwise keep."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count

from payables.invoices.models import Invoice, InvoiceStatusCount


def recount_invoice_statuses() -> int:
    """Count every company's invoices by status afresh; answer how many invoices there are.

    Only needed after a load that bypassed the triggers (``session_replication_role =
    replica``, as ``bench/scale_data.py`` loads). On PostgreSQL invoice writes wait until
    it commits, so none is counted twice or missed.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE invoices_invoice IN SHARE MODE")
        InvoiceStatusCount.objects.all().delete()
        counts = [
            InvoiceStatusCount(company_id=company_id, status=status, count=count)
            for company_id, status, count in Invoice.objects.order_by()
            .values_list("company_id", "status")
            .annotate(count=Count("pk"))
        ]
        InvoiceStatusCount.objects.bulk_create(counts, batch_size=500)
    return sum(c.count for c in counts)
