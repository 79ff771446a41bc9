"""The external upsert's own shapes, named as its description names them.

From ``shared/vendor-apis/external-invoice-upsert.txt``: ``ExternalInvoiceImportRequest``,
``ExternalInvoicePayload`` (one item), ``ExternalInvoiceImportResult``. Items are validated
one by one (a bad item is an entry in ``errors``, the others land), so the request's
schema documents them without checking them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field, WithJsonSchema

from payables.invoices.inputs import ImportPolicy
from payables.schema_types import InSchema, IsoDate, Money, inline_schema

# The description's request example, literally.
REQUEST_EXAMPLE = {
    "invoices": [
        {
            "source_system": "string",
            "source_invoice_id": "string",
            "source_document_version": "string",
            "invoice_number": "string",
            "irn": "string",
            "issue_date": "2026-02-11",
            "due_date": "2026-02-11",
            "line_extension_amount": 0,
            "payable_amount": 0,
        }
    ],
    "import_policy": "preserve_if_unique_else_fallback",
    "numbering_policy_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
}


class ExternalInvoicePayload(InSchema):
    """Single external invoice payload for import/upsert (a purchase invoice here)."""

    source_system: str = Field(min_length=1, max_length=50)
    source_invoice_id: str = Field(min_length=1, max_length=200)
    source_document_version: str | None = Field(None, max_length=100)
    invoice_number: str | None = Field(None, max_length=200)
    irn: str | None = Field(
        None, max_length=200, description="Kept as the invoice's `external_reference`."
    )
    issue_date: IsoDate
    due_date: IsoDate | None = None
    document_currency_code: str = Field("NGN", pattern=r"^[A-Z]{3}$", max_length=3)
    supplier_id: UUID | None = Field(None, description="A supplier of the workspace, by id.")
    customer_id: UUID | None = Field(
        None, description="The buyer: the workspace's company id when given."
    )
    supplier_name: str | None = Field(None, max_length=500)
    supplier_tin: str | None = Field(
        None, max_length=100, description="Found by, or created with, as its VAT number."
    )
    customer_name: str | None = Field(None, max_length=500)
    customer_tin: str | None = Field(None, max_length=100)
    direction: Literal["outbound", "inbound"] | None = Field(
        None,
        description=(
            "A purchase ledger takes `inbound` invoices (also when left out); an "
            "`outbound` item is an error."
        ),
    )
    invoice_type_code: str = Field(
        "380",
        pattern=r"^[0-9]{1,10}$",
        max_length=10,
        description="UNCL1001: 381 and the other credit note codes make a credit note.",
    )
    line_extension_amount: Money
    tax_amount_total: Money | None = Field(
        None, description="When left out: `payable_amount` minus `line_extension_amount`."
    )
    payable_amount: Money
    note: str | None = Field(None, max_length=5000)
    metadata: dict[str, Any] | None = None


# Validated item by item (see the module docstring); the schema still shows the shape.
ExternalInvoiceItem = Annotated[Any, WithJsonSchema(inline_schema(ExternalInvoicePayload))]


class ExternalInvoiceImportRequest(InSchema):
    """Batch external invoice import request."""

    invoices: list[ExternalInvoiceItem] = Field(min_length=1, max_length=200)
    import_policy: ImportPolicy = "preserve_if_unique_else_fallback"
    numbering_policy_id: UUID | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [REQUEST_EXAMPLE]})


class ItemErrorOut(Schema):
    index: int = Field(description="The item's place in `invoices` (0 first).")
    source_invoice_id: str | None
    loc: list[str | int] = Field(description="Where in the item, by the item's field names.")
    msg: str
    type: str


class ItemResultOut(Schema):
    index: int
    outcome: Literal["imported", "updated", "skipped", "conflict", "error"]
    invoice_id: UUID | None
    number: str | None
    detail: str | None


class ExternalInvoiceImportResult(Schema):
    """Batch import/upsert execution result."""

    imported_count: int = 0
    updated_count: int = 0
    skipped_count: int = 0
    conflict_count: int = 0
    errors: list[ItemErrorOut] = Field(default_factory=list)
    invoice_ids: list[UUID] = Field(
        default_factory=list,
        description="The invoices imported, updated or skipped (unchanged), in item order.",
    )
    conflict_ids: list[UUID] = Field(
        default_factory=list, description="The existing invoices the conflicts are with."
    )
    results: list[ItemResultOut] = Field(
        default_factory=list, description="Each item's outcome, in item order (payables')."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"imported_count": 0, "updated_count": 0, "skipped_count": 0, "conflict_count": 0}
            ]
        }
    )
