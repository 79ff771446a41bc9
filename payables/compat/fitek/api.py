"""The Fitek-compatible API at /compat/fitek/v3: mounts its routers and answers every
refusal in Fitek's envelope, once (as ``payables/api.py`` does for the native API)."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from payables.api import BodyNotJson, DecimalJsonParser, PayablesRenderer
from payables.compat.fitek.envelope import error_items, failure, item
from payables.compat.fitek.invoices_api import router as invoices_router
from payables.compat.fitek.masterdata_api import router as masterdata_router
from payables.compat.fitek.orders_api import router as orders_router
from payables.errors import NotAuthenticated, PayablesError, PayloadTooLarge
from payables.tenancy.idempotency import IdempotentReplay

VERSION = "/v3"


class FitekAPI(NinjaAPI):
    """Ninja's API whose OpenAPI document says that the credentials are in the body."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict | None = None
    ) -> dict:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.get("components", {}).pop("securitySchemes", None)
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation.pop("security", None)
        return schema


api = FitekAPI(
    title="payables: Fitek import APIs v3",
    version="3",
    description=(
        "Fitek's import APIs, served by payables. Every request carries `RequestId`, "
        "`IntegratorId` (a payables integrator's id) and `AuthorizationToken` (one of its "
        "API keys) in its body; every answer is `{RequestId, Success, Errors, Result}`."
    ),
    parser=DecimalJsonParser(),
    renderer=PayablesRenderer(),
    urls_namespace="compat-fitek",
)
api.add_router(VERSION, invoices_router)
api.add_router(VERSION, orders_router)
api.add_router(VERSION, masterdata_router)


def refused(request: HttpRequest, exc: PayablesError) -> HttpResponse:
    return api.create_response(request, failure(request, error_items(exc)), status=exc.status)


@api.exception_handler(PayablesError)
def on_domain_error(request: HttpRequest, exc: PayablesError) -> HttpResponse:
    return refused(request, exc)


@api.exception_handler(IdempotentReplay)
def on_idempotent_replay(request: HttpRequest, exc: IdempotentReplay) -> HttpResponse:
    """A repeated RequestId (with the same body) gets the first answer, as it was given."""
    return exc.response()


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return refused(request, PayloadTooLarge("The request body exceeds the upload limit."))


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def on_too_many_parts(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
    message = "The request has more form fields, or files, than the API reads."
    return refused(request, PayloadTooLarge(message, code="too_many_fields"))


@api.exception_handler(MultiPartParserError)
def on_unreadable_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    errors = [item("multipart_invalid", f"The body cannot be read: {exc}")]
    return api.create_response(request, failure(request, errors), status=422)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """The request's own fields, located from the body (``RequestId``, ``Payload``)."""
    errors = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        if loc[:1] == ["body"]:
            loc = loc[2:] if loc[1:2] == ["payload"] else loc[1:]
        errors.append(item(error.get("type", "invalid"), error.get("msg", ""), loc))
    return api.create_response(request, failure(request, errors), status=422)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return refused(request, NotAuthenticated("IntegratorId and AuthorizationToken are required."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, BodyNotJson):
        errors = [item(cause.code, str(cause), cause.loc[1:])]
        return api.create_response(request, failure(request, errors), status=422)
    errors = [item("http_error", str(exc.message))]
    return api.create_response(request, failure(request, errors), status=exc.status_code)
