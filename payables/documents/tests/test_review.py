"""Reviewing a digitized document: corrections make its invoice and teach supplier memory.

The reading is given to the pipeline's ``finish_read`` as the engine would give it, so
these tests run without the engine; ``test_digitizing`` runs the engine itself.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from payables.documents.fields import Reading
from payables.documents.models import Document, SupplierMemory
from payables.documents.services import finish_read, receive_document
from payables.documents.services.memory import memory_keys
from payables.documents.tests.test_cli_import import text_pdf
from payables.events.models import Event
from payables.invoices.models import Invoice
from payables.tenancy.services import update_company


def read(value: object, confidence: float = 0.95, page: int = 1, label: str = "") -> dict:
    return {
        "value": value,
        "confidence": confidence,
        "validated": confidence >= 0.9,
        "page": page,
        "box": [0.1, 0.1, 0.3, 0.12],
        "label": label,
        "source_text": str(value),
    }


GOOD = {
    "seller_name": read("Tallinna Kontoritarbed AS"),
    "seller_vat_id": read("EE100931558"),
    "invoice_number": read("S-1", label="Arve nr"),
    "issue_date": read("2026-11-02"),
    "due_date": read("2026-11-16"),
    "currency": read("EUR"),
    "net_amount": read("100.00"),
    "vat_amount": read("22.00"),
    "gross_amount": read("122.00"),
    "iban": read("EE382200221020145685"),
    "payment_reference": read("13"),
}


@pytest.fixture
def digitize(actor, django_capture_on_commit_callbacks):
    """A PDF uploaded and ended with the given reading, as the pipeline ends it."""

    def make(fields: dict, *, number: str = "S-1") -> Document:
        data = text_pdf(number)
        document = receive_document(data, actor=actor, filename=f"{number}.pdf")
        Document.objects.filter(pk=document.pk).update(state=Document.State.PROCESSING)
        return finish_read(document, Reading(method="text", fields=fields, pages=1), data=data)

    return make


def test_sure_fields_become_an_invoice_not_flagged(digitize, supplier):
    document = digitize(GOOD)

    assert document.state == Document.State.INVOICE_CREATED
    invoice = document.invoice
    assert (invoice.origin, invoice.supplier_id, invoice.needs_review) == (
        "digitized",
        supplier.id,
        False,
    )
    assert (invoice.invoice_number, invoice.gross_amount) == ("S-1", Decimal("122"))
    assert invoice.attachments.get(is_original=True).sha256 == document.sha256


def test_an_unsure_key_field_flags_the_invoice_for_review(digitize, supplier):
    document = digitize(GOOD | {"due_date": read("2026-11-16", confidence=0.6)})

    invoice = document.invoice
    assert invoice.needs_review
    assert [(f["code"], f["location"]) for f in invoice.review_findings] == [("unsure", "due_date")]


def test_a_missing_amount_is_worked_out_and_noted(digitize, supplier):
    fields = {k: v for k, v in GOOD.items() if k != "vat_amount"}

    invoice = digitize(fields).invoice

    assert invoice.vat_amount == Decimal("22")
    assert {(f["code"], f["location"]) for f in invoice.review_findings} == {
        ("derived", "vat_amount"),
        ("missing", "vat_amount"),
    }


def test_an_unknown_seller_becomes_a_new_supplier_for_review(digitize):
    fields = GOOD | {"seller_vat_id": read("FI20774740"), "seller_name": read("Uusi Oy")}

    invoice = digitize(fields).invoice

    assert (invoice.supplier.name, invoice.supplier.country) == ("Uusi Oy", "FI")
    assert "new_supplier" in {f["code"] for f in invoice.review_findings}


def test_without_a_number_the_document_waits_for_review(digitize, supplier):
    document = digitize({k: v for k, v in GOOD.items() if k != "invoice_number"})

    assert (document.state, document.invoice) == (Document.State.DIGITIZED, None)
    assert any(f["location"] == "invoice_number" for f in document.findings)


def test_the_company_may_create_only_validated_invoices(digitize, supplier, company):
    update_company(company, {"digitized_invoice_policy": "create_validated"})

    held = digitize(GOOD | {"iban": read("EE382200221020145685", confidence=0.5)})
    made = digitize(GOOD | {"invoice_number": read("S-2")}, number="S-2")

    assert (held.state, made.state) == (Document.State.DIGITIZED, Document.State.INVOICE_CREATED)


def test_a_number_the_supplier_used_already_waits_for_review(digitize, supplier):
    digitize(GOOD)
    document = digitize(GOOD, number="S-1b")

    assert document.state == Document.State.DIGITIZED
    assert document.findings[0]["code"] == "duplicate_invoice_number"
    assert Invoice.objects.count() == 1


def test_a_review_corrects_fields_creates_the_invoice_and_remembers(
    api, digitize, supplier, company
):
    update_company(company, {"digitized_invoice_policy": "review"})
    document = digitize(GOOD | {"invoice_number": read("5-1", confidence=0.4)})
    assert document.state == Document.State.DIGITIZED
    correction = {"value": "S-1", "page": 1, "box": [0.6, 0.1, 0.8, 0.13], "label": "Arve nr"}

    answer = api.post(
        f"/documents/{document.id}/review", {"fields": {"invoice_number": correction}}
    )

    assert answer.status_code == 200, answer.content
    shown = answer.json()
    assert shown["state"] == "invoice_created"
    assert shown["fields"]["invoice_number"]["value"] == "S-1"
    assert shown["fields"]["invoice_number"]["confidence"] == 1.0
    invoice = Invoice.objects.get(pk=shown["invoice_id"])
    assert (invoice.invoice_number, invoice.needs_review) == ("S-1", False)
    memory = SupplierMemory.objects.get(key="vat:EE100931558")
    assert memory.fields == {
        "invoice_number": {"label": "Arve nr", "page": 1, "box": [0.6, 0.1, 0.8, 0.13]}
    }
    assert set(memory_keys(GOOD)) == set(SupplierMemory.objects.values_list("key", flat=True))
    feed = api.get("/feeds/digitized").json()["items"]
    assert [(i["id"], i["state"]) for i in feed] == [(str(document.id), "invoice_created")]
    assert Event.objects.filter(type="document.digitized", subject_id=document.id).count() == 2


def test_a_review_that_still_lacks_a_field_is_refused_where_it_lacks(api, digitize, supplier):
    document = digitize({k: v for k, v in GOOD.items() if k != "issue_date"})

    answer = api.post(f"/documents/{document.id}/review", {"fields": {}})

    assert answer.status_code == 422
    assert ["body", "fields", "issue_date"] in [d["loc"] for d in answer.json()["detail"]]
    document.refresh_from_db()
    assert document.state == Document.State.DIGITIZED


def test_only_a_digitized_document_is_reviewed(api, digitize, supplier):
    document = digitize(GOOD)  # its invoice exists

    answer = api.post(f"/documents/{document.id}/review", {"fields": {}})

    assert (answer.status_code, answer.json()["code"]) == (409, "document_not_reviewable")


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"invoice_numbr": {"value": "1"}}, ["body", "fields", "invoice_numbr"]),
        ({"invoice_number": {"value": ""}}, ["body", "fields", "invoice_number", "value"]),
        ({"iban": {"value": "x", "box": [0, 0, 2, 1]}}, ["body", "fields", "iban", "box", 2]),
    ],
)
def test_corrections_are_checked(api, digitize, supplier, fields, loc):
    document = digitize({})

    answer = api.post(f"/documents/{document.id}/review", {"fields": fields})

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][: len(loc)] == loc


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("gross_amount", "abc", "Not an amount"),
        ("net_amount", "12.345", "at most two decimals"),
        ("vat_amount", "1e400", "under 10^13"),
        ("iban", "garbage", "Not a valid IBAN"),
        ("iban", "EE38 2200 2210 2014 5686", "Not a valid IBAN"),  # check digits
        ("bic", "nope", "Not a valid BIC"),
    ],
)
def test_a_correction_that_is_not_what_its_field_holds_is_refused_and_changes_nothing(
    api, digitize, supplier, name, value, message
):
    document = digitize({k: v for k, v in GOOD.items() if k != "issue_date"})
    box = {"page": 1, "box": [0.1, 0.1, 0.2, 0.2]}

    answer = api.post(
        f"/documents/{document.id}/review",
        {"fields": {"issue_date": {"value": "2026-11-02"}, name: {"value": value, **box}}},
    )

    assert answer.status_code == 422
    (detail,) = answer.json()["detail"]
    assert detail["loc"] == ["body", "fields", name, "value"]
    assert message in detail["msg"]
    document.refresh_from_db()
    assert (document.state, document.invoice_id) == (Document.State.DIGITIZED, None)
    assert not SupplierMemory.objects.exists()


def test_corrected_amounts_and_iban_are_normalised(api, digitize, supplier):
    document = digitize({k: v for k, v in GOOD.items() if k != "issue_date"})

    answer = api.post(
        f"/documents/{document.id}/review",
        {
            "fields": {
                "issue_date": {"value": "2026-11-02"},
                "iban": {"value": "ee38 2200 2210 2014 5685"},
            }
        },
    )

    assert answer.status_code == 200, answer.json()
    assert answer.json()["fields"]["iban"]["value"] == "EE382200221020145685"


def test_another_companys_document_is_not_reviewed(other_api, digitize, supplier):
    document = digitize({})

    answer = other_api.post(f"/documents/{document.id}/review", {"fields": {}})

    assert answer.status_code == 404


def test_a_document_still_awaiting_its_upload_is_not_reviewed(api):
    where = api.get("/documents/upload-location", {"filename": "a.pdf"}).json()

    answer = api.post(f"/documents/{where['document_id']}/review", {"fields": {}})

    assert (answer.status_code, answer.json()["code"]) == (409, "document_not_reviewable")
