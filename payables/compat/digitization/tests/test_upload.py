"""Upload: GET a location ({url, Content-Type, Content-Disposition}), PUT the file to it.

Shapes from shared/vendor-apis/digitization-service-integration.txt ("Get location",
"Use received URL and header values to upload file").
"""

from __future__ import annotations

from payables.compat.digitization.tests.conftest import VendorClient, put
from payables.documents.models import Document


def test_the_location_has_the_description_s_three_values(vendor):
    answer = vendor.get("/upload/somefile.pdf")

    assert answer.status_code == 200
    location = answer.json()
    assert location["url"].startswith("http")
    assert location["Content-Type"] == "application/pdf"
    assert location["Content-Disposition"] == 'filename="somefile.pdf"'
    document = Document.objects.get(pk=location["documentid"])
    assert (document.state, document.filename) == ("awaiting_upload", "somefile.pdf")


def test_a_put_with_those_headers_is_a_200_and_the_file_is_read(vendor, upload, ubl):
    location = upload(ubl, "invoice.xml", userdata="my-file-42")

    document = Document.objects.get(pk=location["documentid"])
    assert (document.state, document.userdata) == ("invoice_created", "my-file-42")
    assert document.invoice is not None


def test_the_file_name_may_be_a_parameter(vendor):
    answer = vendor.get("/upload", {"filename": "scan.png", "userdata": "x"})

    assert answer.status_code == 200
    assert answer.json()["Content-Type"] == "image/png"


def test_a_put_of_another_content_type_is_refused_as_s3_refuses_it(vendor):
    location = vendor.get("/upload/somefile.pdf").json()

    answer = put(location | {"Content-Type": "text/plain"}, b"%PDF-1.4")

    assert answer.status_code == 403
    assert b"SignatureDoesNotMatch" in answer.content


def test_a_company_the_key_does_not_serve_is_refused_in_the_envelope(vendor, other_company):
    answer = vendor.get("/upload/a.pdf", {"companycode": other_company.registry_code})

    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "company_code_mismatch"
    assert body["errors"][0]["loc"] == ["query", "companycode"]


def test_too_long_userdata_is_located(vendor):
    answer = vendor.get("/upload/a.pdf", {"userdata": "x" * 1025})

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["query", "userdata"]
    assert not Document.objects.exists()


def test_without_a_key_or_its_scope_nothing_is_handed_out(company, make_key):
    missing = VendorClient(None).get("/upload/a.pdf")
    unknown = VendorClient("nope").get("/upload/a.pdf")
    read_only = VendorClient(make_key(company, ["documents:read"])).get("/upload/a.pdf")

    assert (missing.status_code, unknown.status_code, read_only.status_code) == (401, 401, 403)
    assert set(missing.json()) == {"message", "code"}
    assert read_only.json()["code"] == "missing_scope"
    assert not Document.objects.exists()


def test_unknown_paths_and_methods_answer_json(vendor):
    nowhere = vendor.get("/nowhere")
    wrong_method = vendor.post("/digitized", {})

    assert (nowhere.status_code, nowhere.json()["code"]) == (404, "not_found")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")


def test_the_api_is_described_with_its_refusals(db):
    from django.test import Client

    schema = Client().get("/compat/digitization/openapi.json").json()

    location = schema["paths"]["/compat/digitization/upload/{filename}"]["get"]
    assert {"200", "401", "403", "422"} <= set(location["responses"])
    assert "/compat/digitization/webhooks" in schema["paths"]
