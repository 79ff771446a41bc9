"""What the Fennoa-compatible endpoints take, under Fennoa's own field names (shape only).

Form fields and query parameters arrive as text: integers, amounts and dates are read from
it as the native API reads them (amounts never through a float). Unknown fields are refused,
so a misspelt filter (``isaproved``) is an error, never an unfiltered list.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from payables.coding.inputs import Percent
from payables.compat.fennoa.params import Moment
from payables.schema_types import CountryCode, CurrencyCode, InSchema, IsoDate, Money


def _not_a_bool(value: object) -> object:
    """A JSON ``true`` is no number: pydantic would read it as 1 (invoice 1, type 1)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a whole number, not true or false")
    return value


Whole = BeforeValidator(_not_a_bool)
Id = Annotated[int, Whole, Field(ge=1, le=10**18)]
Page = Annotated[int, Whole, Field(ge=1, le=1_000_000)]
Switch = Literal[0, 1]


def _code_text(value: object) -> object:
    """Fennoa sends codes (accounts, VAT handlings, dimensions) as numbers or text."""
    if isinstance(value, bool):
        return value  # refused by the type: true is no code
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return value


Code = Annotated[str, BeforeValidator(_code_text), Field(min_length=1, max_length=50)]


def _small_int(value: object) -> object:
    """Read a digit of a query string or form (text) as the integer it is."""
    return int(value) if isinstance(value, str) and value.strip() in {"0", "1", "2"} else value


# Validators run from the last: the text read first, then a boolean refused.
FlagParam = Annotated[Switch, Whole, BeforeValidator(_small_int)]
InvoiceType = Annotated[Literal[1, 2], Whole, BeforeValidator(_small_int)]


class FennoaIn(InSchema):
    """A Fennoa input: unknown fields refused, text stripped, names as Fennoa spells them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class FennoaInvoiceParams(FennoaIn):
    """``get/finvoice``: the purchase invoice, by its id."""

    id: Id


class FennoaAttachmentParams(FennoaIn):
    purchase_invoice_id: Id
    attachment_id: Id | None = None


class FennoaTagsParams(FennoaIn):
    invoice_id: Id


class FennoaQueueParams(FennoaIn):
    page: Page = 1
    modifiedAfter: Moment | None = None


class FennoaUnbookedParams(FennoaIn):
    showPreBooked: FlagParam | None = None
    isApproved: FlagParam | None = None
    modifiedAfter: Moment | None = None
    modifiedBefore: Moment | None = None


class FennoaSupplierParams(FennoaIn):
    page: Page = 1
    createdAfter: Moment | None = None
    createdBefore: Moment | None = None
    modifiedAfter: Moment | None = None
    modifiedBefore: Moment | None = None


class FennoaApproveIn(FennoaIn):
    """``do/approve``: the approval by id (in the path, or as ``approval-id``), a comment."""

    approval_id: Id | None = Field(None, alias="approval-id")
    comment: str = Field("", max_length=5000)  # the service allows 200 and says so


class FennoaRejectIn(FennoaIn):
    """``do/reject``: the reason is required; Fennoa calls it comment or reason."""

    approval_id: Id | None = Field(None, alias="approval-id")
    comment: str = Field("", max_length=5000)
    reason: str = Field("", max_length=5000)


class FennoaSetTagsIn(FennoaIn):
    """``do/set_tags``: the tags as JSON text in the form field ``json`` (or a JSON body)."""

    # Text or (in a JSON body) an array; ``mapping.tag_splits`` refuses anything else at json.
    json_: object = Field(alias="json")
    purchase_invoice_id: Id | None = None
    invoice_id: Id | None = None


class FennoaTagIn(FennoaIn):
    """One tag (``dim_X`` fields are read apart: their names are open)."""

    percent: Percent | None = None
    sum: Money | None = None
    account_code: Code | None = None
    vatcode_id: Code | None = None
    description: str = Field("", max_length=1000)


class FennoaPaymentIn(FennoaIn):
    """``do/add_payment``."""

    purchase_invoice_id: Id
    sum: Money
    payment_date: IsoDate
    description: str = Field("", max_length=500)
    account_code: Code | None = None
    request_id: str | None = Field(None, max_length=255)


class FennoaAddIn(FennoaIn):
    """``add``: a purchase invoice as Fennoa's form data (see ``mapping.invoice_input``)."""

    purchase_invoice_type_id: InvoiceType = 1
    purchase_supplier_id: Id | None = None
    supplier_name: str | None = Field(None, min_length=1, max_length=200)
    supplier_vat_number: str | None = Field(None, max_length=50)
    supplier_business_id: str | None = Field(None, max_length=50)
    supplier_country: CountryCode = "FI"
    invoice_number: str | None = Field(None, max_length=200)
    credited_invoice_no: str | None = Field(None, max_length=200)
    invoice_date: IsoDate
    due_date: IsoDate
    discount_date1: IsoDate | None = None
    discount_percent1: Percent | None = None
    discount_sum1: Money | None = None
    entry_date: IsoDate | None = None
    bank_account: str = Field(max_length=50)
    bank_bic: str = Field(max_length=20)
    bank_reference: str | None = Field(None, max_length=200)
    bank_message: str | None = Field(None, max_length=200)
    total_net: Money | None = None
    total_gross: Money
    currency: CurrencyCode = "EUR"
    order_number: str = Field("", max_length=200)
    your_reference: str = Field("", max_length=200)
    our_reference: str = Field("", max_length=200)
    terms_of_payment: str = Field("", max_length=500)
    payable_account_code: Code | None = None
