"""The hot reads use indexes (PostgreSQL): no sequential scan of the invoice, row, VAT, event
or approval-step tables, whatever their size.

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

from payables.conftest import ApiClient
from payables.tenancy.models import CompanyUser
from payables.tenancy.services import create_personal_api_key

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
WATCHED = {
    "invoices_invoice",
    "invoices_invoicerow",
    "invoices_vatline",
    "events_event",
    "approvals_approvalstep",
}


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
    created = api.post("/invoices", invoice_payload())
    assert created.status_code == 201, created.content
    invoice = created.json()
    first = api.get("/feeds/events").json()
    feeds = api.get("/feeds/exported").json()
    hot = [
        ("/invoices", {}),
        ("/invoices", {"status": "booked"}),
        ("/invoices", {"modified_after": "2026-11-02T00:00:00Z"}),
        ("/invoices", {"supplier_id": invoice["supplier"]["id"]}),
        ("/invoices", {"due_date_from": "2026-11-02"}),
        ("/invoices", {"page": 3, "page_size": 20}),
        (f"/invoices/{invoice['id']}", {}),
        (f"/invoices/{invoice['internal_id']}", {}),
        ("/feeds/events", {"from": first["next"] or first.get("cursor") or ""}),
        ("/feeds/exported", {"from": feeds.get("cursor") or ""}),
    ]
    scans = {}
    for path, params in hot:
        params = {k: v for k, v in params.items() if v != ""}
        scans |= {f"{path} {params}: {sql}": t for sql, t in _explained(api, path, params).items()}
    approver = make_user_key("A-1")
    scans |= {f"queue: {sql}": t for sql, t in _explained(approver, "/approvals/queue").items()}
    assert scans == {}


@pytest.fixture
def make_user_key(actor):
    from payables.masterdata.schemas import UserIn
    from payables.masterdata.services.users import create_user

    def make(code: str) -> ApiClient:
        data = UserIn(code=code, name=code, email=f"{code}@example.com", roles=["approver"])
        user: CompanyUser = create_user(data.model_dump(), actor=actor)
        return ApiClient(create_personal_api_key(user, scopes=["approvals:read"])[1])

    return make
