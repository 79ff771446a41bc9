"""Fennoa's supplier list: 100 a page, by supplier id, filtered by creation and change."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from payables.compat.fennoa import records
from payables.compat.fennoa.endpoint import endpoint
from payables.compat.fennoa.envelope import ok
from payables.compat.fennoa.params import query_values
from payables.compat.fennoa.schemas import FennoaSupplierParams
from payables.masterdata.queries import filter_suppliers
from payables.masterdata.schemas import SupplierFilters
from payables.schema_types import PageParams, paginate

SUPPLIERS_PAGE_SIZE = 100


@endpoint("GET", "masterdata:read")
def suppliers(request: HttpRequest) -> HttpResponse:
    """``get/suppliers``: a page of suppliers (an empty list past the last page).

    A date alone (``createdAfter=2019-06-30``) is that day's first moment, Finnish time.
    """
    params = FennoaSupplierParams.model_validate(query_values(request))
    filters = SupplierFilters(
        created_after=params.createdAfter,
        created_before=params.createdBefore,
        modified_after=params.modifiedAfter,
        modified_before=params.modifiedBefore,
    )
    # By id, so a page does not move when a supplier is renamed or added.
    found = filter_suppliers(request.actor.company, filters).order_by("internal_id", "id")
    page, _ = paginate(found, PageParams(page=params.page, page_size=SUPPLIERS_PAGE_SIZE))
    return ok([records.supplier_record(supplier) for supplier in page])
