"""Shapes of payment method requests and answers."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.masterdata.schemas.records import Code, Name, RequestId
from payables.schema_types import Flag, InSchema


class PaymentMethodFields(InSchema):
    """A payment method as ``PUT /payment-methods/by-code/{code}`` takes it."""

    name: Name
    bank_account: str = Field("", max_length=50, description="IBAN; checked and compacted.")
    is_active: Flag = True


class PaymentMethodIn(PaymentMethodFields):
    code: Code
    request_id: RequestId = None


class PaymentMethodPatch(InSchema):
    code: Code = None
    name: Name = None
    bank_account: str = Field(None, max_length=50)
    is_active: Flag = None


class PaymentMethodOut(Schema):
    id: UUID
    code: str
    name: str
    bank_account: str
    is_active: bool
    created_at: datetime
    modified_at: datetime
