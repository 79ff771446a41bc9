"""What the load bench's clients work on, read from the scale database before each run.

Keys are minted for the run through the services (an integrator key with every scope, a
personal key of the bench approver) and revoked at its end; positions in the feeds are
drawn at random over the whole feed, since a client may be anywhere in it.
"""

from __future__ import annotations

from typing import Any

SAMPLE = 2_000


def make_plan(marker: dict, *, upsert_batch: int) -> tuple[dict, list[Any]]:
    """The plan of one run, and the keys minted for it."""
    from payables.approvals.models import ApprovalStep
    from payables.documents.models import Document
    from payables.events.feeds import encode_time_and_id
    from payables.events.services import EVENT_COUNTER
    from payables.invoices.models import Invoice
    from payables.masterdata.models import Supplier
    from payables.tenancy.models import Company, CompanyUser, Counter, Integrator
    from payables.tenancy.permissions import personal_scopes
    from payables.tenancy.scopes import SCOPES
    from payables.tenancy.services import create_api_key, create_personal_api_key

    company = Company.objects.get(pk=marker["bench_company"])
    integrator = Integrator.objects.get(company=company, name=marker["integrator"])
    approver = CompanyUser.objects.get(company=company, code=marker["bench_approver"])
    integrator_key, integrator_raw = create_api_key(
        integrator, scopes=list(SCOPES), name="load bench"
    )
    approver_key, approver_raw = create_personal_api_key(
        approver, scopes=sorted(personal_scopes(approver.roles)), name="load bench"
    )
    invoices = Invoice.objects.filter(company=company)
    exported = invoices.filter(exported_at__isnull=False).order_by("?")[:SAMPLE]
    documents = Document.objects.filter(company=company, digitized_at__isnull=False)
    last = Counter.objects.get(company=company, name=EVENT_COUNTER).value
    plan = {
        "integrator_key": integrator_raw,
        "approver_key": approver_raw,
        "invoice_ids": [
            str(i) for i in invoices.order_by("?").values_list("id", flat=True)[:SAMPLE]
        ],
        "first_sequence": 1,
        "last_sequence": max(1, last - 100),
        "exported_cursors": [
            encode_time_and_id(key) for key in exported.values_list("exported_at", "id")
        ]
        or [""],
        "digitized_cursors": [
            encode_time_and_id(key)
            for key in documents.order_by("?").values_list("digitized_at", "id")[:SAMPLE]
        ]
        or [""],
        "waiting_steps": [
            str(s)
            for s in ApprovalStep.objects.filter(
                approver=approver, is_current=True, invoice__status=Invoice.Status.ASSIGNED
            ).values_list("id", flat=True)
        ],
        "approved_invoices": [
            str(i)
            for i in invoices.filter(
                status=Invoice.Status.APPROVED, needs_review=False
            ).values_list("id", flat=True)[: SAMPLE * 5]
        ],
        "suppliers": [
            {"name": s.name, "country": s.country, "registry_code": s.registry_code}
            for s in Supplier.objects.filter(company=company).exclude(registry_code="")[:50]
        ],
        "upsert_batch": upsert_batch,
    }
    return plan, [integrator_key, approver_key]


def revoke_keys(keys: list[Any]) -> None:
    from payables.tenancy.services import revoke_api_key

    for key in keys:
        revoke_api_key(key)


UPSERTED_BY_BENCH = "load-bench"  # the source system of the invoices the clients upsert


def cancel_left_waiting(marker: dict) -> int:
    """Cancel the invoices the clients upserted that still wait for approval; how many.

    Every upsert routes its invoices to the bench approver, faster than a run approves
    them: without this the approver's queue grew from 1,100 to 14,000 over six runs, and
    each run measured a longer queue than the one before. Cancelled through the service,
    as an operator would, so their steps leave the queue and their numbers are free.
    """
    from payables.invoices.models import Invoice
    from payables.invoices.services import cancel_invoice
    from payables.tenancy.actors import Actor
    from payables.tenancy.models import Company

    company = Company.objects.get(pk=marker["bench_company"])
    actor = Actor.system(company, "load bench")
    waiting = Invoice.objects.filter(
        company=company, source_system=UPSERTED_BY_BENCH, status=Invoice.Status.ASSIGNED
    )
    cancelled = 0
    for invoice in waiting.iterator():
        cancel_invoice(invoice, actor=actor, reason="left waiting by the load bench")
        cancelled += 1
    return cancelled
