"""Shapes of numbering policies."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.schema_types import Flag, InSchema


class NumberingPolicyIn(InSchema):
    name: str = Field(min_length=1, max_length=100)
    pattern: str = Field(min_length=1, max_length=100, examples=["PI-{year}-{seq:06}"])
    next_value: int = Field(1, ge=1, le=10**15)
    is_default: Flag = False


class NumberingPolicyPatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    pattern: str | None = Field(None, min_length=1, max_length=100)
    next_value: int | None = Field(None, ge=1, le=10**15)
    is_default: Flag | None = None


class NumberingPolicyOut(Schema):
    id: UUID
    name: str
    pattern: str
    next_value: int
    is_default: bool
    created_at: datetime
    modified_at: datetime
