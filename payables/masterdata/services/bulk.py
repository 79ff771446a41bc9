"""Bulk loads of master data: submitted in one request, upserted by the worker in chunks.

``submit_bulk_job`` stores the records beside a ``BulkJob`` and queues ``run_bulk_job``
once its transaction commits. Each run advances the job a chunk at a time, one
transaction per chunk: the chunk's records are checked one by one (a refused record
becomes an entry of the job's errors and never stops the others), the kind's existing
records are read once for the chunk, and the company's write lock is taken once, only if
a record changes; every record written gets its own event. The counts are saved with
each chunk, so a poller sees the job progress. After ``PAYABLES_BULK_CHUNKS_PER_TASK``
chunks a run queues the next one, so other tasks never wait long behind a big load.
A run whose worker dies is taken up again (``payables.events.task_leases``) and resumes
at the first chunk not committed: a chunk's records, events, counts and its ``is_done``
commit together, so none is written twice.

A ``full`` load then deactivates the records of its kind (for dimension values: of its
type) that no record of the load names, through the kind's deactivate service, so each
has its event. A record the load names keeps its record active even when it is refused;
one created or changed after the load was submitted is newer than the load and is kept
too. A refused record whose code cannot be read might name any record, so a load with
one deactivates nothing (and says so in its errors). When the job ends it records a
``masterdata.job_finished`` event with its counts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

import pydantic
from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from ninja import Schema

from payables.errors import FieldError, PayablesError, ValidationFailed
from payables.events import event_types
from payables.events.services import lock_company_writes, record_event
from payables.events.task_leases import renew_held_leases
from payables.masterdata.models import BulkJob, BulkJobChunk, DimensionType, Supplier
from payables.masterdata.payloads import bulk_job_payload
from payables.masterdata.schemas.bulk import (
    MAX_BULK_RECORDS,
    AccountRecord,
    CustomFieldRecord,
    DimensionTypeRecord,
    DimensionValueRecord,
    ItemRecord,
    PaymentMethodRecord,
    SupplierRecord,
    UserRecord,
    VatCodeRecord,
)
from payables.masterdata.services.accounts import ACCOUNT, deactivate_account, plan_account
from payables.masterdata.services.checks import References
from payables.masterdata.services.custom_fields import (
    CUSTOM_FIELD,
    deactivate_custom_field,
    plan_custom_field,
)
from payables.masterdata.services.dimensions import (
    DIMENSION_TYPE,
    DIMENSION_VALUE,
    deactivate_dimension_type,
    deactivate_dimension_value,
    plan_dimension_type,
    plan_dimension_value,
)
from payables.masterdata.services.items import ITEM, deactivate_item, plan_item
from payables.masterdata.services.payment_methods import (
    PAYMENT_METHOD,
    deactivate_payment_method,
    plan_payment_method,
)
from payables.masterdata.services.records import Data, Kind, Upserted, upsert_records
from payables.masterdata.services.suppliers import (
    deactivate_supplier,
    plan_supplier,
    upsert_suppliers,
)
from payables.masterdata.services.users import USER, deactivate_user, plan_user
from payables.masterdata.services.vat_codes import VAT_CODE, deactivate_vat_code, plan_vat_code
from payables.tenancy.actors import Actor

logger = logging.getLogger(__name__)

# Records per chunk: per transaction, per hold of the company's lock, per progress update.
# Small enough that other writers (and SQLite's single writer) never wait long.
DEFAULT_CHUNK_SIZE = 250
# Chunks per run of the task before it queues the next run.
DEFAULT_CHUNKS_PER_TASK = 8
# Errors kept on the job; ``error_count`` counts them all.
MAX_STORED_ERRORS = 1000

FINISHED = (BulkJob.State.DONE, BulkJob.State.FAILED)


@dataclass(frozen=True)
class BulkKind:
    """How a load of one kind is checked, written, recognised and deactivated."""

    record: type[Schema]  # a record of the load: its shape, checked as it is read
    # Fields that name a stored record, the first being the one errors show as ``code``.
    names: tuple[str, ...]
    plan: Callable[[BulkJob, Actor, Data, References], Any]  # checks a record's meaning
    write: Callable[[list, Actor], list[Upserted | PayablesError]]
    stored: Callable[[BulkJob], QuerySet]  # the records a full load covers
    deactivate: Callable[[Model, Actor], Model]

    @property
    def code_field(self) -> str:
        return self.names[0]


def _coded(
    kind: Kind, record: type[Schema], plan: Callable, deactivate: Callable, *, scoped: bool = False
) -> BulkKind:
    """A kind named by ``code``; ``scoped``: within the job's dimension type."""

    def stored(job: BulkJob) -> QuerySet:
        records = kind.model.objects.for_company(job.company)
        return records.filter(type=job.dimension_type) if scoped else records

    return BulkKind(
        record=record,
        names=("code",),
        plan=plan,
        write=lambda plans, actor: upsert_records(kind, plans, actor=actor),
        stored=stored,
        deactivate=lambda record, actor: deactivate(record, actor=actor),
    )


KINDS: dict[str, BulkKind] = {
    BulkJob.Kind.SUPPLIER: BulkKind(
        record=SupplierRecord,
        names=("erp_code", "registry_code", "vat_number"),
        plan=lambda job, actor, data, refs: plan_supplier(data["erp_code"], data),
        write=lambda plans, actor: upsert_suppliers(plans, actor=actor),
        stored=lambda job: Supplier.objects.for_company(job.company),
        deactivate=lambda record, actor: deactivate_supplier(record, actor=actor),
    ),
    BulkJob.Kind.ACCOUNT: _coded(
        ACCOUNT,
        AccountRecord,
        lambda job, actor, data, refs: plan_account(
            data["code"], data, actor=actor, references=refs
        ),
        deactivate_account,
    ),
    BulkJob.Kind.VAT_CODE: _coded(
        VAT_CODE,
        VatCodeRecord,
        lambda job, actor, data, refs: plan_vat_code(data["code"], data),
        deactivate_vat_code,
    ),
    BulkJob.Kind.DIMENSION_TYPE: _coded(
        DIMENSION_TYPE,
        DimensionTypeRecord,
        lambda job, actor, data, refs: plan_dimension_type(data["code"], data),
        deactivate_dimension_type,
    ),
    BulkJob.Kind.DIMENSION_VALUE: _coded(
        DIMENSION_VALUE,
        DimensionValueRecord,
        lambda job, actor, data, refs: plan_dimension_value(job.dimension_type, data["code"], data),
        deactivate_dimension_value,
        scoped=True,
    ),
    BulkJob.Kind.PAYMENT_METHOD: _coded(
        PAYMENT_METHOD,
        PaymentMethodRecord,
        lambda job, actor, data, refs: plan_payment_method(data["code"], data),
        deactivate_payment_method,
    ),
    BulkJob.Kind.USER: _coded(
        USER,
        UserRecord,
        lambda job, actor, data, refs: plan_user(data["code"], data, actor=actor),
        deactivate_user,
    ),
    BulkJob.Kind.ITEM: _coded(
        ITEM,
        ItemRecord,
        lambda job, actor, data, refs: plan_item(data["code"], data, actor=actor, references=refs),
        deactivate_item,
    ),
    BulkJob.Kind.CUSTOM_FIELD: _coded(
        CUSTOM_FIELD,
        CustomFieldRecord,
        lambda job, actor, data, refs: plan_custom_field(data["code"], data),
        deactivate_custom_field,
    ),
}


def submit_bulk_job(
    kind: str,
    records: list,
    *,
    mode: str,
    actor: Actor,
    dimension_type: DimensionType | None = None,
) -> BulkJob:
    """Store a load of ``kind`` and queue its job once the transaction commits.

    Only the envelope is checked here; the job checks each record. Records are kept in
    chunks of ``PAYABLES_BULK_CHUNK_SIZE`` until the job is done.
    """
    if not 1 <= len(records) <= MAX_BULK_RECORDS:
        message = f"A load has 1 to {MAX_BULK_RECORDS:,} records, not {len(records):,}."
        raise ValidationFailed([FieldError(message, loc=["records"], code="invalid_length")])
    if (kind == BulkJob.Kind.DIMENSION_VALUE) != (dimension_type is not None):
        raise ValueError("Dimension values, and only they, are loaded for a dimension type.")
    size = _chunk_size()
    repeats = _repeats(records, KINDS[kind].code_field)
    with transaction.atomic():
        job = BulkJob.objects.create(
            company=actor.company,
            kind=kind,
            mode=mode,
            dimension_type=dimension_type,
            total=len(records),
            actor=actor.label,
            integrator=actor.integrator,
        )
        BulkJobChunk.objects.bulk_create(
            BulkJobChunk(
                job=job,
                position=position,
                first_index=start,
                records=records[start : start + size],
                repeats={str(i): f for i, f in repeats.items() if start <= i < start + size},
            )
            for position, start in enumerate(range(0, len(records), size))
        )
        transaction.on_commit(partial(_queue, job.pk))
    logger.info("Bulk job %s queued: %d %s records (%s)", job.pk, job.total, kind, mode)
    return job


def advance_bulk_job(job_id: UUID) -> BulkJob:
    """Run the job's next chunks; queue the next run while work remains.

    A job that stops on an unexpected error is marked ``failed`` (its counts stay as
    they were after the last chunk) and the error is raised again for the task's record.
    """
    for _ in range(_setting("PAYABLES_BULK_CHUNKS_PER_TASK", DEFAULT_CHUNKS_PER_TASK)):
        try:
            job = _step(job_id)
        except Exception as exc:
            logger.exception("Bulk job %s failed", job_id)
            fail_bulk_job(job_id, reason=f"{type(exc).__name__}: {exc}")
            raise
        if job.state in FINISHED:
            return job
    transaction.on_commit(partial(_queue, job_id))
    return job


def _queue(job_id: UUID) -> None:
    # Imported here: the task module imports this one, as a doorway imports its service.
    from payables.masterdata.tasks import run_bulk_job

    run_bulk_job.enqueue(str(job_id))


def _step(job_id: UUID) -> BulkJob:
    """Do the job's next piece of work in one transaction: a chunk, deactivations, or the end.

    Lock order: the run's task lease, the job's row, then (for writes) the company's
    write lock. Only job steps lock job rows, so this cannot deadlock with other writers
    of the company; the lease reaper too locks a lease before a job.
    """
    with transaction.atomic():
        # Progress keeps the run's lease (first: the reaper takes a lease before a job).
        renew_held_leases()
        job = (
            BulkJob.objects.select_for_update(of=("self",))
            .select_related("company", "integrator", "dimension_type")
            .get(pk=job_id)
        )
        if job.state in FINISHED:
            return job
        if job.state == BulkJob.State.QUEUED:
            job.state, job.started_at = BulkJob.State.RUNNING, timezone.now()
        chunk = job.chunks.filter(is_done=False).order_by("position").first()
        if chunk is not None:
            _load_chunk(job, chunk)
        elif not (job.mode == BulkJob.Mode.FULL and _deactivate_absent(job)):
            _finish(job, BulkJob.State.DONE)
        job.save()
    return job


def _load_chunk(job: BulkJob, chunk: BulkJobChunk) -> None:
    """Check and write the chunk's records; count each outcome; note what they name."""
    kind, actor = KINDS[job.kind], _actor(job)
    references = References()  # the chunk's records share their look-ups
    plans, places = [], []
    for offset, raw in enumerate(chunk.records):
        index = chunk.first_index + offset
        code = _name(raw, kind.code_field)
        if (first := chunk.repeats.get(str(index))) is not None:
            message = f"This {kind.code_field} is given at index {first} of the load already."
            error = {"loc": [kind.code_field], "msg": message, "type": "repeated_in_load"}
            _refuse(job, index, code, [error])
            continue
        try:
            data = kind.record.model_validate(raw).model_dump()
        except pydantic.ValidationError as exc:  # its shape: located as the schema finds it
            _refuse(job, index, code, [_pydantic_error(e) for e in exc.errors()])
            continue
        try:
            plan = kind.plan(job, actor, data, references)
        except PayablesError as exc:
            _refuse(job, index, code, _domain_errors(exc))
            continue
        plans.append(plan)
        places.append((index, code))
    named = set()
    for (index, code), result in zip(places, kind.write(plans, actor), strict=True):
        if isinstance(result, PayablesError):
            _refuse(job, index, code, _domain_errors(result))
            continue
        named.add(str(result.record.pk))
        field = f"{result.outcome}_count"
        setattr(job, field, getattr(job, field) + 1)
    if job.mode == BulkJob.Mode.FULL:
        chunk.named_ids = sorted(named | _named_by_records(job, chunk.records))
        chunk.unnamed = sum(
            1 for raw in chunk.records if not any(_name(raw, f) for f in kind.names)
        )
    chunk.is_done = True
    chunk.save(update_fields=["named_ids", "unnamed", "is_done"])


def _named_by_records(job: BulkJob, records: list) -> set[str]:
    """Ids of the stored records the records name as sent, refused records included.

    A refused supplier is recognised by its identifiers as sent (not normalised): a
    record kept that way errs on the side of staying active.
    """
    kind = KINDS[job.kind]
    query = Q()
    for field in kind.names:
        if values := {n for raw in records if (n := _name(raw, field))}:
            query |= Q(**{f"{field}__in": values})
    if not query:
        return set()
    return {str(pk) for pk in kind.stored(job).filter(query).values_list("pk", flat=True)}


def _deactivate_absent(job: BulkJob) -> bool:
    """Deactivate up to a chunk of the records the full load does not name; False: none left."""
    chunks = list(job.chunks.only("named_ids", "unnamed"))
    if any(chunk.unnamed for chunk in chunks):
        message = (
            "Nothing was deactivated: some records have no readable code, so the load does "
            "not tell which records it keeps."
        )
        job.error_count += 1
        if len(job.errors) < MAX_STORED_ERRORS:
            job.errors.append(
                {"index": None, "code": None, "loc": [], "msg": message, "type": "not_deactivated"}
            )
        return False
    named = {pk for chunk in chunks for pk in chunk.named_ids}
    kind, actor = KINDS[job.kind], _actor(job)
    # A record created or changed after the load was submitted is newer than the load.
    candidates = kind.stored(job).filter(is_active=True, modified_at__lte=job.created_at)
    pks = candidates.order_by("pk").values_list("pk", flat=True)
    absent = [pk for pk in pks if str(pk) not in named][: _chunk_size()]
    for record in candidates.filter(pk__in=absent).order_by("pk"):
        kind.deactivate(record, actor)
    job.deactivated_count += len(absent)
    return bool(absent)


def _finish(job: BulkJob, state: str) -> None:
    """End the job: its state, the event with its counts; the stored records go (when done)."""
    lock_company_writes(job.company)
    job.state, job.finished_at = state, timezone.now()
    record_event(
        event_types.MASTERDATA_JOB_FINISHED,
        actor=_actor(job),
        subject_type="bulk_job",
        subject_id=job.id,
        payload=bulk_job_payload(job),
    )
    if state == BulkJob.State.DONE:
        job.chunks.all().delete()
    logger.info(
        "Bulk job %s %s: %d created, %d updated, %d unchanged, %d failed, %d deactivated",
        job.pk,
        state,
        job.created_count,
        job.updated_count,
        job.unchanged_count,
        job.failed_count,
        job.deactivated_count,
    )


def fail_bulk_job(job_id: UUID, *, reason: str) -> BulkJob:
    """Mark the job failed with ``reason``, unless it ended already; the chunks stay for a look.

    For an unexpected error of a run, and for a job whose worker kept dying (the task
    lease reaper gives its task up). The counts stay as the last committed chunk left them.
    """
    with transaction.atomic():
        job = (
            BulkJob.objects.select_for_update(of=("self",)).select_related("company").get(pk=job_id)
        )
        if job.state in FINISHED:
            return job
        job.failure = reason[:2000]
        _finish(job, BulkJob.State.FAILED)
        job.save()
    return job


def _actor(job: BulkJob) -> Actor:
    """The submitter: the job's writes and events are theirs."""
    return Actor(company=job.company, label=job.actor, integrator=job.integrator)


def _refuse(job: BulkJob, index: int, code: str | None, errors: list[dict]) -> None:
    job.failed_count += 1
    job.error_count += len(errors)
    room = MAX_STORED_ERRORS - len(job.errors)
    job.errors.extend({"index": index, "code": code, **e} for e in errors[: max(room, 0)])


def _name(raw: object, field: str) -> str | None:
    """A record's value of a naming field as its schema would read it, if it is text."""
    value = raw.get(field) if isinstance(raw, dict) else None
    return value.strip() or None if isinstance(value, str) else None


def _repeats(records: list, field: str) -> dict[int, int]:
    """Index of each record whose code an earlier record has → index of that earlier one."""
    first: dict[str, int] = {}
    repeats = {}
    for index, raw in enumerate(records):
        if (code := _name(raw, field)) is not None:
            if code in first:
                repeats[index] = first[code]
            else:
                first[code] = index
    return repeats


def _pydantic_error(error: Any) -> dict:
    return {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}


def _domain_errors(exc: PayablesError) -> list[dict]:
    """Located errors of a refusal; a conflict points at the field it names, if any."""
    errors = exc.errors if isinstance(exc, ValidationFailed) else [exc]
    return [
        {
            "loc": list(e.loc) if e.loc is not None else [e.extra["field"]] * ("field" in e.extra),
            "msg": e.message,
            "type": e.code,
        }
        for e in errors
    ]


def _chunk_size() -> int:
    return _setting("PAYABLES_BULK_CHUNK_SIZE", DEFAULT_CHUNK_SIZE)


def _setting(name: str, default: int) -> int:
    """A tuning setting; settings.py may leave it out (then the default holds)."""
    return int(getattr(settings, name, default))
