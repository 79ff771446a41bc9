"""Merit Aktiva's sendpurchinvoice payload (v1 and v2), as its field tables describe it.

Shapes only (types and Merit's lengths): what the fields mean is ``mapping``'s. Field names
are Merit's own; like Merit's ASP.NET binder, keys are matched without regard to case
(``HComment`` is ``Hcomment``). Dates are Merit's ``yyyyMMdd[HHmm[ss]]`` (ISO dates are
taken too); numbers may be JSON numbers or numerals in strings, as Merit's examples send
them (``"PaymentDeadLine": "7"``); ``null`` is an empty value.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from payables.schema_types import Money, Rate, UnitPrice
from payables.schema_types import Quantity as QuantityValue  # a field is named Quantity

# yyyyMMdd, yyyyMMddHHmm (Merit's PaymDate) or yyyyMMddHHmmss; the time is not kept.
MERIT_DATE = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})(?:[0-9]{4}(?:[0-9]{2})?)?$")
ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt ][0-9:.]+Z?)?$")


def merit_date(value: object) -> date | None:
    """Read a Merit date; an empty string is no date.

    >>> merit_date("20200506"), merit_date("202005061530"), merit_date("2020-05-06T00:00:00")
    (datetime.date(2020, 5, 6), datetime.date(2020, 5, 6), datetime.date(2020, 5, 6))
    """
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str) and not value.strip():
        return None
    match = isinstance(value, str) and (
        MERIT_DATE.match(value.strip()) or ISO_DATE.match(value.strip())
    )
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise PydanticCustomError(
        "date_parsing", "Input should be a date as yyyyMMdd (or yyyyMMddHHmmss), e.g. 20200506"
    )


def merit_bool(value: object) -> object:
    """JSON true/false, or Merit's lowercase "true"/"false" in a string."""
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    if value is None or isinstance(value, bool):
        return value
    raise PydanticCustomError("bool_type", "Input should be true or false (lowercase)")


def merit_int(value: object) -> object:
    """A whole number, also written as a numeral in a string ("7")."""
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,9}", value.strip()):
        return int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise PydanticCustomError("int_type", "Input should be a whole number")


MeritDate = Annotated[date | None, BeforeValidator(merit_date)]
MeritBool = Annotated[bool | None, BeforeValidator(merit_bool)]
MeritInt = Annotated[int | None, BeforeValidator(merit_int)]


def text(max_length: int) -> Any:
    """An optional string of at most ``max_length`` characters (Merit's "Str n")."""
    return Field(None, max_length=max_length)


class MeritIn(BaseModel):
    """Unknown fields are refused (a typo is located, never silently dropped)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class VendorIn(MeritIn):
    """VendorObject; the v2 ReceiverObject has the same fields."""

    Id: UUID | None = None
    Name: str | None = text(150)
    RegNo: str | None = text(30)
    VatAccountable: MeritBool = None
    VatRegNo: str | None = text(30)
    CurrencyCode: str | None = text(4)
    PaymentDeadLine: MeritInt = None
    OverDueCharge: Money | None = None
    RefNoBase: str | None = text(36)  # not in the table, but in Merit's own examples
    Address: str | None = text(100)
    City: str | None = text(30)
    County: str | None = text(100)
    PostalCode: str | None = text(15)
    CountryCode: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    PhoneNo: str | None = text(50)
    PhoneNo2: str | None = text(50)
    HomePage: str | None = text(80)
    Email: str | None = text(80)


class ItemIn(MeritIn):
    Code: str = Field(min_length=1, max_length=20)
    Description: str | None = text(100)
    Type: MeritInt = Field(None, ge=1, le=3)
    UOMName: str | None = text(64)
    DefLocationCode: str | None = text(20)


class DimensionIn(MeritIn):
    DimId: MeritInt = None
    DimValueId: UUID | None = None
    DimCode: str | None = text(20)


class RowV1(MeritIn):
    Item: ItemIn
    Quantity: QuantityValue | None = None
    Price: UnitPrice
    TaxId: UUID
    LocationCode: str | None = text(20)
    DepartmentCode: str | None = text(20)
    GLAccountCode: str | None = text(10)
    ProjectCode: str | None = text(20)
    CostCenterCode: str | None = text(20)


class RowV2(RowV1):
    Dimensions: list[DimensionIn] = Field(default_factory=list, max_length=20)
    VatDate: MeritDate = None
    SalesAccCode: str | None = text(10)
    PurchaseAccCode: str | None = text(10)
    InventoryAccCode: str | None = text(10)
    CostAccCode: str | None = text(10)


class TaxIn(MeritIn):
    TaxId: UUID
    Amount: Money


class PaymentIn(MeritIn):
    PaymentMethod: str = Field(min_length=1, max_length=150)
    PaidAmount: Money | None = None
    PaymDate: MeritDate = None


class AttachmentIn(MeritIn):
    FileName: str | None = text(255)
    FileContent: str = Field(min_length=1)


class PurchaseInvoiceV1(MeritIn):
    Vendor: VendorIn
    ExpenseClaim: MeritBool = None
    DocDate: Annotated[date, BeforeValidator(merit_date)]
    DueDate: MeritDate = None
    TransactionDate: MeritDate = None
    BillNo: str = Field(min_length=1, max_length=35)
    RefNo: str | None = text(36)
    BankAccount: str | None = text(50)
    CurrencyCode: str | None = text(4)
    CurrencyRate: Rate | None = None
    DepartmentCode: str | None = text(20)
    ProjectCode: str | None = text(20)
    InvoiceRow: list[RowV1] = Field(min_length=1, max_length=2000)
    TaxAmount: list[TaxIn] = Field(min_length=1, max_length=50)
    RoundingAmount: Money | None = None
    TotalAmount: Money | None = None
    Payment: PaymentIn | None = None
    Hcomment: str | None = text(4000)
    Fcomment: str | None = text(4000)
    Attachment: AttachmentIn | None = None
    PolDocType: MeritInt = Field(None, ge=0, le=3)


class PurchaseInvoiceV2(PurchaseInvoiceV1):
    Dimensions: list[DimensionIn] = Field(default_factory=list, max_length=20)
    InvoiceRow: list[RowV2] = Field(min_length=1, max_length=2000)
    Receiver: VendorIn | None = None


class KeyGivenTwice(ValueError):
    """Two keys of one object differ only in case: which one was meant is unknown."""

    def __init__(self, loc: list) -> None:
        super().__init__("Given twice, in spellings that differ only in case.")
        self.loc = loc


def canonical_keys(data: object, model: type[BaseModel], loc: tuple = ()) -> object:
    """Spell the payload's keys as the model's fields are spelt, at every level.

    A key matching no field is left as sent, for validation to refuse where it is.

    >>> canonical_keys({"hcomment": "x", "vendor": {"name": "A"}}, PurchaseInvoiceV1)
    {'Hcomment': 'x', 'Vendor': {'Name': 'A'}}
    """
    if not isinstance(data, dict):
        return data
    names = {name.lower(): name for name in model.model_fields}
    result: dict = {}
    for key, value in data.items():
        name = names.get(key.lower(), key) if isinstance(key, str) else key
        if name in result:
            raise KeyGivenTwice([*loc, name])
        field = model.model_fields.get(name)
        nested = _nested_model(field.annotation) if field is not None else None
        if nested is not None and isinstance(value, list):
            value = [canonical_keys(v, nested, (*loc, name, i)) for i, v in enumerate(value)]
        elif nested is not None:
            value = canonical_keys(value, nested, (*loc, name))
        result[name] = value
    return result


def _nested_model(annotation: object) -> type[BaseModel] | None:
    """The model a field holds (itself, in a list, or optional), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if (found := _nested_model(arg)) is not None:
                return found
    return None
