"""The load of ``scale_data.py``: companies through the services, the bulk through COPY.

All in one transaction, so an interrupted load leaves the database as migrated.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import timedelta
from typing import Any

from scale_invoices import (
    ATTACHMENT_COLUMNS,
    AUDIT_COLUMNS,
    DOCUMENT_COLUMNS,
    EVENT_COLUMNS,
    EVENT_TYPES_USED,
    INVOICE_COLUMNS,
    POSTING_COLUMNS,
    ROW_COLUMNS,
    STEP_COLUMNS,
    VAT_COLUMNS,
    YEARS,
    CompanyInvoices,
    CompanyPlan,
    at,
    company_sizes,
    uuid_text,
)
from scale_tables import TableCopy

MARKER = "payables_scale"
CHUNK = 5_000  # invoices per COPY round
APPROVERS = 5  # per company; the first one's queue is the load bench's
INTEGRATOR = "Scale ERP"
BENCH_APPROVER = "APPROVER-1"
CITIES = ("Tallinn", "Tartu", "Pärnu", "Narva", "Helsinki", "Riga")


def counted_models() -> list[tuple[str, Any]]:
    """The tables the load fills, labelled for the counts it prints."""
    from payables.approvals.models import ApprovalStep
    from payables.coding.models import PostingLine
    from payables.documents.models import Document
    from payables.events.models import Event
    from payables.handoff.models import ExportedDocument
    from payables.invoices.models import Attachment, AuditEntry, Invoice, InvoiceRow, VatLine
    from payables.masterdata.models import Supplier
    from payables.tenancy.models import Company, CompanyUser

    return [
        ("companies", Company),
        ("users", CompanyUser),
        ("suppliers", Supplier),
        ("invoices", Invoice),
        ("invoice rows", InvoiceRow),
        ("VAT lines", VatLine),
        ("posting lines", PostingLine),
        ("events", Event),
        ("audit entries", AuditEntry),
        ("approval steps", ApprovalStep),
        ("attachments", Attachment),
        ("documents", Document),
        ("exported documents", ExportedDocument),
    ]


def load(options: argparse.Namespace, wanted: dict) -> tuple[dict, str]:
    """Load everything; answer the marker written on the database and the integrator key."""
    from django.db import connection, transaction
    from django.utils import timezone

    from payables.events.event_types import EVENT_TYPES
    from payables.invoices.services import recount_invoice_statuses

    undeclared = [t for t in EVENT_TYPES_USED if t not in EVENT_TYPES]
    if undeclared:
        raise SystemExit(f"event types no longer declared: {undeclared}")
    end = timezone.now() - timedelta(minutes=5)
    sizes = company_sizes(options.invoices, options.companies)
    supplier_counts = company_sizes(options.suppliers, options.companies)
    with transaction.atomic():
        started = time.perf_counter()
        companies = [_make_company(k, options.seed) for k in range(len(sizes))]
        print(f"  {len(companies)} companies, their approvers, rules and integrators through "
              f"the services: {time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor  # psycopg's own, for COPY
            cursor.execute("SET LOCAL session_replication_role = replica")
            tables = _tables()
            exported_at, digitized_at = None, None
            for k, (company, size) in enumerate(zip(companies, sizes, strict=True)):
                started = time.perf_counter()
                suppliers = _copy_suppliers(cursor, tables, company, supplier_counts[k], end, k)
                plan = CompanyPlan(
                    id=str(company["company"].id),
                    invoices=size,
                    suppliers=suppliers,
                    approvers=company["approvers"],
                    integrator_label=company["integrator_label"],
                    first_sequence=_counter(company["company"], "event"),
                    seed=options.seed * 1000 + k,
                )
                totals = _copy_invoices(cursor, tables, plan, end)
                _set_counters(company["company"], len(suppliers), totals)
                exported_at = _later(exported_at, totals.last_exported_at)
                digitized_at = _later(digitized_at, totals.last_digitized_at)
                print(f"  company {k + 1:2d}: {size:>9,} invoices, {len(suppliers):>7,} suppliers"
                      f" in {time.perf_counter() - started:6.1f} s", flush=True)  # fmt: skip
            _set_feed_clocks(exported_at, digitized_at)
            recount_invoice_statuses()  # the load bypassed the triggers that keep them
            started = time.perf_counter()
            kept = _keep_feed_parts()
            print(f"  the digitized feed's parts of {kept:,} documents kept in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
            bench = companies[0]["company"]
            marker = wanted | {
                "bench_company": str(bench.id),
                "bench_company_name": bench.name,
                "bench_approver": BENCH_APPROVER,
                "integrator": INTEGRATOR,
                "end": end.isoformat(),
            }
            comment = json.dumps({MARKER: marker}).replace("'", "''")
            cursor.execute(f"COMMENT ON DATABASE {connection.ops.quote_name(_db_name())} "
                           f"IS '{comment}'")  # fmt: skip
        raw_key = companies[0]["raw_key"]
    return marker, raw_key


def keep_exported_documents() -> tuple[int, float]:
    """Write the exported feed's stored parts, as ``payables keep-exported-documents`` does
    after an upgrade (the same service, a transaction per 500 invoices); answer how many
    were written and in how many seconds. Run again, it writes only what is missing."""
    from payables.handoff.services import fill_exported_documents

    started = time.perf_counter()
    done, reported = None, 0
    for done in fill_exported_documents():
        if done.scanned - reported >= 100_000:
            reported = done.scanned
            rate = done.written / (time.perf_counter() - started)
            print(f"  {done.scanned:>9,} exported invoices looked at, {done.written:,} "
                  f"documents written ({rate:,.0f}/s)", flush=True)  # fmt: skip
    return (done.written if done else 0), time.perf_counter() - started


def missing_exported_documents() -> bool:
    """Whether an exported invoice has no stored parts, or parts of an older layout (a
    database built before they were kept as they are now)."""
    from django.db.models import Q

    from payables.handoff.feed_page import LAYOUT
    from payables.invoices.models import Invoice

    return Invoice.objects.filter(
        Q(exported_document__isnull=True) | ~Q(exported_document__layout=LAYOUT),
        exported_at__isnull=False,
    ).exists()


def _db_name() -> str:
    from django.db import connection

    return connection.settings_dict["NAME"]


def _tables() -> dict[str, TableCopy]:
    from payables.approvals.models import ApprovalStep
    from payables.coding.models import PostingLine
    from payables.documents.models import Document
    from payables.events.models import Event
    from payables.invoices.models import Attachment, AuditEntry, Invoice, InvoiceRow, VatLine
    from payables.masterdata.models import Supplier

    return {
        "supplier": TableCopy(Supplier, SUPPLIER_COLUMNS),
        "invoice": TableCopy(Invoice, INVOICE_COLUMNS),
        "row": TableCopy(InvoiceRow, ROW_COLUMNS),
        "vat": TableCopy(VatLine, VAT_COLUMNS),
        "posting": TableCopy(PostingLine, POSTING_COLUMNS),
        "audit": TableCopy(AuditEntry, AUDIT_COLUMNS),
        "step": TableCopy(ApprovalStep, STEP_COLUMNS),
        "attachment": TableCopy(Attachment, ATTACHMENT_COLUMNS),
        "document": TableCopy(Document, DOCUMENT_COLUMNS),
        "event": TableCopy(Event, EVENT_COLUMNS),
    }


SUPPLIER_COLUMNS = (
    "id", "company_id", "internal_id", "name", "registry_code", "vat_number", "country",
    "city", "erp_code", "created_at", "modified_at",
)  # fmt: skip


def _make_company(k: int, seed: int) -> dict:
    """A company with approvers, a default routing rule and an integrator, via the services."""
    from stdnum.ee import registrikood

    from payables.approvals.services import create_rule
    from payables.masterdata.schemas import UserIn
    from payables.masterdata.services.users import create_user
    from payables.tenancy.actors import Actor
    from payables.tenancy.scopes import SCOPES
    from payables.tenancy.services import create_api_key, create_company, create_integrator

    body = f"19{seed % 100:02d}{k:03d}"  # 7 digits (1: a company), then the check digit
    company = create_company(
        name=f"Scale company {k + 1:02d} OÜ",
        country="EE",
        registry_code=body + str(registrikood.calc_check_digit(body + "0")),
    )
    actor = Actor.system(company, "scale-data")
    approvers = []
    for j in range(1, APPROVERS + 1):
        user = create_user(
            UserIn(
                code=f"APPROVER-{j}",
                name=f"Approver {j}",
                email=f"approver{j}@scale{k + 1:02d}.example.com",
                roles=["approver"],
                can_be_last_approver=True,
            ).model_dump(),
            actor=actor,
        )
        approvers.append((str(user.id), Actor.for_user(user, via="web").label))
    create_rule(
        {
            "name": "Default",
            "is_default": True,
            "approvers": [{"user": BENCH_APPROVER, "level": 1}],
        },
        actor=actor,
    )
    integrator = create_integrator(company, name=INTEGRATOR)
    raw_key = (
        create_api_key(integrator, scopes=list(SCOPES), name="scale data")[1] if k == 0 else ""
    )
    return {
        "company": company,
        "approvers": approvers,
        "integrator_label": f"integrator:{INTEGRATOR} (key scale)",
        "raw_key": raw_key,
    }


def _copy_suppliers(
    cursor: Any, tables: dict[str, TableCopy], company: dict, count: int, end: Any, k: int
) -> list[str]:
    """The company's suppliers, with valid Estonian registry codes and VAT numbers."""
    from stdnum.ee import registrikood

    rng = random.Random(f"suppliers-{k}")
    created = at(end.timestamp() - YEARS * 365 * 86_400 - 86_400)
    company_id = str(company["company"].id)
    rows, ids = [], []
    for n in range(count):
        body = f"{1_000_000 + n}"
        code = body + registrikood.calc_check_digit(body + "0")
        vat_body = f"10{n:06d}"
        vat_check = (
            -sum(w * int(d) for w, d in zip((3, 7, 1, 3, 7, 1, 3, 7), vat_body, strict=True)) % 10
        )
        supplier_id = uuid_text(rng)
        ids.append(supplier_id)
        rows.append(
            (supplier_id, company_id, n + 1, f"Supplier {n + 1:06d} OÜ",
             code, f"EE{vat_body}{vat_check}", "EE",
             CITIES[n % len(CITIES)], f"S{n + 1:06d}", created, created)
        )  # fmt: skip
    tables["supplier"].copy(cursor, rows)
    return ids


def _copy_invoices(cursor: Any, tables: dict[str, TableCopy], plan: CompanyPlan, end: Any) -> Any:
    generator = CompanyInvoices(plan, end=end)
    for chunk in generator.chunks(CHUNK):
        for name, rows in chunk.rows.items():
            if rows:
                tables[name].copy(cursor, rows)
    tables["event"].copy(cursor, generator.events())
    return generator.totals


def _counter(company: Any, name: str) -> int:
    from payables.tenancy.models import Counter

    found = Counter.objects.filter(company=company, name=name).first()
    return found.value if found else 0


def _set_counters(company: Any, suppliers: int, totals: Any) -> None:
    """Set the company's counters past the loaded rows, as the services would have left them."""
    from django.db import connection

    from payables.approvals.services.chains import STEP_COUNTER
    from payables.events.services import EVENT_COUNTER
    from payables.invoices.services.attachments import ATTACHMENT_COUNTER
    from payables.invoices.services.invoices import INVOICE_COUNTER
    from payables.masterdata.services.suppliers import SUPPLIER_COUNTER
    from payables.tenancy.models import Counter

    values = {
        INVOICE_COUNTER: totals.invoices,
        EVENT_COUNTER: totals.last_sequence,
        SUPPLIER_COUNTER: suppliers,
        STEP_COUNTER: totals.steps,
        ATTACHMENT_COUNTER: totals.attachments,
    }
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        for name, value in values.items():
            cursor.execute(
                f"INSERT INTO {table} (company_id, name, value) VALUES (%s, %s, %s)"
                " ON CONFLICT (company_id, name) DO UPDATE SET value = EXCLUDED.value",
                [company.id, name, value],
            )


def _set_feed_clocks(exported_at: Any, digitized_at: Any) -> None:
    """The exported and digitized feeds' clocks at their latest stamps (see ``FeedClock``)."""
    from payables.documents.services.outcomes import DIGITIZED_FEED
    from payables.events.models import FeedClock
    from payables.handoff.services import EXPORTED_FEED

    for name, last in ((EXPORTED_FEED, exported_at), (DIGITIZED_FEED, digitized_at)):
        if last is not None:
            FeedClock.objects.update_or_create(name=name, defaults={"last_at": last})


def _keep_feed_parts() -> int:
    """Write the digitized feed's stored parts of the loaded documents, as the services do
    when a reading ends (from the values as the database gives them back)."""
    from payables.documents.models import Document
    from payables.documents.services import keep_feed_parts

    ids = list(Document.objects.filter(digitized_at__isnull=False).values_list("pk", flat=True))
    keep_feed_parts(ids)
    return len(ids)


def _later(a: Any, b: Any) -> Any:
    return b if a is None or (b is not None and b > a) else a
