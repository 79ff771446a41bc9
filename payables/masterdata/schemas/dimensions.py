"""Shapes of dimension type and dimension value requests and answers."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.masterdata.models import DimensionValue
from payables.masterdata.schemas.records import Code, Name, RequestId
from payables.schema_types import Flag, InSchema, IsoDate


class DimensionTypeFields(InSchema):
    """A dimension type as ``PUT /dimension-types/by-code/{code}`` takes it."""

    name: Name
    is_active: Flag = True


class DimensionTypeIn(DimensionTypeFields):
    code: Code
    request_id: RequestId = None


class DimensionTypePatch(InSchema):
    code: Code = None
    name: Name = None
    is_active: Flag = None


class DimensionTypeOut(Schema):
    id: UUID
    code: str
    name: str
    is_active: bool
    created_at: datetime
    modified_at: datetime


class DimensionValueFields(InSchema):
    """A dimension value as ``PUT …/values/by-code/{code}`` takes it."""

    name: Name
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = Field(None, description="Last valid day; not before `valid_from`.")
    is_active: Flag = True


class DimensionValueIn(DimensionValueFields):
    code: Code
    request_id: RequestId = None


class DimensionValuePatch(InSchema):
    code: Code = None
    name: Name = None
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    is_active: Flag = None


class DimensionValueOut(Schema):
    id: UUID
    type: str = Field(description="Code of the dimension type.")
    code: str
    name: str
    valid_from: date | None
    valid_to: date | None
    is_active: bool
    created_at: datetime
    modified_at: datetime

    @staticmethod
    def resolve_type(obj: DimensionValue) -> str:
        return obj.type.code
