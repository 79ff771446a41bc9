"""The hot reads use indexes (PostgreSQL): no sequential scan of the invoice, row, VAT,
attachment, event, approval-step, posting-line, exported-document, status-count or API key
tables, whatever their size.

Each hot request runs through the API; every statement it sends is explained again with
sequential scans priced out (``enable_seqscan = off``). The tables here are small, where a
sequential scan is the planner's honest choice; priced out, one still shows only where no
index can serve the statement — which is what fails at a million invoices.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payables.approvals.models import ApprovalStep
from payables.approvals.services import approve_step, create_rule
from payables.coding.models import PostingLine
from payables.conftest import ApiClient
from payables.documents.models import Document
from payables.documents.services import keep_feed_parts
from payables.events.models import Event
from payables.handoff.models import ExportedDocument
from payables.invoices.models import Attachment, Invoice, InvoiceRow, InvoiceStatusCount, VatLine
from payables.tenancy.actors import Actor
from payables.tenancy.models import ApiKey, CompanyUser
from payables.tenancy.services import create_personal_api_key

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
# By the models' tables (the event app's label is ``sync``: its table is ``sync_event``).
WATCHED = {
    model._meta.db_table
    for model in (
        Invoice, InvoiceRow, VatLine, Attachment, Event, ApprovalStep, PostingLine,
        ExportedDocument, Document, InvoiceStatusCount, ApiKey,
    )
}  # fmt: skip


def _scans(sql: str) -> list[str]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return sorted({t for t in re.findall(r"Seq Scan on (\w+)", plan) if t in WATCHED})


def _explained(client: ApiClient, path: str, params: dict | None = None) -> dict[str, list]:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(path, params or {})
    assert answer.status_code == 200, (path, answer.content)
    found = {}
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.lstrip().upper().startswith("SELECT") and (tables := _scans(sql)):
            found[sql[:300]] = tables
    return found


def test_the_hot_reads_scan_no_big_table(api: ApiClient, invoice_payload, actor, make_user_key):
    approver, approver_api = make_user_key("A-1")
    create_rule(
        {"name": "all", "approvers": [{"user": str(approver.pk), "level": 1}], "is_default": True},
        actor=actor,
    )
    made = [api.post("/invoices", invoice_payload(invoice_number=f"Q-{n}")) for n in range(3)]
    assert all(m.status_code == 201 for m in made), made[0].content
    invoice = made[0].json()
    for step in ApprovalStep.objects.filter(approver=approver, is_current=True)[:2]:
        approve_step(step, actor=Actor.for_user(approver))
    for exported in made[:2]:
        assert api.post(f"/invoices/{exported.json()['id']}/export").status_code == 200
    api.post(f"/invoices/{invoice['id']}/attachments", {"url": "https://example.com/a.pdf"})
    ExportedDocument.objects.filter(invoice_id=invoice["id"]).delete()  # read it as an old one
    first = api.get("/feeds/events").json()
    for n in range(3):  # digitized documents, the first with its feed parts kept
        document = Document.objects.create(
            company=actor.company,
            channel="api", actor="test", state="digitized", sha256=f"{n:064x}",
            digitized_at=timezone.now(), fields={"iban": {"value": "EE38"}},
        )  # fmt: skip
        if not n:
            keep_feed_parts([document.pk])
    hot = [
        ("/invoices", {}),
        ("/invoices", {"status": "booked"}),
        ("/invoices", {"booked": "false", "approved": "true"}),
        ("/invoices", {"status": "exported", "count": "false"}),
        ("/invoices", {"modified_after": "2026-11-02T00:00:00Z"}),
        ("/invoices", {"supplier_id": invoice["supplier"]["id"]}),
        ("/invoices", {"due_date_from": "2026-11-02"}),
        ("/invoices", {"page": 3, "page_size": 20}),
        (f"/invoices/{invoice['id']}", {}),
        (f"/invoices/{invoice['internal_id']}", {}),
        ("/feeds/events", {"from": first["next"] or first.get("cursor") or ""}),
        ("/feeds/exported", {}),
        ("/feeds/exported", {"limit": 1}),
        ("/feeds/digitized", {}),
    ]
    scans = {}
    for path, params in hot:
        params = {k: v for k, v in params.items() if v != ""}
        scans |= {f"{path} {params}: {sql}": t for sql, t in _explained(api, path, params).items()}
    cursor = api.get("/feeds/exported", {"limit": 1}).json()["cursor"]
    scans |= {
        f"feed from: {sql}": t
        for sql, t in _explained(api, "/feeds/exported", {"from": cursor}).items()
    }
    cursor = api.get("/feeds/digitized", {"limit": 1}).json()["cursor"]
    scans |= {
        f"digitized from: {sql}": t
        for sql, t in _explained(api, "/feeds/digitized", {"from": cursor}).items()
    }
    for params in ({}, {"page": 2}, {"modified_after": "2026-11-02T00:00:00Z"}):
        assert approver_api.get("/approvals/queue", params).json()["items"] or params
        scans |= {
            f"queue {params}: {sql}": t
            for sql, t in _explained(approver_api, "/approvals/queue", params).items()
        }
    assert scans == {}


@pytest.fixture
def make_user_key(actor):
    from payables.masterdata.schemas import UserIn
    from payables.masterdata.services.users import create_user

    def make(code: str) -> tuple[CompanyUser, ApiClient]:
        data = UserIn(
            code=code, name=code, email=f"{code}@example.com", roles=["approver"],
            can_be_last_approver=True,
        )  # fmt: skip
        user: CompanyUser = create_user(data.model_dump(), actor=actor)
        return user, ApiClient(create_personal_api_key(user, scopes=["approvals:read"])[1])

    return make
