"""The write path every coded master data kind shares: create, change, upsert, deactivate.

Each call is one transaction that takes the company's write lock first and records one
event (``<kind>.created``, ``.updated`` or ``.deactivated``) whose payload is the record as
the API answers it. A change that changes nothing writes nothing and records nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import capfirst
from ninja import Schema

from payables.json_encoding import PreciseJSONEncoder
from payables.masterdata.errors import DuplicateCode
from payables.masterdata.models import CodedRecord
from payables.sync.services import lock_company_writes, record_event
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company

R = TypeVar("R", bound=CodedRecord)
Outcome = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class Kind(Generic[R]):
    """One kind of record: how it is read back, shown and announced."""

    model: type[R]
    details: Callable[[Company], QuerySet[R]]  # the queryset its API answer is read from
    out: type[Schema]  # its API answer, which is also its events' payload
    created_event: str
    updated_event: str
    deactivated_event: str
    # Where the code is unique besides the company (dimension values: within their type).
    scope: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return capfirst(self.model._meta.verbose_name)


@dataclass(frozen=True)
class Upserted(Generic[R]):
    """What an upsert by code did, and the record as it now is."""

    record: R
    outcome: Outcome


class Related(Protocol):
    """Rows kept beside a record (list values, seller mappings, a sign-in), written with it."""

    def differs(self, record: CodedRecord) -> bool:
        """Tell whether writing would change the stored rows."""

    def write(self, record: CodedRecord) -> None:
        """Store the rows; runs after the record is saved, in its transaction."""


def create_record(
    kind: Kind[R], fields: dict, *, actor: Actor, related: Related | None = None
) -> R:
    """Insert a record of ``kind`` for the actor's company; a taken code is a 409."""
    with transaction.atomic():
        lock_company_writes(actor.company)
        return _insert(kind, kind.model(company=actor.company, **fields), actor, related)


def update_record(
    kind: Kind[R],
    record: R,
    build: Callable[[R], tuple[dict, Related | None]],
    *,
    actor: Actor,
) -> R:
    """Change a record with the fields ``build`` makes from its current state.

    ``build`` runs under the company's write lock on a freshly read record, so a patch
    merges with what another writer committed meanwhile instead of undoing it.
    """
    with transaction.atomic():
        lock_company_writes(actor.company)
        record.refresh_from_db()
        fields, related = build(record)
        return _change(kind, record, fields, actor, related)[0]


def deactivate_record(
    kind: Kind[R], record: R, *, actor: Actor, related: Related | None = None
) -> R:
    """Mark a record inactive; an inactive one stays as it is, with no event."""
    return update_record(kind, record, lambda _: ({"is_active": False}, related), actor=actor)


def upsert_record(
    kind: Kind[R],
    identity: dict,
    fields: dict,
    *,
    actor: Actor,
    related: Related | None = None,
) -> Upserted[R]:
    """Create the record ``identity`` (code, and scope) names, or make it match ``fields``.

    An unchanged record is answered without taking the company's lock, so repeated
    real-time syncs of the same data stay fast and never queue behind writers.
    """
    existing = kind.details(actor.company).filter(**identity).first()
    if existing is not None and _unchanged(existing, fields, related):
        return Upserted(existing, "unchanged")
    with transaction.atomic():
        lock_company_writes(actor.company)
        existing = kind.model.objects.filter(company=actor.company, **identity).first()
        if existing is None:
            record = kind.model(company=actor.company, **{**fields, **identity})
            return Upserted(_insert(kind, record, actor, related), "created")
        record, outcome = _change(kind, existing, fields, actor, related)
        return Upserted(record, outcome)


def _insert(kind: Kind[R], record: R, actor: Actor, related: Related | None) -> R:
    _refuse_duplicate(kind, record)
    record.save(force_insert=True)
    if related is not None:
        related.write(record)
    return _announce(kind, record, kind.created_event, actor)


def _change(
    kind: Kind[R], record: R, fields: dict, actor: Actor, related: Related | None
) -> tuple[R, Outcome]:
    if _unchanged(record, fields, related):
        return kind.details(actor.company).get(pk=record.pk), "unchanged"
    changed = _changed_fields(record, fields)
    was_active = record.is_active
    for name in changed:
        setattr(record, name, fields[name])
    if "code" in changed:
        _refuse_duplicate(kind, record)
    record.save()
    if related is not None:
        related.write(record)
    event = kind.deactivated_event if was_active and not record.is_active else kind.updated_event
    return _announce(kind, record, event, actor), "updated"


def _unchanged(record: CodedRecord, fields: dict, related: Related | None) -> bool:
    return not _changed_fields(record, fields) and not (
        related is not None and related.differs(record)
    )


def _changed_fields(record: CodedRecord, fields: dict) -> list[str]:
    """Name the fields whose stored value differs; relations compare by primary key."""
    changed = []
    for name, value in fields.items():
        field = record._meta.get_field(name)
        if field.is_relation:
            current, value = getattr(record, field.attname), getattr(value, "pk", None)
        else:
            current = getattr(record, name)
        if current != value:
            changed.append(name)
    return changed


def _refuse_duplicate(kind: Kind, record: CodedRecord) -> None:
    scope = {f"{name}_id": getattr(record, f"{name}_id") for name in ("company", *kind.scope)}
    existing = kind.model.objects.filter(code=record.code, **scope).exclude(pk=record.pk).first()
    if existing is not None:
        raise DuplicateCode(
            f"{kind.label} {record.code!r} exists already.",
            extra={"existing_id": str(existing.id), "field": "code"},
        )


def as_answered(answer: Schema) -> dict:
    """Encode an answer as the API does, so an event's payload equals what a GET shows."""
    return json.loads(json.dumps(answer.model_dump(), cls=PreciseJSONEncoder))


def _announce(kind: Kind[R], record: R, event_type: str, actor: Actor) -> R:
    """Record the event, carrying the record read back the way the API shows it."""
    fresh = kind.details(actor.company).get(pk=record.pk)
    record_event(
        event_type,
        actor=actor,
        subject_type=kind.model.subject_type,
        subject_id=fresh.id,
        payload=as_answered(kind.out.from_orm(fresh)),
    )
    return fresh
