"""Shapes of bulk loads of master data and of the jobs that run them.

A load's envelope is checked at once (a 422 queues nothing); its records are checked one by
one by the job, so a bad record becomes an entry of the job's errors and never refuses the
load. Each record has the shape of the kind's upsert body plus its code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field, WithJsonSchema, create_model

from payables.masterdata.models import BulkJob
from payables.masterdata.schemas.accounts import AccountFields, VatCodeFields
from payables.masterdata.schemas.custom_fields import CustomFieldFields
from payables.masterdata.schemas.dimensions import DimensionTypeFields, DimensionValueFields
from payables.masterdata.schemas.items import ItemFields
from payables.masterdata.schemas.payment_methods import PaymentMethodFields
from payables.masterdata.schemas.records import Code, RequestId
from payables.masterdata.schemas.suppliers import SupplierFields
from payables.masterdata.schemas.users import UserFields
from payables.schema_types import InSchema, inline_schema

MAX_BULK_RECORDS = 10_000

BulkMode = Literal["upsert", "full"]


class SupplierRecord(SupplierFields):
    erp_code: str = Field(
        "",
        max_length=50,
        description="Names the supplier; without one, its registry code or VAT number does.",
    )


class AccountRecord(AccountFields):
    code: Code


class VatCodeRecord(VatCodeFields):
    code: Code


class DimensionTypeRecord(DimensionTypeFields):
    code: Code


class DimensionValueRecord(DimensionValueFields):
    code: Code


class PaymentMethodRecord(PaymentMethodFields):
    code: Code


class UserRecord(UserFields):
    code: Code


class ItemRecord(ItemFields):
    code: Code


class CustomFieldRecord(CustomFieldFields):
    code: Code


class BulkIn(InSchema):
    """A load of one kind: `records` with `mode` `upsert` (default) or `full`."""

    records: list[Any] = Field(min_length=1, max_length=MAX_BULK_RECORDS)
    mode: BulkMode = Field(
        "upsert",
        description=(
            "`upsert` writes the records; `full` (a nightly full sync) also deactivates the "
            "records of the kind that the load does not name."
        ),
    )
    request_id: RequestId = None


def bulk_in(record: type[Schema]) -> type[BulkIn]:
    """The envelope of a load of ``record``s, documenting their shape."""
    documented = Annotated[Any, WithJsonSchema(inline_schema(record))]
    return create_model(
        record.__name__.removesuffix("Record") + "BulkIn",
        __base__=BulkIn,
        records=(
            list[documented],
            Field(
                min_length=1,
                max_length=MAX_BULK_RECORDS,
                description=f"1 to {MAX_BULK_RECORDS:,} records, each checked on its own.",
            ),
        ),
    )


SupplierBulkIn = bulk_in(SupplierRecord)
AccountBulkIn = bulk_in(AccountRecord)
VatCodeBulkIn = bulk_in(VatCodeRecord)
DimensionTypeBulkIn = bulk_in(DimensionTypeRecord)
DimensionValueBulkIn = bulk_in(DimensionValueRecord)
PaymentMethodBulkIn = bulk_in(PaymentMethodRecord)
UserBulkIn = bulk_in(UserRecord)
ItemBulkIn = bulk_in(ItemRecord)
CustomFieldBulkIn = bulk_in(CustomFieldRecord)


class BulkCountsOut(Schema):
    created: int
    updated: int
    unchanged: int
    failed: int = Field(description="Records refused; each has entries in `errors`.")
    deactivated: int = Field(description="Records a `full` load deactivated.")


class BulkErrorOut(Schema):
    index: int | None = Field(description="The record's index in `records`; null: the load.")
    code: str | None = Field(description="The record's code, when it has a readable one.")
    loc: list[str | int] = Field(description="Path of the field within the record.")
    msg: str
    type: str


class BulkJobOut(Schema):
    id: UUID
    kind: str
    dimension_type: str | None = Field(description="Code of the type, for dimension values.")
    mode: str
    state: Literal["queued", "running", "done", "failed"]
    total: int = Field(description="Records in the load.")
    processed: int = Field(description="Records done so far, refused ones included.")
    counts: BulkCountsOut
    error_count: int = Field(description="All errors; `errors` shows the first ones.")
    errors: list[BulkErrorOut]
    failure: str = Field(
        description="Why the job stopped, when it failed (e.g. its worker kept dying); else empty."
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_dimension_type(obj: BulkJob) -> str | None:
        return obj.dimension_type.code if obj.dimension_type_id else None

    @staticmethod
    def resolve_counts(obj: BulkJob) -> dict:
        return {
            "created": obj.created_count,
            "updated": obj.updated_count,
            "unchanged": obj.unchanged_count,
            "failed": obj.failed_count,
            "deactivated": obj.deactivated_count,
        }
