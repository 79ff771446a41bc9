"""Fitek's master data imports: Suppliers, Users, Product Items and Invoice Header Extension
list values, over the native master data services.

Bulk imports queue a native bulk job (``masterdata.services.bulk``): each record is
checked on its own in the background, and ``ImportJobStatus`` tells how the job is
getting on, with each refused record located in Fitek's names. One-by-one imports write
at once, as the native upserts by code do.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from payables.compat.fitek.credentials import FitekCredentials
from payables.compat.fitek.envelope import dotted, located, success
from payables.compat.fitek.names import fitek_loc, read_payload, to_fitek, to_native
from payables.compat.fitek.schemas import (
    AnswerOut,
    BulkPayload,
    JobPayload,
    ListValuePayload,
    ListValuesPayload,
    answer_schema,
    bulk_payload_schema,
    request_schema,
)
from payables.masterdata.models import BulkJob, CustomField
from payables.masterdata.queries import get_bulk_job, get_custom_field
from payables.masterdata.schemas import (
    BulkJobOut,
    CustomFieldOut,
    ItemOut,
    UserOut,
)
from payables.masterdata.schemas.bulk import ItemRecord, SupplierRecord, UserRecord
from payables.masterdata.services import (
    update_custom_field,
    upsert_item,
    upsert_list_values,
    upsert_user,
)
from payables.masterdata.services.bulk import KINDS, submit_bulk_job
from payables.tenancy.models import Company

router = Router(tags=["master data"])
write = FitekCredentials("masterdata:write")
REFUSED = dict.fromkeys((401, 403, 404, 409, 413, 422), AnswerOut)
SuppliersImportIn = request_schema("SuppliersImportIn", bulk_payload_schema(SupplierRecord))
UsersImportIn = request_schema("UsersImportIn", bulk_payload_schema(UserRecord))
UserImportIn = request_schema("UserImportIn", UserRecord)
ProductItemsImportIn = request_schema("ProductItemsImportIn", bulk_payload_schema(ItemRecord))
ProductItemImportIn = request_schema("ProductItemImportIn", ItemRecord)
ListValuesImportIn = request_schema("ListValuesImportIn", ListValuesPayload)
ListValueImportIn = request_schema("ListValueImportIn", ListValuePayload)
ImportJobStatusIn = request_schema("ImportJobStatusIn", JobPayload)


def _bulk(request: HttpRequest, raw: Any, kind: str, record: type[Schema]) -> Status[dict]:
    """Queue a load; the records are renamed to the native fields, as they are."""
    load = read_payload({"Records": raw} if isinstance(raw, list) else raw, BulkPayload)
    records = [to_native(one, record) for one in load.records]
    with located(BulkPayload):
        job = submit_bulk_job(kind, records, mode=load.mode, actor=request.actor)
    return Status(200, success(request, job_result(job)))


def job_result(job: BulkJob) -> dict:
    """The job as the native API shows it, its record errors located in Fitek's names."""
    shown = BulkJobOut.from_orm(job).model_dump(mode="json")
    errors = shown.pop("errors")
    result = to_fitek(shown, BulkJobOut)
    result["JobId"] = result.pop("Id")
    record = KINDS[job.kind].record
    result["Errors"] = [
        {
            "Index": e["index"],
            "RecordCode": e["code"],
            "Code": e["type"],
            "Message": e["msg"],
            "Location": dotted(
                ["Payload", "Records", e["index"], *fitek_loc(e["loc"], record)]
                if e["index"] is not None
                else ["Payload", "Records"]
            ),
        }
        for e in errors
    ]
    return result


def _records_answer(name: str) -> dict:
    return {200: answer_schema(name, BulkJobOut), **REFUSED}


@router.post("/SuppliersImport", response=_records_answer("SuppliersImportOut"), auth=write)
def suppliers_import(request: HttpRequest, payload: SuppliersImportIn) -> Status[dict]:
    """Suppliers Import v3: queue a load of up to 10,000 suppliers (`Payload` is the array of
    records, or `{"Records": [...], "Mode": "full"}` for a full sync that also deactivates
    the suppliers it does not name), as `POST /api/v1/suppliers/bulk` does. A supplier is
    named by `ErpCode`, else its `RegistrationNumber` (and `Country`), else `VatNumber`."""
    return _bulk(request, payload.Payload, BulkJob.Kind.SUPPLIER, SupplierRecord)


@router.post("/UsersImport/Bulk", response=_records_answer("UsersImportOut"), auth=write)
def users_import(request: HttpRequest, payload: UsersImportIn) -> Status[dict]:
    """Users Import v3, bulk: queue a load of users (the array of user objects), for
    onboarding or a nightly full sync (`Mode` `full`), as `POST /api/v1/users/bulk` does."""
    return _bulk(request, payload.Payload, BulkJob.Kind.USER, UserRecord)


@router.post(
    "/UsersImport/OneByOne",
    response={200: answer_schema("UserImportOut", UserOut), **REFUSED},
    auth=write,
)
def user_import(request: HttpRequest, payload: UserImportIn) -> Status[dict]:
    """Users Import v3, one by one: create or replace the user with this `Code` at once, as
    `PUT /api/v1/users/by-code/{code}` does (`Outcome` `created`, `updated`, `unchanged`)."""
    data = read_payload(payload.Payload, UserRecord)
    with located(UserRecord):
        upserted = upsert_user(data.code, data.model_dump(), actor=request.actor)
    shown = to_fitek(UserOut.from_orm(upserted.record).model_dump(mode="json"), UserOut)
    return Status(200, success(request, shown | {"Outcome": upserted.outcome}))


@router.post(
    "/ProductItemsImport/Bulk", response=_records_answer("ProductItemsImportOut"), auth=write
)
def product_items_import(request: HttpRequest, payload: ProductItemsImportIn) -> Status[dict]:
    """Product Items Import v3, bulk: queue a load of items with their seller product code
    mappings (`SellerMappings`: `SupplierCode` or `SupplierId`, and `SellerCode`), as `POST
    /api/v1/items/bulk` does. Incoming invoices' rows are then recognised by those codes."""
    return _bulk(request, payload.Payload, BulkJob.Kind.ITEM, ItemRecord)


@router.post(
    "/ProductItemsImport/OneByOne",
    response={200: answer_schema("ProductItemImportOut", ItemOut), **REFUSED},
    auth=write,
)
def product_item_import(request: HttpRequest, payload: ProductItemImportIn) -> Status[dict]:
    """Product Items Import v3, one by one: create or replace the item with this `Code`, as
    `PUT /api/v1/items/by-code/{code}` does."""
    data = read_payload(payload.Payload, ItemRecord)
    with located(ItemRecord):
        upserted = upsert_item(data.code, data.model_dump(), actor=request.actor)
    shown = to_fitek(ItemOut.from_orm(upserted.record).model_dump(mode="json"), ItemOut)
    return Status(200, success(request, shown | {"Outcome": upserted.outcome}))


def _list_field(company: Company, code: str) -> CustomField:
    with located(None, default=["Payload", "ParentFieldCode"]):
        return get_custom_field(company, code)


def _field_result(field: CustomField, company: Company) -> dict:
    shown = CustomFieldOut.from_orm(get_custom_field(company, str(field.id)))
    return to_fitek(shown.model_dump(mode="json"), CustomFieldOut)


@router.post(
    "/InvoiceHeaderExtensionListValuesImport/Bulk",
    response={200: answer_schema("ListValuesImportOut", CustomFieldOut), **REFUSED},
    auth=write,
)
def list_values_import(request: HttpRequest, payload: ListValuesImportIn) -> Status[dict]:
    """Invoice Header Extension list values import v3, bulk: the `Items` (each a `Code`, a
    `Description` and optional `StartDate` / `EndDate`) of the list custom field
    `ParentFieldCode`. `Mode` `upsert` (the default) adds or changes the items given and
    keeps the others; `full` makes them the field's whole list. A field that is not a list
    is refused at `Payload.Items`; an unknown one is a 404."""
    data = read_payload(payload.Payload, ListValuesPayload)
    company = request.actor.company
    field = _list_field(company, data.parent_field_code)
    values = [value.model_dump() for value in data.values]
    with located(ListValuesPayload):
        if data.mode == "full":
            field = update_custom_field(field, {"values": values}, actor=request.actor)
        else:
            field = upsert_list_values(field, values, actor=request.actor)
    return Status(200, success(request, _field_result(field, company)))


@router.post(
    "/InvoiceHeaderExtensionListValuesImport/OneByOne",
    response={200: answer_schema("ListValueImportOut", CustomFieldOut), **REFUSED},
    auth=write,
)
def list_value_import(request: HttpRequest, payload: ListValueImportIn) -> Status[dict]:
    """Invoice Header Extension list values import v3, one by one: add or change one item
    (`Code`, `Description`, `StartDate`, `EndDate`) of the list field `ParentFieldCode`;
    its other items stay."""
    data = read_payload(payload.Payload, ListValuePayload)
    company = request.actor.company
    field = _list_field(company, data.parent_field_code)
    value = data.model_dump(exclude={"parent_field_code"})
    with located(ListValuePayload, within=("values", 0), default=["Payload", "ParentFieldCode"]):
        field = upsert_list_values(field, [value], actor=request.actor)
    return Status(200, success(request, _field_result(field, company)))


@router.post(
    "/ImportJobStatus",
    response={200: answer_schema("ImportJobOut", BulkJobOut), **REFUSED},
    auth=FitekCredentials("masterdata:read"),
)
def import_job_status(request: HttpRequest, payload: ImportJobStatusIn) -> Status[dict]:
    """How a bulk import is getting on: `State` (`queued`, `running`, `done`, `failed`),
    `Processed` of `Total`, the `Counts`, and each refused record (`Index`, `Location` in
    the import's request). Not one of Fitek's APIs; send a new RequestId each time."""
    data = read_payload(payload.Payload, JobPayload)
    with located(JobPayload, default=["Payload", "JobId"]):
        job = get_bulk_job(request.actor.company, data.job_id)
    return Status(200, success(request, job_result(job)))
