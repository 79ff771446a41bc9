"""GET purchases_api/<id>, get/finvoice, get/attachment and do/upload_attachment."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from payables.approvals.services import ApproverRequest, append_approvers
from payables.compat.fennoa.tests.conftest import ADD_FORM, data_of, errors_of
from payables.einvoice import finvoice
from payables.einvoice.model import ParseLimits
from payables.einvoice.tests.corpus import SAMPLES_DIR
from payables.einvoice.tests.finvoice_render_support import schema_errors
from payables.invoices.models import Attachment, Invoice
from payables.invoices.services.einvoice_import import import_einvoice

PDF = b"%PDF-1.4\n% a scanned invoice\n"
FINVOICE = "finvoice-3.0-invoice-utf-8-bom.xml"


def test_get_gives_the_added_invoice_back_in_fennoas_shape(fennoa, add_invoice):
    made = add_invoice(invoice_number="1001")
    data = data_of(fennoa.get(f"purchases_api/{made['id']}"))
    invoice = data["PurchaseInvoice"]
    assert {k: invoice[k] for k in ADD_FORM if k in invoice} == {
        "purchase_invoice_type_id": 1,
        "supplier_name": "Fennoa Oy",
        "supplier_vat_number": "FI25939313",
        "supplier_business_id": "2593931-3",
        "invoice_number": "1001",
        "invoice_date": "2023-09-01",
        "due_date": "2023-09-15",
        "entry_date": "2023-09-02",
        "bank_account": "FI4250001510000023",
        "bank_bic": "NDEAFIHH",
        "bank_reference": "13",
        "total_net": "100.00",
        "total_gross": "124.00",
        "order_number": "PO-7",
        "your_reference": "Matti",
        "our_reference": "Maija",
        "terms_of_payment": "14 days net",
    }
    assert invoice["id"] == made["id"]
    assert (invoice["total_due"], invoice["total_gross_hc"], invoice["currency_rate"]) == (
        "124.00",
        "124.00",
        "1",
    )
    assert (invoice["is_receipt"], invoice["is_first_invoice"], invoice["finvoice_available"]) == (
        0,
        1,
        1,
    )
    assert data["Currency"] == {"code": "EUR", "name": "Euro"}
    assert data["PurchaseInvoiceType"] == {"id": 1, "name": "Debit invoice"}
    assert data["ApprovalStatus"] == {"status_id": 0, "status": "Waiting for approval"}
    assert data["Approvers"] == []


def test_a_suppliers_second_invoice_is_not_its_first(fennoa, add_invoice):
    add_invoice()
    second = add_invoice()
    invoice = data_of(fennoa.get(f"purchases_api/{second['id']}"))["PurchaseInvoice"]
    assert invoice["is_first_invoice"] == 0


def test_approvers_show_the_chain_with_its_approval_ids(
    fennoa, add_invoice, make_user, actor, company
):
    make_user("ANN")
    make_user("17")
    made = add_invoice()
    invoice = Invoice.objects.get(company=company, internal_id=made["id"])
    append_approvers(invoice, [ApproverRequest("ANN", 2), ApproverRequest("17", 1)], actor=actor)
    data = data_of(fennoa.get(f"purchases_api/{made['id']}"))
    first, second = invoice.approval_steps.order_by("position")
    assert data["Approvers"] == [
        {
            "id": first.internal_id,
            "user_id": "ANN",
            "user_name": "User ANN",
            "approval_level": "Verification",
            "approval_level_id": 2,
            "comment": "",
            "status_id": 0,
            "status": "Waiting for approval",
        },
        {
            "id": second.internal_id,
            "user_id": 17,
            "user_name": "User 17",
            "approval_level": "Approval",
            "approval_level_id": 1,
            "comment": "",
            "status_id": 0,
            "status": "Waiting for approval",
        },
    ]
    assert second.internal_id == first.internal_id + 1


def test_a_key_that_may_not_read_approvals_gets_no_approvers(company, make_key, add_invoice):
    from payables.compat.fennoa.tests.conftest import FennoaClient

    made = add_invoice()
    reader = FennoaClient(make_key(company, ["invoices:read"], integrator="Reader"))
    data = data_of(reader.get(f"purchases_api/{made['id']}"))
    assert "Approvers" not in data
    assert data["ApprovalStatus"]["status_id"] == 0


def test_another_companys_invoice_is_not_found(fennoa, other_fennoa, add_invoice):
    made = add_invoice()
    response = other_fennoa.get(f"purchases_api/{made['id']}")
    assert response.status_code == 404
    assert errors_of(response) == {None: "invoice_not_found"}


def test_get_takes_no_parameters(fennoa, add_invoice):
    made = add_invoice()
    response = fennoa.get(f"purchases_api/{made['id']}", {"page": "2"})
    assert response.status_code == 400
    assert errors_of(response) == {"page": "extra_forbidden"}


def test_an_uploaded_file_comes_back_from_get_attachment(fennoa, add_invoice, company):
    made = add_invoice()
    upload = SimpleUploadedFile("lasku.pdf", PDF, content_type="application/pdf")
    stored = data_of(
        fennoa.post(f"purchases_api/do/upload_attachment/{made['id']}", {"file": upload})
    )
    assert stored == {
        "id": stored["id"],
        "file": "lasku.pdf",
        "mimetype": "application/pdf",
        "filesize": str(len(PDF)),
    }
    got = data_of(fennoa.get("purchases_api/get/attachment", {"purchase_invoice_id": made["id"]}))
    assert got["encoding"] == "base64"
    assert (got["mimetype"], got["id"]) == ("application/pdf", stored["id"])
    assert base64.b64decode(got["content"]) == PDF
    by_path = data_of(fennoa.get(f"purchases_api/get/attachment/{made['id']}/{stored['id']}"))
    assert by_path == got
    listed = data_of(fennoa.get(f"purchases_api/{made['id']}"))["Attachments"]
    assert listed == [stored]
    assert Attachment.objects.get(invoice__company=company).sha256


def test_an_attachment_of_another_invoice_is_not_found(fennoa, add_invoice):
    one, two = add_invoice(), add_invoice()
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    stored = data_of(
        fennoa.post(f"purchases_api/do/upload_attachment/{one['id']}", {"file": upload})
    )
    response = fennoa.get(
        "purchases_api/get/attachment",
        {"purchase_invoice_id": two["id"], "attachment_id": stored["id"]},
    )
    assert response.status_code == 404
    assert errors_of(response) == {None: "attachment_not_found"}


def test_an_invoice_without_files_has_no_attachment(fennoa, add_invoice):
    made = add_invoice()
    response = fennoa.get(f"purchases_api/get/attachment/{made['id']}")
    assert response.status_code == 404


def test_upload_needs_multipart_with_one_file_field(fennoa, add_invoice):
    made = add_invoice()
    path = f"purchases_api/do/upload_attachment/{made['id']}"
    assert errors_of(fennoa.post_json(path, {"file": "x"})) == {None: "multipart_required"}
    wrong = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    assert errors_of(fennoa.post(path, {"attachment": wrong})) == {"attachment": "unknown_field"}


def test_upload_to_another_companys_invoice_is_refused(fennoa, other_fennoa, add_invoice):
    made = add_invoice()
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    response = other_fennoa.post(
        f"purchases_api/do/upload_attachment/{made['id']}", {"file": upload}
    )
    assert response.status_code == 400
    assert errors_of(response) == {None: "invoice_not_found"}
    assert not Attachment.objects.exists()


def test_an_oversized_upload_is_refused_before_it_is_stored(fennoa, add_invoice, settings):
    settings.PAYABLES_MAX_ATTACHMENT_BYTES = 10
    made = add_invoice()
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    response = fennoa.post(f"purchases_api/do/upload_attachment/{made['id']}", {"file": upload})
    assert response.status_code == 400
    assert errors_of(response) == {None: "payload_too_large"}


@pytest.fixture
def from_finvoice(actor, company):
    data = (SAMPLES_DIR / FINVOICE).read_bytes()
    document = import_einvoice(data, actor=actor, filename=FINVOICE)
    (result,) = document.results
    assert result.outcome == "imported", result
    return Invoice.objects.get(pk=result.invoice_id), data


def test_the_finvoice_an_invoice_came_as_is_given_byte_exact(fennoa, from_finvoice):
    invoice, data = from_finvoice
    record = data_of(fennoa.get(f"purchases_api/{invoice.internal_id}"))["PurchaseInvoice"]
    assert record["finvoice_available"] == 1
    got = data_of(fennoa.get("purchases_api/get/finvoice", {"id": invoice.internal_id}))
    assert got["encoding"] == "base64"
    assert base64.b64decode(got["content"]) == data
    assert data_of(fennoa.get(f"purchases_api/get/finvoice/{invoice.internal_id}")) == got


def test_an_invoice_that_came_otherwise_gets_a_rendered_finvoice(fennoa, add_invoice):
    made = add_invoice(invoice_number="1001/A")
    record = data_of(fennoa.get(f"purchases_api/{made['id']}"))["PurchaseInvoice"]
    assert record["finvoice_available"] == 1
    got = data_of(fennoa.get("purchases_api/get/finvoice", {"id": made["id"]}))
    assert (got["encoding"], got["mimetype"], got["file"]) == (
        "base64",
        "application/xml",
        "finvoice-1001A.xml",
    )
    content = base64.b64decode(got["content"])
    assert schema_errors(content) == []
    (rendered,) = finvoice.parse(content, limits=ParseLimits()).invoices
    assert (rendered.number, rendered.issue_date, rendered.due_date) == (
        "1001/A",
        date(2023, 9, 1),
        date(2023, 9, 15),
    )
    assert (rendered.totals.tax_exclusive, rendered.totals.tax_inclusive) == (
        Decimal("100.00"),
        Decimal("124.00"),
    )
    assert (rendered.seller.name, rendered.seller.registry_id) == ("Fennoa Oy", "2593931-3")
    means = rendered.payment_means[0]
    assert (means.iban, means.bic, means.payment_reference) == (
        "FI4250001510000023",
        "NDEAFIHH",
        "13",
    )
    assert data_of(fennoa.get(f"purchases_api/get/finvoice/{made['id']}")) == got


def test_a_credit_invoice_gets_a_rendered_credit_note(fennoa, add_invoice):
    made = add_invoice(purchase_invoice_type_id="2")
    got = data_of(fennoa.get("purchases_api/get/finvoice", {"id": made["id"]}))
    content = base64.b64decode(got["content"])
    assert b"<InvoiceTypeCode>INV02</InvoiceTypeCode>" in content
    (rendered,) = finvoice.parse(content, limits=ParseLimits()).invoices
    assert rendered.is_credit_note
    assert rendered.totals.tax_inclusive == Decimal("-124.00")


def test_an_unknown_invoice_has_no_finvoice(fennoa):
    response = fennoa.get("purchases_api/get/finvoice", {"id": "999"})
    assert response.status_code == 404
    assert errors_of(response) == {None: "invoice_not_found"}


def test_another_companys_finvoice_is_not_found(other_fennoa, from_finvoice):
    invoice, _ = from_finvoice
    response = other_fennoa.get("purchases_api/get/finvoice", {"id": invoice.internal_id})
    assert response.status_code == 404


def test_the_path_and_the_parameter_must_name_one_invoice(fennoa, from_finvoice):
    invoice, _ = from_finvoice
    response = fennoa.get(f"purchases_api/get/finvoice/{invoice.internal_id}", {"id": "999"})
    assert errors_of(response) == {"id": "id_mismatch"}
