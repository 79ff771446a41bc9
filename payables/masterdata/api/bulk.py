"""Bulk load endpoints: `POST /<kind>/bulk` queues a job that upserts the records by code.

``payables/api.py`` mounts this router before the kinds' own, so that `…/bulk` is not
read as the code of a record (`GET /accounts/{ref}`).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from payables.masterdata.models import BulkJob
from payables.masterdata.queries import get_dimension_type
from payables.masterdata.schemas import (
    AccountBulkIn,
    BulkIn,
    BulkJobOut,
    CustomFieldBulkIn,
    DimensionTypeBulkIn,
    DimensionValueBulkIn,
    ItemBulkIn,
    PaymentMethodBulkIn,
    SupplierBulkIn,
    UserBulkIn,
    VatCodeBulkIn,
)
from payables.masterdata.services import ensure_default_dimension_types
from payables.masterdata.services.bulk import submit_bulk_job
from payables.tenancy.auth import scoped

router = Router()
write = scoped("masterdata:write")

DESCRIPTION = """Queue a load of up to 10,000 records; answers 202 with the job (see
`GET /jobs/{id}`). The worker upserts each record by its code, as `PUT …/by-code/{code}`
does: a record equal to what is stored is counted `unchanged` and writes nothing. Each
record is checked on its own: a refused one is listed in the job's `errors` with its
`index` and field path and never stops the others; a code given twice is refused the
second time. `mode: "full"` (a nightly full sync) also deactivates the records of this
kind the load does not name — not those it names but refuses, nor those created or
changed after the load was submitted; a load with a record whose code cannot be read
deactivates nothing. An envelope with more than 10,000 records or an unknown `mode` is
a 422 and queues nothing."""


def _submit(request: HttpRequest, kind: str, payload: BulkIn, **scope: object) -> Status[object]:
    job = submit_bulk_job(kind, payload.records, mode=payload.mode, actor=request.actor, **scope)
    return Status(202, job)


@router.post(
    "/suppliers/bulk",
    response={202: BulkJobOut},
    auth=write,
    tags=["suppliers"],
    summary="Bulk load suppliers",
    description=DESCRIPTION
    + "\n\nA supplier is named by `erp_code`; without one, or where no supplier has it"
    " yet, by its registry code (and country), else its VAT number — a supplier found"
    " so that has no ERP code of its own takes the one given. A record needs at least"
    " one of the three.",
)
def bulk_suppliers(request: HttpRequest, payload: SupplierBulkIn) -> Status[object]:
    return _submit(request, BulkJob.Kind.SUPPLIER, payload)


@router.post(
    "/accounts/bulk",
    response={202: BulkJobOut},
    auth=write,
    tags=["accounts"],
    summary="Bulk load accounts",
    description=DESCRIPTION,
)
def bulk_accounts(request: HttpRequest, payload: AccountBulkIn) -> Status[object]:
    return _submit(request, BulkJob.Kind.ACCOUNT, payload)


@router.post(
    "/vat-codes/bulk",
    response={202: BulkJobOut},
    auth=write,
    tags=["VAT codes"],
    summary="Bulk load VAT codes",
    description=DESCRIPTION,
)
def bulk_vat_codes(request: HttpRequest, payload: VatCodeBulkIn) -> Status[object]:
    return _submit(request, BulkJob.Kind.VAT_CODE, payload)


@router.post(
    "/dimension-types/bulk",
    response={202: BulkJobOut},
    auth=write,
    tags=["dimensions"],
    summary="Bulk load dimension types",
    description=DESCRIPTION,
)
def bulk_dimension_types(request: HttpRequest, payload: DimensionTypeBulkIn) -> Status[object]:
    ensure_default_dimension_types(actor=request.actor)
    return _submit(request, BulkJob.Kind.DIMENSION_TYPE, payload)


@router.post(
    "/dimension-types/{type_ref}/values/bulk",
    response={202: BulkJobOut},
    auth=write,
    tags=["dimensions"],
    summary="Bulk load a dimension type's values",
    description=DESCRIPTION + "\n\nA full load deactivates values of this type only.",
)
def bulk_dimension_values(
    request: HttpRequest, type_ref: str, payload: DimensionValueBulkIn
) -> Status[object]:
    ensure_default_dimension_types(actor=request.actor)
    dimension_type = get_dimension_type(request.actor.company, type_ref)
    return _submit(request, BulkJob.Kind.DIMENSION_VALUE, payload, dimension_type=dimension_type)


@router.post(
    "/payment-methods/bulk",
    response={202: BulkJobOut},
    auth=write,
    tags=["payment methods"],
    summary="Bulk load payment methods",
    description=DESCRIPTION,
)
def bulk_payment_methods(request: HttpRequest, payload: PaymentMethodBulkIn) -> Status[object]:
    return _submit(request, BulkJob.Kind.PAYMENT_METHOD, payload)


@router.post(
    "/users/bulk",
    response={202: BulkJobOut},
    auth=write,
    tags=["users"],
    summary="Bulk load users",
    description=DESCRIPTION,
)
def bulk_users(request: HttpRequest, payload: UserBulkIn) -> Status[object]:
    return _submit(request, BulkJob.Kind.USER, payload)


@router.post(
    "/items/bulk",
    response={202: BulkJobOut},
    auth=write,
    tags=["items"],
    summary="Bulk load product items",
    description=DESCRIPTION,
)
def bulk_items(request: HttpRequest, payload: ItemBulkIn) -> Status[object]:
    return _submit(request, BulkJob.Kind.ITEM, payload)


@router.post(
    "/custom-fields/bulk",
    response={202: BulkJobOut},
    auth=write,
    tags=["custom fields"],
    summary="Bulk load custom fields",
    description=DESCRIPTION,
)
def bulk_custom_fields(request: HttpRequest, payload: CustomFieldBulkIn) -> Status[object]:
    return _submit(request, BulkJob.Kind.CUSTOM_FIELD, payload)
