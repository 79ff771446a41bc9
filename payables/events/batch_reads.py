"""Reads the writes of one batch share: the company settings every write consults (webhook
subscriptions, routing and coding rules, custom field definitions, open purchase orders)
read once per batch, and a company that has none of a kind costs no read of it at all.

Each kind is declared once (``declare``) by the app that owns it. Inside ``write_batch``,
the first read asks in one query which declared kinds the company has any of; a kind
it has none of reads as empty, the others are loaded once. Outside a batch every read
goes to the database.

A read is kept only inside ``write_batch`` and only while the transaction holds the
company's write lock (``lock_company_writes``): nobody else can change these settings
then, since every change of them takes that lock. A change made in the same transaction
records an event, and ``record_event`` forgets the reads of that event's subject, so the
batch's next write reads again. The next batch, or the next transaction of the same
batch, always reads afresh.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connection as default_connection
from django.db.models import QuerySet

from payables.tenancy.counters import lock_memo
from payables.tenancy.models import Company

# Must match events.outbox.EVENT_COUNTER: the counter whose lock is the company's write lock.
_LOCK_COUNTER = "event"
_MEMO_KEY = "batch_reads"
_PRESENT = object()  # the reads' key of the kinds the company has any of
_batches: ContextVar[frozenset] = ContextVar("payables_write_batches", default=frozenset())


@dataclass(frozen=True)
class Setting:
    """A kind of company setting that writes consult.

    ``subject_type`` names the events that change it (``routing_rule``, ...); ``rows``
    gives a company's rows of the kind (the ones that count: active rules, say).
    """

    subject_type: str
    rows: Callable[[Company], QuerySet]


_declared: dict[str, Setting] = {}


def declare(subject_type: str, rows: Callable[[Company], QuerySet]) -> Setting:
    """Declare a kind of setting (once, where its app defines how it is read)."""
    if not subject_type.isidentifier():
        raise ValueError(f"Not a subject type: {subject_type!r}")
    setting = Setting(subject_type, rows)
    _declared[subject_type] = setting
    return setting


def is_declared(subject_type: str) -> bool:
    """Whether events of this subject type change a setting that writes read."""
    return subject_type in _declared


@contextmanager
def write_batch(company: Company) -> Iterator[None]:
    """Let the writes inside share their reads of the company's settings (nests freely).

    The reads end with the outermost batch, even if its transaction goes on: whatever
    the transaction does next may change the settings without an event (a test's factory).
    """
    outermost = company.pk not in _batches.get()
    token = _batches.set(_batches.get() | {company.pk})
    try:
        yield
    finally:
        _batches.reset(token)
        if outermost:
            memo = lock_memo(company, _LOCK_COUNTER)
            if memo is not None:
                memo.pop(_MEMO_KEY, None)


def batch_read(company: Company, setting: Setting) -> list:
    """The company's rows of the setting: once per batch and locked transaction, else
    every time. A company that has none reads as ``[]`` without a query of its own."""
    reads = _reads(company)
    if reads is None:
        return list(setting.rows(company))
    if setting.subject_type not in reads:
        has = setting.subject_type in _present(company, reads)
        reads[setting.subject_type] = list(setting.rows(company)) if has else []
    return reads[setting.subject_type]


def batch_has(company: Company, setting: Setting) -> bool:
    """Whether the company has any rows of the setting; True when not known (outside a
    batch), so the caller reads what it needs."""
    reads = _reads(company)
    return True if reads is None else setting.subject_type in _present(company, reads)


def forget_batch_reads(company: Company, subject_type: str) -> None:
    """Drop what the batch read of this kind: the transaction changed it."""
    memo = lock_memo(company, _LOCK_COUNTER)
    reads = memo.get(_MEMO_KEY) if memo is not None else None
    if reads is not None:
        reads.pop(subject_type, None)
        if _PRESENT in reads:
            reads[_PRESENT] = reads[_PRESENT] | {subject_type}  # may have some now


def forget_all_batch_reads(company: Company) -> None:
    """Drop everything the batch read: a savepoint rolled back, and with it perhaps a change
    of the settings made (and read again) inside it."""
    memo = lock_memo(company, _LOCK_COUNTER)
    if memo is not None:
        memo.pop(_MEMO_KEY, None)


def _reads(company: Company) -> dict | None:
    if company.pk not in _batches.get():
        return None
    memo = lock_memo(company, _LOCK_COUNTER)
    if memo is None:
        return None
    return memo.setdefault(_MEMO_KEY, {})


def _present(company: Company, reads: dict) -> frozenset[str]:
    if _PRESENT not in reads:
        reads[_PRESENT] = _kinds_present(company)
    return reads[_PRESENT]


# The id of a stand-in company: it marks where the real one's goes in the compiled query.
_PLACEHOLDER_ID = uuid.UUID(int=0)
_compiled: dict[tuple, tuple[str, list]] = {}


def _kinds_present(company: Company) -> frozenset[str]:
    """Ask in one query which declared kinds the company has any rows of.

    The query is built from the kinds' querysets once per process (and set of kinds):
    building five subqueries with the ORM costs more than the database's answer.
    """
    connection = default_connection
    kinds = tuple(sorted(_declared))
    if not kinds:
        return frozenset()
    key = (connection.alias, kinds)
    if key not in _compiled:
        _compiled[key] = _compile(kinds)
    sql, params = _compiled[key]
    placeholder = _prepared(_PLACEHOLDER_ID)
    company_id = _prepared(company.pk)
    params = [company_id if p == placeholder else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return frozenset(row[0] for row in cursor.fetchall())


def _compile(kinds: tuple[str, ...]) -> tuple[str, list]:
    parts, params = [], []
    stand_in = Company(pk=_PLACEHOLDER_ID)
    for kind in kinds:
        rows = _declared[kind].rows(stand_in).order_by().values("pk")
        sql, part_params = rows.query.sql_with_params()
        parts.append(f"SELECT '{kind}' WHERE EXISTS ({sql})")
        params.extend(part_params)
    return " UNION ALL ".join(parts), params


def _prepared(company_id: uuid.UUID) -> object:
    return Company._meta.pk.get_db_prep_value(company_id, default_connection)
