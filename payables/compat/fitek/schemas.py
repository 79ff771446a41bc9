"""What the Fitek endpoints take and answer.

Every JSON request is the credentials and a ``Payload``; the payloads are described
here with the native field names (``names`` says them in Fitek's) and are built from the
native inputs, so each is checked exactly as the native endpoint checks it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import AnyHttpUrl, ConfigDict, Field, WithJsonSchema, create_model

from payables.approvals.schemas import AppendApproversIn
from payables.coding.inputs import MAX_LINES, InvoiceRefIn, PostingLineIn
from payables.compat.fitek.names import fitek_json_schema
from payables.invoices.schemas.einvoice import FindingOut
from payables.masterdata.schemas import ListValueIn
from payables.masterdata.schemas.bulk import MAX_BULK_RECORDS
from payables.masterdata.schemas.records import Code
from payables.orders.models import PurchaseOrder
from payables.orders.schemas import PurchaseOrderOut
from payables.schema_types import InSchema


class FitekRequest(InSchema):
    """The fields every request carries beside its payload."""

    RequestId: str = Field(
        max_length=255,
        description="Your id of this request, new for each one: a repeat with the same body "
        "gets the first answer, the same id with another body is refused.",
    )
    IntegratorId: str = Field(max_length=100, description="The integrator's id (a UUID).")
    AuthorizationToken: str = Field(max_length=200, description="One of its API keys.")
    Payload: Any = Field(description="What the endpoint imports.")


def request_schema(name: str, payload: type[Schema] | dict) -> type[FitekRequest]:
    """The request of one endpoint: its ``Payload`` documented as ``payload`` in Fitek's names.

    The payload itself is checked by the endpoint (``names.read_payload``), so that its
    refusals are located in Fitek's names.
    """
    schema = payload if isinstance(payload, dict) else fitek_json_schema(payload)
    documented = Annotated[Any, WithJsonSchema(schema)]
    return create_model(name, __base__=FitekRequest, Payload=(documented, ...))


class ErrorItemOut(Schema):
    model_config = ConfigDict(extra="allow")

    Code: str = Field(description="A stable reason, e.g. `unknown_code`.")
    Message: str
    Location: str | None = Field(
        description="Where in the request, e.g. `Payload.TransactionRows[0].AccountCode`; "
        "null: the request as a whole. Other details may follow (`XmlLocation`, "
        "`ExistingId`, …)."
    )


# Passed through as they are, with their details: a schema would drop fields it does not name.
ErrorItems = Annotated[
    list[dict[str, Any]],
    WithJsonSchema({"type": "array", "items": ErrorItemOut.model_json_schema()}),
]


class AnswerOut(Schema):
    RequestId: str | None
    Success: bool
    Errors: ErrorItems
    Result: Any = None


def answer_schema(name: str, result: type[Schema] | dict) -> type[AnswerOut]:
    """The answer of one endpoint: its ``Result`` documented in Fitek's names."""
    schema = result if isinstance(result, dict) else fitek_json_schema(result)
    documented = Annotated[Any, WithJsonSchema({**schema, "nullable": True})]
    return create_model(name, __base__=AnswerOut, Result=(documented, None))


# --- payloads, with the native names -------------------------------------------------------


class EInvoiceIn(InSchema):
    """The document: its text, or its exact bytes in base64 (one of them)."""

    model_config = ConfigDict(str_strip_whitespace=False)  # the original is kept as sent

    e_invoice: str | None = Field(None, description="The e-invoice XML (E_Invoice) as text.")
    e_invoice_base64: str | None = Field(
        None, description="The e-invoice's bytes in base64, kept byte-exact."
    )


class ExtensionsIn(InSchema):
    origin: Literal["E-invoice", "Digitized"] = Field(
        "E-invoice", description="How the invoice entered: from the seller, or digitized."
    )


class InvoiceImportPayload(InSchema):
    invoice: EInvoiceIn
    extensions: ExtensionsIn = Field(default_factory=ExtensionsIn)


class ConfirmationFlowPayload(InvoiceRefIn, AppendApproversIn):
    """The invoice by InvoiceGuid or InternalInvoiceId, and the users to append."""


class FileImportPayload(InvoiceRefIn):
    filename: str = Field("", max_length=255)
    content_type: str = Field("", max_length=100)
    content_base64: str | None = Field(None, description="The file; wins over a Url.")
    url: AnyHttpUrl | None = Field(None, description="A link, shown among related documents.")


class TransactionRowsPayload(InvoiceRefIn):
    lines: list[PostingLineIn] = Field(min_length=1, max_length=MAX_LINES)


class BulkPayload(InSchema):
    """A load (or just its records, as an array): each record is checked on its own by a
    background job, as the native bulk load does."""

    records: list[Any] = Field(min_length=1, max_length=MAX_BULK_RECORDS)
    mode: Literal["upsert", "full"] = Field(
        "upsert",
        description="`upsert` writes the records; `full` (a nightly full sync) also "
        "deactivates the records of the kind the load does not name.",
    )


def bulk_payload_schema(record: type[Schema]) -> dict:
    """A load of ``record``s, as an object or as the array of its records."""
    load = fitek_json_schema(BulkPayload)
    load["properties"]["Records"]["items"] = fitek_json_schema(record)
    return {"oneOf": [load, load["properties"]["Records"]]}


class ListValuesPayload(InSchema):
    parent_field_code: Code = Field(description="The code of the list custom field.")
    mode: Literal["upsert", "full"] = Field(
        "upsert",
        description="`upsert` adds or changes the items given; `full` makes them the "
        "field's whole list (items not given are removed).",
    )
    values: list[ListValueIn] = Field(min_length=1, max_length=5000)


class ListValuePayload(ListValueIn):
    parent_field_code: Code = Field(description="The code of the list custom field.")


class JobPayload(InSchema):
    job_id: UUID = Field(description="The JobId a bulk import answered.")


# --- results, with the native names ---------------------------------------------------------


class OrderSummaryOut(Schema):
    id: UUID
    number: str
    status: str
    supplier_id: UUID
    supplier_name: str
    currency: str
    net_amount: str
    vat_amount: str
    gross_amount: str
    line_count: int

    @classmethod
    def from_order(cls, order: PurchaseOrder) -> OrderSummaryOut:
        shown = PurchaseOrderOut.from_order(order)
        fields = shown.model_dump(include=set(cls.model_fields) - {"line_count"})
        return cls(**fields, line_count=len(shown.lines))


class PurchaseOrderResultOut(Schema):
    outcome: Literal["imported", "updated"]
    purchase_order: OrderSummaryOut
    warnings: list[FindingOut]
