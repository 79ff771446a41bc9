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


SUPPLIER_IDENTITY = (
    "\n\nA supplier is named by `erp_code`; without one, or where no supplier has it"
    " yet, by its registry code (and country), else its VAT number — a supplier found"
    " so that has no ERP code of its own takes the one given. A record needs at least"
    " one of the three."
)

# The kinds loaded at `/<path>/bulk`: path, job kind, schema, OpenAPI tag, what it loads.
KINDS = (
    ("suppliers", BulkJob.Kind.SUPPLIER, SupplierBulkIn, "suppliers", "suppliers"),
    ("accounts", BulkJob.Kind.ACCOUNT, AccountBulkIn, "accounts", "accounts"),
    ("vat-codes", BulkJob.Kind.VAT_CODE, VatCodeBulkIn, "VAT codes", "VAT codes"),
    ("dimension-types", BulkJob.Kind.DIMENSION_TYPE, DimensionTypeBulkIn, "dimensions",
     "dimension types"),
    ("payment-methods", BulkJob.Kind.PAYMENT_METHOD, PaymentMethodBulkIn, "payment methods",
     "payment methods"),
    ("users", BulkJob.Kind.USER, UserBulkIn, "users", "users"),
    ("items", BulkJob.Kind.ITEM, ItemBulkIn, "items", "product items"),
    ("custom-fields", BulkJob.Kind.CUSTOM_FIELD, CustomFieldBulkIn, "custom fields",
     "custom fields"),
)  # fmt: skip


def _register(path: str, kind: str, schema: type[BulkIn], tag: str, label: str) -> None:
    """Declare `POST /<path>/bulk` with its own payload schema, for a typed OpenAPI entry."""

    def endpoint(request: HttpRequest, payload: BulkIn) -> Status[object]:
        if kind == BulkJob.Kind.DIMENSION_TYPE:  # the defaults exist before a load names them
            ensure_default_dimension_types(actor=request.actor)
        return _submit(request, kind, payload)

    endpoint.__name__ = f"bulk_{path.replace('-', '_')}"
    endpoint.__annotations__ = {
        "request": HttpRequest, "payload": schema, "return": Status[object]
    }  # fmt: skip
    extra = SUPPLIER_IDENTITY if kind == BulkJob.Kind.SUPPLIER else ""
    router.post(
        f"/{path}/bulk",
        response={202: BulkJobOut},
        auth=write,
        tags=[tag],
        summary=f"Bulk load {label}",
        description=DESCRIPTION + extra,
    )(endpoint)


for path, kind, schema, tag, label in KINDS:
    _register(path, kind, schema, tag, label)


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
