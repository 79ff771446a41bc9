"""Shapes of custom invoice header field requests and answers, with list values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.masterdata.models import CustomField
from payables.masterdata.schemas.records import Code, Name, RequestId
from payables.schema_types import Flag, InSchema, IsoDate

FieldType = Literal["text", "number", "date", "list"]


class ListValueIn(InSchema):
    code: Code
    description: str = Field("", max_length=500)
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = Field(None, description="Last valid day; not before `valid_from`.")


class CustomFieldFields(InSchema):
    """A field as ``PUT /custom-fields/by-code/{code}`` takes it; `values` replace all."""

    name: Name
    type: FieldType = "text"
    is_required: Flag = False
    values: list[ListValueIn] = Field(
        default_factory=list, max_length=5000, description="Only for `list` fields."
    )
    is_active: Flag = True


class CustomFieldIn(CustomFieldFields):
    code: Code
    request_id: RequestId = None


class CustomFieldPatch(InSchema):
    """Given fields change, the others stay. `values`, when given, replace the stored list
    (`[]` removes them all); each value is checked as on create, and what it leaves out takes
    its default (no description, no period), not the stored value's."""

    code: Code = None
    name: Name = None
    type: FieldType = None
    is_required: Flag = None
    values: list[ListValueIn] = Field(
        None, max_length=5000, description="Replaces the stored list; each value as on create."
    )
    is_active: Flag = None


class ListValueOut(Schema):
    code: str
    description: str
    valid_from: date | None
    valid_to: date | None


class CustomFieldOut(Schema):
    id: UUID
    code: str
    name: str
    type: str
    is_required: bool
    values: list[ListValueOut]
    is_active: bool
    created_at: datetime
    modified_at: datetime

    @staticmethod
    def resolve_values(obj: CustomField) -> list[dict]:
        return [
            {
                "code": v.code,
                "description": v.description,
                "valid_from": v.valid_from,
                "valid_to": v.valid_to,
            }
            for v in obj.values.all()
        ]
