"""The OpenAPI schema and its browsable docs."""

from __future__ import annotations

from django.test import Client


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
