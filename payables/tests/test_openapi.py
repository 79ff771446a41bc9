"""The OpenAPI schema and its browsable docs."""

from __future__ import annotations

from django.test import Client

from payables.schema_types import ErrorOut, ValidationErrorOut


def test_openapi_schema_lists_every_endpoint(db):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/invoices",
        "/api/v1/invoices/{ref}",
        "/api/v1/invoices/{ref}/cancel",
        "/api/v1/invoices/{ref}/attachments",
        "/api/v1/invoices/{ref}/attachments/upload",
        "/api/v1/invoices/{ref}/attachments/{attachment_id}/content",
        "/api/v1/invoices/{ref}/payments",
        "/api/v1/suppliers",
        "/api/v1/suppliers/{supplier_id}",
        "/api/v1/events",
    ):
        assert path in paths, path


def test_docs_page_is_served(db):
    assert Client().get("/api/v1/docs").status_code == 200


def _operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _ref(response: dict) -> str:
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


def test_every_operation_declares_the_error_answers_it_can_give(db):
    schema = Client().get("/api/v1/openapi.json").json()
    checked = 0
    for method, path, operation in _operations(schema):
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        assert _ref(responses["422"]) == "ValidationErrorOut", where
        expected = {"413"}
        if operation.get("security"):
            expected |= {"401", "403"}
        if "{" in path:
            expected.add("404")
        if method in {"post", "put", "patch"}:
            expected.add("409")
        for status in expected:
            assert _ref(responses[status]) == "ErrorOut", (where, status)
        checked += 1
    assert checked > 100
    components = schema["components"]["schemas"]
    assert components["ErrorOut"]["required"] == ["detail", "code"]
    assert components["ValidationErrorOut"]["properties"]["detail"]["items"] == {
        "$ref": "#/components/schemas/FieldErrorOut"
    }
    assert set(components["FieldErrorOut"]["required"]) == {"loc", "msg", "type"}


def test_the_answers_have_the_declared_error_shapes(api):
    """401, 404, 409 and 422 as the API gives them parse as the declared schemas."""
    no_key = Client().get("/api/v1/invoices")
    assert no_key.status_code == 401
    assert ErrorOut.model_validate(no_key.json()).code == "api_key_missing"
    missing = api.get("/suppliers/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert ErrorOut.model_validate(missing.json()).code
    invalid = api.post("/suppliers", {"name": ""})
    assert invalid.status_code == 422
    assert ValidationErrorOut.model_validate(invalid.json()).detail[0].loc[0] == "body"
    acme = {"name": "Acme", "country": "EE", "registry_code": "10137319"}
    assert api.post("/suppliers", acme).status_code == 201
    duplicate = api.post("/suppliers", acme)
    assert duplicate.status_code == 409, duplicate.content
    assert ErrorOut.model_validate(duplicate.json()).code


def test_authenticated_posts_document_the_idempotency_key_header(db):
    schema = Client().get("/api/v1/openapi.json").json()
    posts = [op for method, _, op in _operations(schema) if method == "post" and op.get("security")]
    assert posts
    for operation in posts:
        (header,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
        assert header["in"] == "header"
        assert header["schema"]["maxLength"] == 255


def test_decimals_document_the_digits_they_accept(db):
    schema = Client().get("/api/v1/openapi.json").json()
    amount = schema["components"]["schemas"]["PaymentIn"]["properties"]["amount"]
    number, text = amount["anyOf"]
    assert number == {
        "type": "number",
        "exclusiveMinimum": -(10**15),
        "exclusiveMaximum": 10**15,
    }
    assert text["pattern"] == r"^-?[0-9]{1,15}(\.[0-9]{1,4})?$"
    assert "15 significant digits" in amount["description"]


def test_webhook_event_types_are_listed_as_an_enum(db):
    schema = Client().get("/api/v1/openapi.json").json()
    items = schema["components"]["schemas"]["WebhookIn"]["properties"]["event_types"]["items"]
    assert items["enum"][0] == "*"
    assert "invoice.created" in items["enum"]


def test_a_raw_download_declares_any_content_type(db):
    """An attachment comes back with the content type it was stored with, whatever it is."""
    schema = Client().get("/api/v1/openapi.json").json()
    download = schema["paths"]["/api/v1/invoices/{ref}/attachments/{attachment_id}/content"]
    assert "*/*" in download["get"]["responses"]["200"]["content"]


def test_every_schema_name_is_one_class():
    """Ninja names components by class name: two classes of one name would share one."""
    from ninja import Schema

    from payables.api import api

    assert api.get_openapi_schema()  # every router, and so every schema, is imported

    def subclasses(cls: type) -> list[type]:
        return [cls, *(s for sub in cls.__subclasses__() for s in subclasses(sub))]

    ours = [c for c in subclasses(Schema) if c.__module__.startswith("payables.")]
    names: dict[str, set[str]] = {}
    for cls in ours:
        names.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {n: m for n, m in names.items() if len(m) > 1} == {}
