"""Training a company's coding model on its booked history, and retraining when due.

The examples are the posting lines of the company's exported and booked invoices (what
accounting received), or the invoice's rows where it has no posting lines. Training runs
in the task worker (``payables.coding.tasks``) or the nightly ``payables train-coding``;
it reads, trains outside any transaction (seconds for thousands of lines) and then stores
the model in one short write.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from payables.coding.learning import ENGINE_VERSION, Example, Line, train
from payables.coding.models import CodingModel
from payables.invoices.models import Invoice
from payables.tenancy.models import Company

logger = logging.getLogger(__name__)

BOOKED_STATES = (Invoice.Status.EXPORTED, Invoice.Status.BOOKED)


@dataclass(frozen=True)
class _BookedLine:
    line: Line
    account: str
    vat_code: str
    dimensions: dict[str, str]


def booked_invoices(company: Company):
    """The company's invoices accounting has: what the model learns from."""
    return Invoice.objects.for_company(company).filter(status__in=BOOKED_STATES)


def booked_examples(company: Company) -> list[Example]:
    """One example per posting line (per row without posting lines) of booked invoices.

    Every dimension type the history uses is a target; a line without a value of a type
    teaches "no value".
    """
    found: list[_BookedLine] = []
    invoices = booked_invoices(company).prefetch_related("rows", "posting_lines")
    for invoice in invoices.order_by("pk").iterator(chunk_size=500):
        found += _lines_of(invoice)
    types = tuple(sorted({t for booked in found for t in booked.dimensions}))
    return [
        Example.booked(
            booked.line,
            account=booked.account,
            vat_code=booked.vat_code,
            dimensions=booked.dimensions,
            dimension_types=types,
        )
        for booked in found
    ]


def _lines_of(invoice: Invoice) -> list[_BookedLine]:
    supplier, currency = str(invoice.supplier_id), invoice.currency
    rows = {row.position: row for row in invoice.rows.all()}
    posting_lines = list(invoice.posting_lines.all())
    if posting_lines:
        # A line a person or a split set names no row; without its own description it is
        # learned from what the invoice's rows say.
        texts = " ".join(row.description for row in rows.values() if row.description)
        return [
            _BookedLine(
                Line(
                    supplier,
                    line.description or _row_text(rows, line.row_position) or texts,
                    line.net_amount,
                    currency,
                    _row_item(rows, line.row_position),
                ),
                line.account_code,
                line.vat_code,
                _dimensions(line.dimensions),
            )
            for line in posting_lines
        ]
    return [
        _BookedLine(
            Line(
                supplier,
                row.description,
                row.net_amount,
                currency,
                row.product_code or row.item_code,
            ),
            row.account_code,
            row.vat_code,
            _dimensions(row.dimensions),
        )
        for row in rows.values()
    ]


def _row_text(rows: dict, position: int | None) -> str:
    row = rows.get(position)
    return row.description if row is not None else ""


def _row_item(rows: dict, position: int | None) -> str:
    row = rows.get(position)
    return (row.product_code or row.item_code) if row is not None else ""


def _dimensions(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if v not in (None, "")}


def train_coding_model(company: Company) -> CodingModel:
    """Train the company's model on its booked history now and store it (replacing any)."""
    booked_count = booked_invoices(company).count()
    examples = booked_examples(company)
    started = timezone.now()
    engine = train(examples)
    payload = engine.dumps()
    with transaction.atomic():
        model, _ = CodingModel.objects.update_or_create(
            company=company,
            defaults={
                "trained_at": timezone.now(),
                "sample_count": len(examples),
                "booked_count": booked_count,
                "engine_version": ENGINE_VERSION,
                "payload": payload,
            },
        )
    logger.info(
        "Trained the coding model of company %s on %d lines of %d invoices in %.1fs",
        company.pk,
        len(examples),
        booked_count,
        (timezone.now() - started).total_seconds(),
    )
    return model


def is_retraining_due(company: Company) -> bool:
    """The company booked ``coding_retrain_after`` invoices since its model was trained."""
    trained = (
        CodingModel.objects.filter(company=company).values_list("booked_count", flat=True).first()
    )
    booked = booked_invoices(company).count()
    return booked > 0 and booked >= (trained or 0) + company.coding_retrain_after


def train_when_due(company_id: UUID) -> int | None:
    """Retrain if still due (several queued requests train once); the lines it trained on."""
    company = Company.objects.get(pk=company_id)
    if not is_retraining_due(company):
        return None
    return train_coding_model(company).sample_count


def queue_retraining_if_due(company: Company) -> bool:
    """Queue a training task, after the caller's commit, when enough new bookings came in."""
    if not is_retraining_due(company):
        return False
    # Imported here: the task module imports this one, as a doorway imports its service.
    from payables.coding.tasks import train_coding

    company_id = str(company.pk)
    transaction.on_commit(lambda: train_coding.enqueue(company_id))
    return True


def queue_retraining_for(invoice: Invoice, *, actor: object = None) -> None:
    """The lifecycle hook (``Moment.EXPORTED``): each invoice handed to accounting checks
    whether enough were booked since the last training."""
    queue_retraining_if_due(invoice.company)
