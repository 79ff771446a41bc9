"""Merit Aktiva's API at /compat/merit/: sendpurchinvoice (v1, v2), gettaxes, getdimensions.

Thin: verify the signature, read Merit's shape, call the invoice services and answer as
Merit does. Refusals are Merit's (``errors``), located in Merit's field names.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from payables.compat.merit import queries
from payables.compat.merit.auth import KeyHolder, MeritSignature, signing_secret
from payables.compat.merit.body import read_body
from payables.compat.merit.dimensions import dim_id
from payables.compat.merit.errors import merit_body, merit_status
from payables.compat.merit.mapping import read_purchase
from payables.compat.merit.purchase import record_purchase
from payables.compat.merit.schemas import MeritIn, PurchaseInvoiceV1, PurchaseInvoiceV2
from payables.errors import (
    FieldError,
    NotAuthenticated,
    PayablesError,
    PayloadTooLarge,
    ValidationFailed,
)
from payables.json_encoding import PreciseJSONEncoder
from payables.schema_types import inline_schema
from payables.tenancy.idempotency import IdempotentReplay

ORIGINS_ATTR = "_merit_origins"


class MeritRenderer(JSONRenderer):
    encoder_class = PreciseJSONEncoder


api = NinjaAPI(
    title="payables: Merit Aktiva compatible API",
    version="1",
    description=(
        "Merit Aktiva's purchase invoice API, served by payables. Sign requests as Merit "
        "does (`ApiId`, `timestamp`, `signature` in the query); `POST /compat/merit/"
        "credentials` with an `X-API-Key` gives a key's ApiId and ApiKey."
    ),
    renderer=MeritRenderer(),
    urls_namespace="compat-merit",
)
WRITE = MeritSignature("invoices:write", claims=True)
READ = MeritSignature("masterdata:read")


def _payload(model: type[MeritIn]) -> dict:
    schema = inline_schema(model)
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


@api.post("/api/v1/sendpurchinvoice", auth=WRITE, openapi_extra=_payload(PurchaseInvoiceV1))
def send_purchase_invoice_v1(request: HttpRequest) -> dict:
    """Create a purchase invoice (state `new`), with its payment and attachment."""
    return _send(request, PurchaseInvoiceV1, "v1")


@api.post("/api/v2/sendpurchinvoice", auth=WRITE, openapi_extra=_payload(PurchaseInvoiceV2))
def send_purchase_invoice_v2(request: HttpRequest) -> dict:
    """As v1, with `Dimensions` (header and rows) and a `Receiver`."""
    return _send(request, PurchaseInvoiceV2, "v2")


def _send(request: HttpRequest, model: type[PurchaseInvoiceV1], version: str) -> dict:
    payload = read_body(request, model)
    purchase = read_purchase(payload, company=request.actor.company, version=version)
    setattr(request, ORIGINS_ATTR, purchase.origins)  # to locate the services' refusals
    invoice = record_purchase(purchase, actor=request.actor)
    return {
        "VendorId": str(invoice.supplier_id),
        "BillId": str(invoice.id),
        "BillNo": invoice.invoice_number,
        "RefNo": invoice.payment_reference or None,
        "BatchInfo": f"#{invoice.internal_id}",
    }


@api.api_operation(["GET", "POST"], "/api/v1/gettaxes", auth=READ)
def get_taxes(request: HttpRequest) -> list[dict]:
    """The company's active VAT codes; `Id` is what `TaxId` names."""
    return [
        {
            "Id": str(code.id),
            "Code": code.code,
            "Name": code.description or code.code,
            # A percentage for display, not money: a JSON number as Merit writes it,
            # exact (at most 7 significant digits).
            "TaxPct": float(code.rate),
            "TaxType": 6 if code.is_reverse_charge else 15 if code.non_deductible_share else 1,
        }
        for code in queries.listed_vat_codes(request.actor.company)
    ]


@api.api_operation(["GET", "POST"], "/api/v2/getdimensions", auth=READ)
def get_dimensions(request: HttpRequest) -> list[dict]:
    """The active values of the company's active dimensions; `Id` is a `DimValueId`."""
    return [
        {
            "DimId": dim_id(value.type),
            "DimName": value.type.name,
            "Id": str(value.id),
            "Code": value.code,
            "Name": value.name,
            "EndDate": f"{value.valid_to:%Y-%m-%d}T00:00:00" if value.valid_to else None,
        }
        for value in queries.listed_dimension_values(request.actor.company)
    ]


@api.post("/credentials", auth=KeyHolder())
def credentials(request: HttpRequest) -> dict:
    """The ApiId and ApiKey a Merit client signs with, for the `X-API-Key` sent."""
    api_key = request.auth
    return {"ApiId": str(api_key.id), "ApiKey": signing_secret(api_key)}


def answer(request: HttpRequest, exc: PayablesError) -> HttpResponse:
    body = merit_body(exc, getattr(request, ORIGINS_ATTR, None))
    return api.create_response(request, body, status=merit_status(exc))


@api.exception_handler(PayablesError)
def on_refusal(request: HttpRequest, exc: PayablesError) -> HttpResponse:
    return answer(request, exc)


@api.exception_handler(IdempotentReplay)
def on_replay(request: HttpRequest, exc: IdempotentReplay) -> HttpResponse:
    return exc.response()


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return answer(request, PayloadTooLarge("The request body exceeds the upload limit."))


@api.exception_handler(AuthenticationError)
def on_no_credentials(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return answer(request, NotAuthenticated("Sign the request as Merit does."))


@api.exception_handler(ValidationError)
def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [
        FieldError(e.get("msg", ""), code=e.get("type", "invalid"), loc=e.get("loc", ()))
        for e in exc.errors
    ]
    return answer(request, ValidationFailed(problems))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    body = {"Message": exc.message, "Errors": []}
    return api.create_response(request, body, status=exc.status_code)
