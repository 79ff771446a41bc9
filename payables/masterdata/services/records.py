"""The write path every coded master data kind shares: create, change, upsert, deactivate.

Each call is one transaction that takes the company's write lock first and records one
event (``<kind>.created``, ``.updated`` or ``.deactivated``) per record, its payload built by
the kind's builder in ``masterdata.payloads``. A change that changes nothing writes nothing
and records nothing.

An upsert comes in two steps: the kind checks the input and resolves its codes into a
``Plan``, then ``upsert_records`` writes any number of plans of one kind with one read of
what exists, one lock and one transaction, each record in its own savepoint so a refused
one undoes only itself. A single upsert is a batch of one.

Services take plain data, never API schemas: a create or an upsert takes every field of
the kind as its ``…In`` schema's ``model_dump()`` gives them (shape already checked at the
edge), a change only the fields sent (``model_dump(exclude_unset=True)``). Nested objects
are plain dicts and lists too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import capfirst

from payables.errors import PayablesError
from payables.events.services import lock_company_writes, record_event
from payables.masterdata.errors import DuplicateCode
from payables.masterdata.models import CodedRecord
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company

R = TypeVar("R", bound=CodedRecord)
Outcome = Literal["created", "updated", "unchanged"]
# Every field of a record as input, shape-checked (what the kind's schema dumps).
Data = Mapping[str, Any]
# The fields a change gives, and only those.
Changes = Mapping[str, Any]


@dataclass(frozen=True)
class Kind(Generic[R]):
    """One kind of record: how it is read back, shown and announced."""

    model: type[R]
    details: Callable[[Company], QuerySet[R]]  # how a record is read back (relations fetched)
    payload: Callable[[R], dict]  # what its events carry, from a record read by ``details``
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


@dataclass(frozen=True)
class Plan:
    """An upsert checked and ready to write: the record ``identity`` names gets ``fields``."""

    identity: dict  # the code, and the scope it is unique in (dimension values: the type)
    fields: dict
    related: Related | None = None
    # A check across records (a user's email) that must run under the company's lock.
    check: Callable[[], None] | None = None

    @property
    def code(self) -> str:
        return self.identity["code"]


def without_code(data: Data) -> dict[str, Any]:
    """An upsert's fields: the code it is made for is its argument, never one in the data."""
    return {name: value for name, value in data.items() if name != "code"}


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
        event = _change(kind, record, fields, related)
        if event is None:
            return kind.details(actor.company).get(pk=record.pk)
        return _announce(kind, record, event, actor)


def deactivate_record(
    kind: Kind[R], record: R, *, actor: Actor, related: Related | None = None
) -> R:
    """Mark a record inactive; an inactive one stays as it is, with no event."""
    return update_record(kind, record, lambda _: ({"is_active": False}, related), actor=actor)


def upsert_record(kind: Kind[R], plan: Plan, *, actor: Actor) -> Upserted[R]:
    """Create the record the plan names, or make it match the plan; refusals are raised."""
    (result,) = upsert_records(kind, [plan], actor=actor)
    if isinstance(result, PayablesError):
        raise result
    return result


def upsert_records(
    kind: Kind[R], plans: Sequence[Plan], *, actor: Actor
) -> list[Upserted[R] | PayablesError]:
    """Write each plan; answer, in order, what it did or the error that refused it.

    Records equal to their plan are answered without taking the company's lock, so
    repeated syncs of the same data stay fast and never queue behind writers.
    """
    results: list[Upserted[R] | PayablesError | None] = [None] * len(plans)
    stored = _named(kind.details(actor.company), plans)
    pending = []
    for index, plan in enumerate(plans):
        record = stored.get(_key(plan))
        if record is not None and _unchanged(record, plan.fields, plan.related):
            results[index] = Upserted(record, "unchanged")
        else:
            pending.append(index)
    if pending:
        with transaction.atomic():
            lock_company_writes(actor.company)
            _write_plans(kind, plans, pending, results, actor)
    return results


def _write_plans(
    kind: Kind[R], plans: Sequence[Plan], pending: list[int], results: list, actor: Actor
) -> None:
    """Write the pending plans under the lock, then record their events in plan order."""
    current = _named(kind.model.objects.filter(company=actor.company), [plans[i] for i in pending])
    written: list[tuple[int, object, str | None]] = []
    for index in pending:
        plan = plans[index]
        try:
            with transaction.atomic():  # a savepoint: a refused record undoes only itself
                if plan.check is not None:
                    plan.check()
                record = current.get(_key(plan))
                if record is None:
                    record = kind.model(company=actor.company, **{**plan.fields, **plan.identity})
                    _save_new(record, plan.related)
                    event = kind.created_event
                else:
                    event = _change(kind, record, plan.fields, plan.related)
        except PayablesError as exc:
            results[index] = exc
            continue
        current[_key(plan)] = record
        written.append((index, record.pk, event))
    fresh = kind.details(actor.company).in_bulk([pk for _, pk, _ in written])
    for index, pk, event in written:
        record = fresh[pk]
        if event is None:  # another writer made it so while we waited for the lock
            results[index] = Upserted(record, "unchanged")
            continue
        _record(kind, record, event, actor)
        results[index] = Upserted(record, "created" if event == kind.created_event else "updated")


def _named(queryset: QuerySet[R], plans: Sequence[Plan]) -> dict[tuple, R]:
    """Read the records the plans name, with one query per scope."""
    by_scope: dict[tuple, list[Plan]] = {}
    for plan in plans:
        by_scope.setdefault(_key(plan)[0], []).append(plan)
    found = {}
    for scope, group in by_scope.items():
        within = {name: value for name, value in group[0].identity.items() if name != "code"}
        for record in queryset.filter(code__in={p.code for p in group}, **within):
            found[scope, record.code] = record
    return found


def _key(plan: Plan) -> tuple:
    """(scope, code): scope values are compared by primary key."""
    scope = tuple(sorted((n, getattr(v, "pk", v)) for n, v in plan.identity.items() if n != "code"))
    return scope, plan.code


def _insert(kind: Kind[R], record: R, actor: Actor, related: Related | None) -> R:
    _refuse_duplicate(kind, record)
    _save_new(record, related)
    return _announce(kind, record, kind.created_event, actor)


def _save_new(record: CodedRecord, related: Related | None) -> None:
    record.save(force_insert=True)
    if related is not None:
        related.write(record)


def _change(kind: Kind, record: CodedRecord, fields: dict, related: Related | None) -> str | None:
    """Give the record its new fields; return the event to record, None if nothing changed."""
    if _unchanged(record, fields, related):
        return None
    changed = _changed_fields(record, fields)
    was_active = record.is_active
    for name in changed:
        setattr(record, name, fields[name])
    if "code" in changed:
        _refuse_duplicate(kind, record)
    record.save()
    if related is not None:
        related.write(record)
    return kind.deactivated_event if was_active and not record.is_active else kind.updated_event


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


def _announce(kind: Kind[R], record: R, event_type: str, actor: Actor) -> R:
    """Record the event about the record read back with its relations; return that record."""
    fresh = kind.details(actor.company).get(pk=record.pk)
    _record(kind, fresh, event_type, actor)
    return fresh


def _record(kind: Kind[R], fresh: R, event_type: str, actor: Actor) -> None:
    """Record the event of a record read back with ``kind.details``."""
    record_event(
        event_type,
        actor=actor,
        subject_type=kind.model.subject_type,
        subject_id=fresh.id,
        payload=kind.payload(fresh),
    )
