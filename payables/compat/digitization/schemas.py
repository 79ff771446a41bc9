"""Shapes of the digitization service's API.

From shared/vendor-apis/digitization-service-integration.txt.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field

from payables.compat.digitization.documents import QueueDocumentOut
from payables.documents.models import MAX_USERDATA_BYTES
from payables.events.feeds import MAX_PAGE
from payables.schema_types import InSchema

CompanyCode = Field(
    None,
    min_length=1,
    max_length=50,
    description="A company the key serves (its registry code); by default the key's own.",
)


class LocationParams(Schema):
    userdata: str = Field(
        "", max_length=MAX_USERDATA_BYTES, description="Given back with the results (≤ 1 KB)."
    )
    companycode: str | None = CompanyCode


class LocationQueryParams(LocationParams):
    filename: str = Field("", max_length=255)


class LocationOut(Schema):
    """PUT the file to ``url`` with these two headers."""

    model_config = ConfigDict(populate_by_name=True)

    url: str
    content_type: str = Field(alias="Content-Type")
    content_disposition: str = Field(alias="Content-Disposition")
    documentid: UUID = Field(description="The document the upload becomes (payables').")
    expiresat: str = Field(description="The URL takes no upload after this (payables').")


class QueueQueryParams(Schema):
    from_: str | None = Field(
        None,
        alias="from",
        max_length=100,
        description="The last document's digitizedat/exportedat, or a page's `next`.",
    )
    companycode: str | None = CompanyCode
    limit: int = Field(100, ge=1, le=MAX_PAGE, description="Page size (about; payables').")


class QueuePageOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    schema_url: str = Field(alias="$schema", description="The JSON Schema of this answer.")
    documents: list[QueueDocumentOut]
    next: str | None = Field(
        None, description="Present when more may follow: ask again with `from=<next>`."
    )


class SyncErrorReportIn(InSchema):
    documentid: str = Field(
        min_length=1,
        max_length=100,
        description="A queue document's documentid (or its invoiceid or exportid).",
    )
    companycode: str | None = Field(None, max_length=50)
    message: str = Field(min_length=1, max_length=2000)


class SyncErrorReportOut(Schema):
    id: UUID
    documentid: str
    companycode: str
    message: str
    invoiceid: UUID
    exportid: str


class SubscriptionIn(InSchema):
    name: str = Field(min_length=1, max_length=200)
    eventType: Literal["on_digitized", "on_exported"]
    target: str = Field(min_length=1, max_length=2000)
    companycode: str | None = CompanyCode


class SubscriptionOut(Schema):
    id: UUID
    name: str
    eventType: str
    target: str
    companycode: str
    state: str = Field(description="`pending` until SubscribeURL is opened, then `active`.")
    retries: list[int] = Field(description="Seconds between attempts: 20 s up to 10 min.")


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(description="Verifies the webhook-signature header; shown this once.")


class SubscriptionsOut(Schema):
    subscriptions: list[SubscriptionOut]


class DigitizationErrorItemOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class DigitizationErrorOut(Schema):
    """Every refusal: a message and a stable code; ``errors`` locates each bad input."""

    message: str
    code: str
    errors: list[DigitizationErrorItemOut] | None = None
