"""Shapes of the batch upsert of external invoices."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field, WithJsonSchema

from payables.invoices.inputs import ExternalInvoiceIn, ImportPolicy
from payables.schema_types import InSchema, inline_schema

# Items are validated one by one, so one bad item cannot refuse the batch; the schema
# still documents their shape.
ExternalInvoiceItem = Annotated[
    Any,
    WithJsonSchema(inline_schema(ExternalInvoiceIn)),
]

UPSERT_EXAMPLE = {
    "import_policy": "preserve_if_unique_else_fallback",
    "invoices": [
        {
            "source_system": "operator-x",
            "source_invoice_id": "msg-00042",
            "source_document_version": "2",
            "invoice_number": "INV-1001",
            "external_reference": "EE-TAX-REF-77",
            "supplier": {"name": "Paber OÜ", "country": "EE", "registry_code": "10654211"},
            "invoice_date": "2026-11-02",
            "currency": "EUR",
            "net_amount": "100.00",
            "vat_amount": "22.00",
            "gross_amount": "122.00",
            "rows": [{"description": "Paper", "net_amount": "100.00", "vat_rate": "22"}],
            "metadata": {"channel": "peppol"},
        }
    ],
}


class UpsertIn(InSchema):
    invoices: list[ExternalInvoiceItem] = Field(min_length=1, max_length=200)
    import_policy: ImportPolicy = "preserve_if_unique_else_fallback"
    numbering_policy_id: UUID | None = None
    request_id: str | None = Field(None, max_length=255)

    model_config = ConfigDict(json_schema_extra={"examples": [UPSERT_EXAMPLE]})


class UpsertErrorOut(Schema):
    index: int
    source_invoice_id: str | None
    loc: list[str | int]
    msg: str
    type: str


class UpsertResultOut(Schema):
    index: int
    outcome: Literal["imported", "updated", "skipped", "conflict", "error"]
    invoice_id: UUID | None
    number: str | None
    detail: str | None


class UpsertOut(Schema):
    imported_count: int
    updated_count: int
    skipped_count: int
    conflict_count: int
    errors: list[UpsertErrorOut]
    invoice_ids: list[UUID | None]
    conflict_ids: list[UUID]
    results: list[UpsertResultOut]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "imported_count": 1, "updated_count": 0, "skipped_count": 0,
                    "conflict_count": 0, "errors": [],
                    "invoice_ids": ["5d0c2f36-6c39-4d39-9d8e-3f1c1b0e2a11"], "conflict_ids": [],
                    "results": [{"index": 0, "outcome": "imported",
                                 "invoice_id": "5d0c2f36-6c39-4d39-9d8e-3f1c1b0e2a11",
                                 "number": "INV-1001", "detail": None}],
                }
            ]
        }
    )  # fmt: skip
