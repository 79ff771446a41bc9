"""The HTTP API at /api/v1: mounts the apps' routers and maps errors to answers, once."""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from payables.api_contract import refuse_unknown_query_parameters
from payables.approvals.api import router as approvals_router
from payables.coding.api import router as coding_router
from payables.coding.rules_api import router as coding_rules_router
from payables.coding.suggestions_api import router as suggestions_router
from payables.compat.upsert.api import router as compat_upsert_router
from payables.documents.api import feeds_router as documents_feeds_router
from payables.documents.api import router as documents_router
from payables.errors import Loc, PayablesError, PayloadTooLarge, error_body
from payables.events.api import feeds_router
from payables.events.api import router as events_router
from payables.events.webhooks.api import router as webhooks_router
from payables.handoff.api import feeds_router as handoff_feeds_router
from payables.handoff.api import router as handoff_router
from payables.handoff.api import sync_errors_router
from payables.invoices.api import policies_router as numbering_policies_router
from payables.invoices.api import router as invoices_router
from payables.json_encoding import PreciseJSONEncoder
from payables.masterdata.api import (
    accounts_router,
    bulk_router,
    currency_rates_router,
    custom_fields_router,
    dimensions_router,
    items_router,
    jobs_router,
    payment_methods_router,
    users_router,
    vat_codes_router,
)
from payables.masterdata.api import router as suppliers_router
from payables.orders.api import router as orders_router
from payables.orders.import_api import router as orders_import_router
from payables.orders.match_api import invoice_router as order_match_router
from payables.orders.match_api import tolerance_router as match_tolerances_router
from payables.schema_types import ErrorOut, ValidationErrorOut
from payables.tenancy.idempotency import IdempotentReplay

# PostgreSQL cannot store NUL in text or jsonb: refused at the door, for every database.
NUL_MESSAGE = "Text must not contain NUL characters."


class BodyNotJson(ValueError):
    """The body could not be read as a JSON document we accept."""

    def __init__(self, message: str, *, loc: Loc = ("body",), code: str = "json_invalid") -> None:
        super().__init__(message)
        self.loc = list(loc)
        self.code = code


class DecimalJsonParser(Parser):
    """Read JSON numbers as Decimal, so money never passes through a float; refuse NUL text."""

    def parse_body(self, request: HttpRequest) -> dict:
        if not request.body.strip():  # e.g. an approval without a comment
            return {}
        try:
            data = json.loads(request.body, parse_float=Decimal)
        except (ValueError, RecursionError) as exc:
            raise BodyNotJson(f"The body is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise BodyNotJson("The body must be a JSON object.")
        if b"\\u0000" in request.body:  # only an escape can put NUL in a JSON string
            _refuse_nul(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict:
        """Read query and form fields, refusing NUL characters as the body does."""
        result = super().parse_querydict(data, list_fields, request)
        where = "query" if data is request.GET else "form"
        for key, value in result.items():
            values = value if isinstance(value, list) else [value]
            if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values):
                raise ValidationError(
                    [{"loc": [where, key], "msg": NUL_MESSAGE, "type": "string_nul"}]
                )
        return result


def _refuse_nul(data: dict) -> None:
    """Refuse NUL characters anywhere: PostgreSQL cannot store them in text or jsonb."""
    pending: list[tuple[list, object]] = [(["body"], data)]
    while pending:
        loc, value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            raise BodyNotJson(NUL_MESSAGE, loc=loc, code="string_nul")
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise BodyNotJson(NUL_MESSAGE, loc=[*loc, key], code="string_nul")
                pending.append(([*loc, key], item))
        elif isinstance(value, list):
            pending.extend(([*loc, i], item) for i, item in enumerate(value))


class PayablesRenderer(JSONRenderer):
    encoder_class = PreciseJSONEncoder


# The refusals each operation may answer, as the handlers below shape them: 422 with
# located `detail` items, the others `{detail, code}`. Which apply to an operation follows
# from its shape (see `error_statuses`); the OpenAPI document declares them for every one.
ERROR_ANSWERS: dict[int, str] = {
    401: "No API key, or one that is unknown or revoked.",
    403: "The key lacks the scope this operation needs, or its person the role.",
    404: "No such object in this company (another company's objects are not found either).",
    409: (
        "The request clashes with the current state or an existing object, or a request "
        "with the same Idempotency-Key is still being answered."
    ),
    413: "The body exceeds the upload limit, or the request has more fields than are read.",
    422: "The input is refused; each item locates one problem.",
}
BODY_METHODS = frozenset({"post", "put", "patch"})
IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Repeat a POST safely: a repeat with the same key and body gets the first answer "
        "(`Idempotent-Replayed: true`); the same key with another request is a 422."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
}


def error_statuses(method: str, operation: dict) -> set[int]:
    """The error statuses an operation can answer, from what it reads and who may call it.

    422 (parameters, bodies, unknown query parameters) and 413 (body size, number of
    query or form fields) always; 401 and 403 when it needs a key; 404 when a path names
    an object; 409 when it takes a body (every authenticated POST reads one, for its
    idempotency key, and may find that key's first request still running).
    """
    codes = {413, 422}
    if operation.get("security"):
        codes |= {401, 403}
    if any(param.get("in") == "path" for param in operation.get("parameters", ())):
        codes.add(404)
    if method in BODY_METHODS:
        codes.add(409)
    return codes


def declare_error_answers(schema: dict) -> dict:
    """Add the error answers (and the Idempotency-Key header) to every operation."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorOut, ValidationErrorOut):
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components |= definition.pop("$defs", {})
        components[model.__name__] = definition
    error_ref = {"$ref": "#/components/schemas/ErrorOut"}
    validation_ref = {"$ref": "#/components/schemas/ValidationErrorOut"}
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(method, operation)):
                if status in responses or str(status) in responses:
                    continue  # the operation declares its own
                body = validation_ref if status == 422 else error_ref
                responses[status] = {
                    "description": ERROR_ANSWERS[status],
                    "content": {"application/json": {"schema": body}},
                }
            if method == "post" and operation.get("security"):
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == IDEMPOTENCY_HEADER["name"] for p in parameters):
                    parameters.append(dict(IDEMPOTENCY_HEADER))
    return schema


class PayablesAPI(NinjaAPI):
    """Ninja's API whose OpenAPI document also declares every operation's error answers."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict | None = None
    ) -> dict:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return declare_error_answers(schema)


api = PayablesAPI(
    title="payables API",
    version="1",
    description=(
        "Self-hosted accounts-payable hub. Authenticate with an `X-API-Key` header; "
        "every endpoint names the scope it needs. POSTs accept `Idempotency-Key`."
    ),
    parser=DecimalJsonParser(),
    renderer=PayablesRenderer(),
    urls_namespace="api",
)
api.add_router("", bulk_router)  # first: `/<kind>/bulk` must not be read as `/<kind>/{ref}`
api.add_router("/suppliers", suppliers_router)
api.add_router("/accounts", accounts_router)
api.add_router("/vat-codes", vat_codes_router)
api.add_router("/dimension-types", dimensions_router)
api.add_router("/payment-methods", payment_methods_router)
api.add_router("/users", users_router)
api.add_router("/items", items_router)
api.add_router("/custom-fields", custom_fields_router)
api.add_router("/jobs", jobs_router)
api.add_router("/currency-rates", currency_rates_router)
api.add_router("", approvals_router)  # /approvals, /invoices/{ref}/approvers, /routing-rules
api.add_router("/invoices", handoff_router)  # first: `/invoices/export` is not `/{ref}`
api.add_router("/invoices", coding_router)  # /invoices/{ref}/posting-lines, …/prebooking
api.add_router("/invoices", invoices_router)
api.add_router("/invoices", suggestions_router)  # /invoices/{ref}/suggestions
api.add_router("/invoices", order_match_router)  # /invoices/{ref}/purchase-order-match
api.add_router("/numbering-policies", numbering_policies_router)
api.add_router("/coding-rules", coding_rules_router)
api.add_router("/purchase-orders", orders_import_router)  # first: `/import` is not `/{ref}`
api.add_router("/purchase-orders", orders_router)
api.add_router("/match-tolerances", match_tolerances_router)
api.add_router("/events", events_router)
api.add_router("/webhooks", webhooks_router)
api.add_router("/feeds", feeds_router)
api.add_router("/feeds", handoff_feeds_router)
api.add_router("/feeds", documents_feeds_router)
api.add_router("/documents", documents_router)
api.add_router("/sync-errors", sync_errors_router)
api.add_router("", compat_upsert_router)  # /tenants/{tenant_id}/workspaces/{workspace_id}/…
api.add_decorator(refuse_unknown_query_parameters)  # every operation; urls.py: 404, 405


@api.exception_handler(PayablesError)
def on_domain_error(request: HttpRequest, exc: PayablesError) -> HttpResponse:
    return api.create_response(request, error_body(exc), status=exc.status)


@api.exception_handler(IdempotentReplay)
def on_idempotent_replay(request: HttpRequest, exc: IdempotentReplay) -> HttpResponse:
    """A repeated POST (raised once its key and scope were checked) gets the first answer."""
    return exc.response()


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE, found by whoever reads it first."""
    return on_domain_error(request, PayloadTooLarge("The request body exceeds the upload limit."))


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def on_too_many_parts(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
    """More query or form fields (or files) than Django reads: a limit, like the body's."""
    message = "The request has more query or form fields, or files, than the API reads."
    return on_domain_error(request, PayloadTooLarge(message, code="too_many_fields"))


@api.exception_handler(MultiPartParserError)
def on_unreadable_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    """A multipart body that cannot be read (no boundary, cut short) is the client's error."""
    item = {
        "loc": ["body"],
        "msg": f"The multipart body cannot be read: {exc}",
        "type": "multipart_invalid",
    }
    return api.create_response(request, {"detail": [item]}, status=422)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Answer 422 with locations that point into the payload (``["body", "field", …]``)."""
    detail = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        if len(loc) >= 2 and loc[0] == "body" and loc[1] == "payload":
            del loc[1]
        item = {"loc": loc, "msg": error.get("msg", ""), "type": error.get("type", "invalid")}
        detail.append(item)
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {
        "detail": "A valid API key is required in the X-API-Key header.",
        "code": "not_authenticated",
    }
    return api.create_response(request, body, status=401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, BodyNotJson):
        body = {"detail": [{"loc": cause.loc, "msg": str(cause), "type": cause.code}]}
        return api.create_response(request, body, status=422)
    return api.create_response(
        request, {"detail": exc.message, "code": "http_error"}, status=exc.status_code
    )
