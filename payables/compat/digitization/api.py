"""The digitization service's API at /compat/digitization/: its own NinjaAPI and envelope.

Every refusal is JSON ``{"message", "code"}``, with ``errors`` (``loc``, ``msg``,
``type``, on the description's names) for bad input; never HTML, never a 500 for input.
Authentication is payables' API key in ``x-api-key``, as the description sends it.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from payables.api import BodyNotJson, DecimalJsonParser, PayablesRenderer
from payables.api_contract import refuse_unknown_query_parameters
from payables.compat.digitization.endpoints import router
from payables.compat.digitization.schemas import DigitizationErrorOut
from payables.compat.digitization.webhooks_api import router as webhooks_router
from payables.errors import PayablesError, PayloadTooLarge, error_body
from payables.tenancy.idempotency import IdempotentReplay

# payables' names in a refusal's location → the description's.
VENDOR_NAMES = {
    "company_code": "companycode",
    "document_id": "documentid",
    "invoice_id": "documentid",
    "event_types": "eventType",
    "payload": None,  # Ninja's name of the body parameter: left out
}


class DigitizationAPI(NinjaAPI):
    """Its OpenAPI document declares the refusals every operation may answer."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict | None = None
    ) -> dict:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        definition = DigitizationErrorOut.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components |= definition.pop("$defs", {})
        components["DigitizationErrorOut"] = definition
        content = {
            "application/json": {"schema": {"$ref": "#/components/schemas/DigitizationErrorOut"}}
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, what in REFUSALS.items():
                    operation.setdefault("responses", {}).setdefault(
                        status, {"description": what, "content": content}
                    )
        return schema


REFUSALS = {
    401: "No API key in x-api-key, or an unknown or revoked one.",
    403: "The key lacks the scope the operation needs.",
    404: "No such object among the companies the key serves.",
    422: "The input is refused: `errors` locates each problem.",
}

api = DigitizationAPI(
    title="payables: digitization service API (compatible)",
    version="1",
    description=(
        "The digitization service's upload locations, digitized and exported queues, "
        "sync error reports and webhooks, served by payables. Send `x-api-key`."
    ),
    parser=DecimalJsonParser(),
    renderer=PayablesRenderer(),
    urls_namespace="compat-digitization",
)
api.add_router("", router)
api.add_router("/webhooks", webhooks_router)
api.add_decorator(refuse_unknown_query_parameters)


def vendor_loc(loc: list) -> list:
    """A location on the description's names.

    >>> vendor_loc(["body", "payload", "company_code"]), vendor_loc(["body", "event_types", 0])
    (['body', 'companycode'], ['body', 'eventType', 0])
    """
    named = [VENDOR_NAMES.get(part, part) if isinstance(part, str) else part for part in loc]
    return [part for part in named if part is not None]


def refusal(
    request: HttpRequest, status: int, message: str, code: str, errors: list | None = None
) -> HttpResponse:
    body: dict = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = [
            {"loc": vendor_loc(list(e.get("loc", ()))), "msg": e.get("msg", ""), "type": e["type"]}
            for e in errors
        ]
    return api.create_response(request, body, status=status)


@api.exception_handler(PayablesError)
def on_domain_error(request: HttpRequest, exc: PayablesError) -> HttpResponse:
    if exc.status == 422:
        return refusal(request, 422, exc.message, exc.code, error_body(exc)["detail"])
    return refusal(request, exc.status, exc.message, exc.code)


@api.exception_handler(IdempotentReplay)
def on_idempotent_replay(request: HttpRequest, exc: IdempotentReplay) -> HttpResponse:
    return exc.response()


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": e.get("loc", ()), "msg": e.get("msg", ""), "type": e.get("type", "invalid")}
        for e in exc.errors
    ]
    message = "; ".join(e["msg"] for e in errors) or "The input is refused."
    return refusal(request, 422, message, "validation_failed", errors)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = "A valid API key is required in the x-api-key header."
    return refusal(request, 401, message, "not_authenticated")


@api.exception_handler(RequestDataTooBig)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def on_too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    return on_domain_error(request, PayloadTooLarge("The request exceeds the upload limits."))


@api.exception_handler(MultiPartParserError)
def on_unreadable_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    errors = [{"loc": ["body"], "msg": str(exc), "type": "multipart_invalid"}]
    return refusal(request, 422, "The multipart body cannot be read.", "validation_failed", errors)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, BodyNotJson):
        errors = [{"loc": cause.loc, "msg": str(cause), "type": cause.code}]
        return refusal(request, 422, str(cause), cause.code, errors)
    return refusal(request, exc.status_code, str(exc.message), "http_error")
