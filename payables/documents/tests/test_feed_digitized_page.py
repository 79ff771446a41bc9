"""The digitized feed's page, written from plain values, is the schema-built page.

``DigitizedDocumentOut.from_document`` builds the page as the feed answered it before;
these tests build varied documents (read, reviewed into an invoice, waiting for review,
failed, odd stored values) and compare the two byte for byte.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payables.conftest import ApiClient
from payables.documents.feed_page import FEED_PARTS_VERSION, parts_json
from payables.documents.fields import Reading
from payables.documents.models import Document
from payables.documents.queries import digitized_after
from payables.documents.schemas import DigitizedDocumentOut, DigitizedPage
from payables.documents.services import finish_read, keep_feed_parts, receive_document
from payables.documents.tests.conftest import multipart
from payables.documents.tests.test_cli_import import text_pdf
from payables.documents.tests.test_review import GOOD
from payables.json_encoding import PreciseJSONEncoder
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company
from payables.tenancy.services import create_company, update_company

IBAN = "EE382200221020145685"
STAMP = datetime(2026, 11, 2, 8, 30, 15, 123456, tzinfo=UTC)


def schema_page(companies: list[Company], params: dict) -> str:
    """The page as the feed built it from ``DigitizedDocumentOut`` objects, as JSON text."""
    page = digitized_after(companies, params.get("from"), limit=params.get("limit", 100))
    items = [
        DigitizedDocumentOut.from_document(document, cursor)
        for document, cursor in zip(page.items, page.cursors, strict=True)
    ]
    built = DigitizedPage(items=items, next=page.next, cursor=page.cursor)
    return json.dumps(DigitizedPage.model_validate(built).model_dump(), cls=PreciseJSONEncoder)


def stored(company: Company, n: int, **values: object) -> Document:
    """A document whose reading ended with ``values`` stored as they are."""
    return Document.objects.create(
        company=company,
        channel="api",
        actor="test",
        digitized_at=STAMP + timedelta(seconds=n),
        sha256=f"{n:064x}",
        **values,
    )


@pytest.fixture
def varied(api: ApiClient, actor: Actor, company: Company, ubl: bytes, tasks_on_commit) -> None:
    """Documents of every kind the feed gives, through the pipeline and as stored."""
    with tasks_on_commit():
        multipart(api, [("e-arve.xml", ubl), ("rämps.bin", b"junk")], userdata="viide-ö")
    # Waiting for review (key fields missing), then one of them reviewed into an invoice.
    update_company(company, {"digitized_invoice_policy": "review"})
    for number in ("S-1", "S-2"):
        data = text_pdf(number)
        document = receive_document(data, actor=actor, filename=f"{number}.pdf")
        Document.objects.filter(pk=document.pk).update(state=Document.State.PROCESSING)
        fields = {k: v for k, v in GOOD.items() if k not in {"iban", "due_date"}}
        fields["invoice_number"] = {**fields["invoice_number"], "value": number}
        finish_read(document, Reading(method="text", fields=fields, pages=1), data=data)
    answer = api.post(
        f"/documents/{document.id}/review",
        {"fields": {"iban": {"value": IBAN}, "due_date": {"value": "2026-11-16"}}},
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "invoice_created"
    # Values as a reading may store them: ints where floats are shown, nulls, numbers.
    odd_field = {"value": 12.5, "confidence": 1, "page": 2.0, "box": [0, 0, 1, 1], "label": None}
    first = stored(
        company,
        1,
        state="digitized",
        filename="Arve Õun \u2013 € 😀.png",
        content_type="image/png",
        kind="png",
        size=None,
        method="ocr",
        pages=None,
        languages=["est", "eng"],
        userdata='kõik "jutumärgid" ja \\ kaldkriips\n',
        fields={
            "net_amount": odd_field,
            "seller_name": {"value": None, "confidence": None},
            "issue_date": {"value": "2026-11-02", "confidence": 0.42, "validated": True},
        },
        vat_breakdown=[{"rate": "22", "net": None, "vat": 22}],
        lines=[{"description": "Pliiats ✏", "quantity": 3, "unit_price": "0.50"}],
        findings=[{"rule_id": "BR-CO-15", "message": "Summa ei klapi"}, {"location": "iban"}],
        uploaded_at=STAMP,
        upload_expires_at=STAMP + timedelta(hours=1),
    )
    stored(
        company,
        2,
        state="failed",
        content_type="",
        kind="tiff",
        failure_reason="duplicate",
        failure_message="Sama fail kui varem",
        duplicate_of=first,
        findings=[{"code": "duplicate", "message": "x", "location": ""}],
    )


def test_the_page_is_the_schema_built_page(api, company, varied):
    answer = api.get("/feeds/digitized")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    assert answer.content.decode() == schema_page([company], {})
    states = [d["state"] for d in answer.json()["items"]]
    assert sorted(set(states)) == ["digitized", "failed", "invoice_created"]


def test_every_page_and_the_end_are_the_schema_built_pages(api, company, varied):
    cursor = None
    while True:
        params = {"limit": 2, **({"from": cursor} if cursor else {})}
        answer = api.get("/feeds/digitized", params)
        assert answer.content.decode() == schema_page([company], params)
        cursor = answer.json()["next"]
        if cursor is None:
            break
    end = {"from": answer.json()["cursor"]}
    assert api.get("/feeds/digitized", end).content.decode() == schema_page([company], end)


def test_stored_parts_of_every_kind_of_document_give_the_schema_built_page(api, company, varied):
    """The pipeline, the review and a failure keep the feed's parts as they save; documents
    stored otherwise have none until they are kept, and the page is the same either way."""
    as_stored = Document.objects.filter(sha256__in=[f"{n:064x}" for n in (1, 2)])
    finished = Document.objects.exclude(pk__in=as_stored).filter(digitized_at__isnull=False)
    assert {d.feed_parts_version for d in finished} == {FEED_PARTS_VERSION}
    assert {d.feed_parts_version for d in as_stored} == {0}
    assert {d.state for d in finished} == {"digitized", "failed", "invoice_created"}
    unkept = api.get("/feeds/digitized").content.decode()
    keep_feed_parts(Document.objects.values_list("pk", flat=True), chunk=2)

    assert api.get("/feeds/digitized").content.decode() == unkept == schema_page([company], {})
    assert api.get("/feeds/digitized", {"limit": 3}).content.decode() == schema_page(
        [company], {"limit": 3}
    )


def test_saving_what_was_read_never_leaves_old_parts_in_the_feed(api, company):
    document = stored(company, 1, state="digitized", fields={"iban": {"value": "EE38"}})
    keep_feed_parts([document.pk])
    document.fields = {"iban": {"value": IBAN, "confidence": 0.5}}
    document.save(update_fields=["fields"])  # not kept again: the page writes them

    items = api.get("/feeds/digitized").json()["items"]

    assert items[0]["fields"]["iban"]["value"] == IBAN
    assert api.get("/feeds/digitized").content.decode() == schema_page([company], {})
    document.refresh_from_db()
    assert document.feed_parts_version == 0
    document.state = Document.State.FAILED
    document.save(update_fields=["state"])  # values untouched: their parts stay
    keep_feed_parts([document.pk])
    document.save(update_fields=["state"])
    assert Document.objects.get(pk=document.pk).feed_parts_version == FEED_PARTS_VERSION


def test_the_parts_are_written_as_in_version_one():
    """Raise ``FEED_PARTS_VERSION`` (and this text) with any change to how the parts are
    written: documents keep the parts of an older version in the database."""
    parts = parts_json(
        fields={"iban": {"value": IBAN, "confidence": 1, "page": 1, "box": [0, 0.5, 1, 1]}},
        vat_breakdown=[{"vat_rate": 24, "base_amount": "1.00"}],
        lines=[{"description": "Õun", "net_amount": None}],
        findings=[{"rule_id": "BR-1", "message": "x", "location": "iban"}],
    )
    assert FEED_PARTS_VERSION == 1
    assert parts == (
        '{"fields": {"iban": {"value": "EE382200221020145685", "confidence": 1.0, '
        '"validated": false, "page": 1, "box": [0.0, 0.5, 1.0, 1.0], "label": ""}}, '
        '"vat_breakdown": [{"vat_rate": "24", "base_amount": "1.00"}], '
        '"lines": [{"description": "\\u00d5un", "net_amount": null}], '
        '"findings": [{"code": "BR-1", "message": "x", "field": "iban"}]}'
    )


def test_a_company_without_registry_code_is_named_by_its_id(make_key, tasks_on_commit):
    company = create_company(name="Nimeta OÜ", country="EE")
    api = ApiClient(make_key(company))
    stored(company, 1, state="failed", failure_reason="too_large")

    answer = api.get("/feeds/digitized")

    assert answer.json()["items"][0]["company_code"] == str(company.id)
    assert answer.content.decode() == schema_page([company], {})


def test_a_page_takes_the_same_statements_for_few_documents_and_many(api, company):
    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/feeds/digitized", {"limit": 100}).status_code == 200
        return len(queries)

    stored(company, 0, state="failed")
    statements()  # the first request also stamps the key's last_used_at
    few = statements()
    for n in range(1, 30):
        stored(company, n, state="digitized", fields={"iban": {"value": "EE38", "page": 1}})

    assert statements() == few
