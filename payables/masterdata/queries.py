"""Company-scoped reads of master data: lookups by UUID or code, and filtered lists.

Each ``<kinds>(company)`` queryset fetches what the kind's answer shows, so services
return (and events carry) records read the same way the API reads them.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet
from django.utils.text import capfirst

from payables.errors import NotFound
from payables.masterdata.models import (
    Account,
    BulkJob,
    CodedRecord,
    CurrencyRate,
    CustomField,
    DimensionType,
    DimensionValue,
    PaymentMethod,
    ProductItem,
    SellerMapping,
    Supplier,
    VatCode,
)
from payables.masterdata.schemas import RecordFilters, SupplierFilters
from payables.tenancy.models import Company, CompanyUser

R = TypeVar("R", bound=CodedRecord)

# --- suppliers -----------------------------------------------------------------------------


def get_supplier(company: Company, supplier_id: UUID) -> Supplier:
    """Return the company's supplier; another company's is simply not found."""
    supplier = Supplier.objects.for_company(company).filter(pk=supplier_id).first()
    if supplier is None:
        raise NotFound("Supplier not found.", code="supplier_not_found")
    return supplier


def get_supplier_by_internal_id(company: Company, internal_id: int) -> Supplier:
    """Return the company's supplier with this sequential number (integer-keyed APIs)."""
    supplier = Supplier.objects.for_company(company).filter(internal_id=internal_id).first()
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


# --- what each kind's answer shows ---------------------------------------------------------


def accounts(company: Company) -> QuerySet[Account]:
    return Account.objects.for_company(company).select_related("default_vat_code")


def vat_codes(company: Company) -> QuerySet[VatCode]:
    return VatCode.objects.for_company(company)


def dimension_types(company: Company) -> QuerySet[DimensionType]:
    return DimensionType.objects.for_company(company)


def dimension_values(company: Company) -> QuerySet[DimensionValue]:
    return DimensionValue.objects.for_company(company).select_related("type")


def payment_methods(company: Company) -> QuerySet[PaymentMethod]:
    return PaymentMethod.objects.for_company(company)


def users(company: Company) -> QuerySet[CompanyUser]:
    return CompanyUser.objects.for_company(company).select_related("company")


def items(company: Company) -> QuerySet[ProductItem]:
    mappings = SellerMapping.objects.select_related("supplier")
    return (
        ProductItem.objects.for_company(company)
        .select_related("default_account", "default_vat_code")
        .prefetch_related(Prefetch("seller_mappings", queryset=mappings))
    )


def custom_fields(company: Company) -> QuerySet[CustomField]:
    return CustomField.objects.for_company(company).prefetch_related("values")


# --- one record by UUID or code ------------------------------------------------------------


def find_record(queryset: QuerySet[R], ref: str) -> R | None:
    """Find by UUID, else by code: a code that merely looks like a UUID is still found."""
    try:
        found = queryset.filter(pk=UUID(ref)).first()
    except ValueError:
        found = None
    return found or queryset.filter(code=ref).first()


def get_record(queryset: QuerySet[R], ref: str) -> R:
    """Return the record named by ``ref``; another company's is simply not found."""
    found = find_record(queryset, ref)
    if found is None:
        model = queryset.model
        raise NotFound(
            f"{capfirst(model._meta.verbose_name)} {ref!r} not found.",
            code=f"{model.subject_type}_not_found",
        )
    return found


def get_account(company: Company, ref: str) -> Account:
    return get_record(accounts(company), ref)


def get_vat_code(company: Company, ref: str) -> VatCode:
    return get_record(vat_codes(company), ref)


def get_dimension_type(company: Company, ref: str) -> DimensionType:
    return get_record(dimension_types(company), ref)


def get_dimension_value(dimension_type: DimensionType, ref: str) -> DimensionValue:
    return get_record(dimension_values(dimension_type.company).filter(type=dimension_type), ref)


def get_payment_method(company: Company, ref: str) -> PaymentMethod:
    return get_record(payment_methods(company), ref)


def get_user(company: Company, ref: str) -> CompanyUser:
    return get_record(users(company), ref)


def get_item(company: Company, ref: str) -> ProductItem:
    return get_record(items(company), ref)


def get_custom_field(company: Company, ref: str) -> CustomField:
    return get_record(custom_fields(company), ref)


def get_bulk_job(company: Company, job_id: UUID) -> BulkJob:
    """Return the company's bulk job; another company's is simply not found."""
    job = (
        BulkJob.objects.filter(company=company, pk=job_id).select_related("dimension_type").first()
    )
    if job is None:
        raise NotFound("Job not found.", code="job_not_found")
    return job


# --- lists ---------------------------------------------------------------------------------

# Text search looks in these fields of each kind, besides the code.
SEARCH_FIELDS = {
    Account: ("name",),
    VatCode: ("description",),
    DimensionType: ("name",),
    DimensionValue: ("name",),
    PaymentMethod: ("name", "bank_account"),
    CompanyUser: ("name", "email"),
    ProductItem: ("description",),
    CustomField: ("name",),
}


def filter_records(queryset: QuerySet[R], filters: RecordFilters) -> QuerySet[R]:
    """Apply list filters; ordered by code, then id, so pages are stable."""
    if filters.q:
        search = Q(code__icontains=filters.q)
        for name in SEARCH_FIELDS[queryset.model]:
            search |= Q(**{f"{name}__icontains": filters.q})
        queryset = queryset.filter(search)
    exact = {
        "code": filters.code,
        "is_active": filters.is_active,
        "modified_at__gt": filters.modified_after,
        "modified_at__lt": filters.modified_before,
    }
    return queryset.filter(**{k: v for k, v in exact.items() if v is not None}).order_by(
        "code", "id"
    )


# --- currency rates ------------------------------------------------------------------------


def currency_rates(
    company: Company,
    *,
    currency: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[CurrencyRate]:
    """The company's own exchange rates, by currency and day."""
    rates = CurrencyRate.objects.for_company(company).order_by("currency", "rate_date")
    if currency:
        rates = rates.filter(currency=currency)
    if date_from:
        rates = rates.filter(rate_date__gte=date_from)
    if date_to:
        rates = rates.filter(rate_date__lte=date_to)
    return rates
