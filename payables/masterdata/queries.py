"""Company-scoped reads of suppliers."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Q, QuerySet

from payables.errors import NotFound
from payables.masterdata.models import Supplier
from payables.masterdata.schemas import SupplierFilters
from payables.tenancy.models import Company


def get_supplier(company: Company, supplier_id: UUID) -> Supplier:
    """Return the company's supplier; another company's is simply not found."""
    supplier = Supplier.objects.for_company(company).filter(pk=supplier_id).first()
    if supplier is None:
        raise NotFound("Supplier not found.", code="supplier_not_found")
    return supplier


def filter_suppliers(company: Company, filters: SupplierFilters) -> QuerySet[Supplier]:
    """Apply list filters; ordered by name, then id, so pages are stable."""
    qs = Supplier.objects.for_company(company).prefetch_related("bank_accounts")
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q)
            | Q(registry_code__icontains=filters.q)
            | Q(vat_number__icontains=filters.q.replace(" ", ""))
        )
    for name in ("created_after", "modified_after"):
        if (value := getattr(filters, name)) is not None:
            qs = qs.filter(**{name.replace("_after", "_at__gt"): value})
    for name in ("created_before", "modified_before"):
        if (value := getattr(filters, name)) is not None:
            qs = qs.filter(**{name.replace("_before", "_at__lt"): value})
    if filters.is_active is not None:
        qs = qs.filter(is_active=filters.is_active)
    return qs.order_by("name", "id")
