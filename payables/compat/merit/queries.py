"""Reads of the Merit adapter: the records Merit names by GUID, by integer id or by name.

Every lookup is scoped to one company: another company's GUID is simply not found.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.db.models import Q

from payables.masterdata import queries as masterdata
from payables.masterdata.models import (
    DimensionType,
    DimensionValue,
    PaymentMethod,
    Supplier,
    VatCode,
)
from payables.tenancy.models import ApiKey, Company


def api_key_by_id(api_id: str) -> ApiKey | None:
    """The key a Merit ApiId (the key's own UUID) names, revoked ones too; None if none."""
    try:
        key_id = UUID(api_id)
    except ValueError:
        return None
    return (
        ApiKey.objects.select_related("integrator__company", "user__company")
        .filter(pk=key_id)
        .first()
    )


def vat_codes_by_id(company: Company, ids: Iterable[UUID]) -> dict[UUID, VatCode]:
    """The company's VAT codes with these ids (Merit's TaxId), in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {code.pk: code for code in masterdata.vat_codes(company).filter(pk__in=wanted)}


def dimension_values_by_id(company: Company, ids: Iterable[UUID]) -> dict[UUID, DimensionValue]:
    """The company's dimension values with these ids (Merit's DimValueId), in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    values = masterdata.dimension_values(company).filter(pk__in=wanted)
    return {value.pk: value for value in values}


def dimension_types(company: Company) -> list[DimensionType]:
    """All the company's dimension types, inactive ones too (their DimIds stay taken)."""
    return list(masterdata.dimension_types(company).order_by("code", "id"))


def has_supplier(company: Company, supplier_id: UUID) -> bool:
    return Supplier.objects.for_company(company).filter(pk=supplier_id).exists()


def payment_method_named(company: Company, name: str) -> PaymentMethod | None:
    """An active payment method by name (any case), else by code: Merit names it."""
    methods = masterdata.payment_methods(company).filter(is_active=True)
    return (
        methods.filter(name__iexact=name).order_by("code").first()
        or methods.filter(code=name).first()
    )


def listed_vat_codes(company: Company) -> list[VatCode]:
    """What ``gettaxes`` lists: the active VAT codes, by code."""
    return list(masterdata.vat_codes(company).filter(is_active=True).order_by("code", "id"))


def listed_dimension_values(company: Company) -> list[DimensionValue]:
    """What ``getdimensions`` lists: the active values of active dimension types."""
    values = masterdata.dimension_values(company).filter(
        Q(is_active=True) & Q(type__is_active=True)
    )
    return list(values.order_by("type__code", "code", "id"))
