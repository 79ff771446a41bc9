"""Per-company counters (invoice internal ids, event cursors, …) and the row locks on them.

The hot path is one statement each: ``UPDATE … RETURNING`` takes values, ``SELECT … FOR
UPDATE`` locks, both written as SQL because every write of a company runs them and the
ORM's query building cost more than the database's work. A counter row is created the
first time it is needed. A lock this transaction already holds is not asked for again.
"""

from __future__ import annotations

from collections.abc import Hashable

from django.db import IntegrityError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from payables.tenancy.models import Company, Counter

_TABLE = Counter._meta.db_table
_COMPANY = Counter._meta.get_field("company")
_WHERE = "WHERE company_id = %s AND name = %s"
_UPDATE = f"UPDATE {_TABLE} SET value = value + %s {_WHERE}"
_READ = f"SELECT value FROM {_TABLE} {_WHERE}"
# The locks this connection's transaction holds, by (company id, counter name): see ``_Held``.
_HELD_ATTRIBUTE = "_payables_held_counter_locks"


def take_next_value(company: Company, name: str) -> int:
    """Take the next value of a company's counter, inside the caller's transaction.

    The row lock is held until the caller commits, so values are gap-free and ordered
    like the commits that took them: a feed reader never sees a later cursor before
    an earlier one becomes visible.
    """
    return take_next_values(company, name, 1)


def take_next_values(company: Company, name: str, count: int) -> int:
    """Take the next ``count`` values of a counter at once; answer the last of them.

    The values taken are ``last - count + 1`` to ``last``, gap-free like single ones.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    connection = transaction.get_connection()
    company_id = _COMPANY.get_db_prep_value(company.pk, connection)
    value = _add(connection, company_id, name, count)
    if value is None:
        try:
            with transaction.atomic(using=connection.alias):
                Counter.objects.create(company=company, name=name, value=count)
                return count
        except IntegrityError:  # created concurrently: take from it
            value = _add(connection, company_id, name, count)
    return value


def _add(connection: BaseDatabaseWrapper, company_id: object, name: str, count: int) -> int | None:
    """Add to the counter and answer its new value (None: no such row yet)."""
    with connection.cursor() as cursor:
        # RETURNING needs SQLite 3.35 (PostgreSQL has it): else update, then read.
        if connection.features.can_return_rows_from_bulk_insert:
            cursor.execute(f"{_UPDATE} RETURNING value", [count, company_id, name])
            row = cursor.fetchone()
        else:
            cursor.execute(_UPDATE, [count, company_id, name])
            if not cursor.rowcount:
                return None
            cursor.execute(_READ, [company_id, name])
            row = cursor.fetchone()
    return None if row is None else row[0]


def lock_counter(company: Company, name: str) -> None:
    """Lock a company's counter row until the caller's transaction ends (creating it if new).

    Asked again in the same transaction, it costs nothing: the row stays locked until
    the transaction ends, unless the savepoint it was taken in rolled back.
    """
    connection = transaction.get_connection()
    key = (company.pk, name)
    if _holds(connection, key):
        return
    company_id = _COMPANY.get_db_prep_value(company.pk, connection)
    # SQLite has no row locks: its transactions begin IMMEDIATE, holding the database's
    # write lock already. The read still tells whether the row exists.
    sql = _READ + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, [company_id, name])
        found = cursor.fetchone() is not None
    if not found:
        try:
            with transaction.atomic(using=connection.alias):
                Counter.objects.create(company=company, name=name, value=0)
        except IntegrityError:  # created concurrently: lock theirs
            with connection.cursor() as cursor:
                cursor.execute(sql, [company_id, name])
    _remember(connection, key)


def lock_memo(company: Company, name: str) -> dict | None:
    """A dict that lives exactly as long as this transaction holds the counter's lock
    (see ``lock_counter``), for what may be remembered while nobody else can write;
    None when the lock is not held."""
    marker = _marker(transaction.get_connection(), (company.pk, name))
    return None if marker is None else marker.memo


class _Held:
    """Marks a lock held by the current transaction, as a no-op commit callback.

    Django forgets the callbacks of a transaction when it ends and those of a savepoint
    when it rolls back: exactly when the database gives up the row lock taken there
    (PostgreSQL releases row locks taken in a rolled-back savepoint). A released
    savepoint keeps both. So the lock is held while this callback is pending.
    """

    def __init__(self) -> None:
        self.memo: dict = {}

    def __call__(self) -> None:
        """Nothing to do on commit: being pending is the marker's whole job."""
        self.memo.clear()


def _holds(connection: BaseDatabaseWrapper, key: Hashable) -> bool:
    return _marker(connection, key) is not None


def _marker(connection: BaseDatabaseWrapper, key: Hashable) -> _Held | None:
    held = getattr(connection, _HELD_ATTRIBUTE, {})
    marker = held.get(key)
    if marker is None or not connection.in_atomic_block:
        return None
    if any(func is marker for _, func, _ in reversed(connection.run_on_commit)):
        return marker
    del held[key]  # its transaction (or savepoint) is gone
    return None


def _remember(connection: BaseDatabaseWrapper, key: Hashable) -> None:
    if not connection.in_atomic_block:
        return  # autocommit: the lock ended with the statement
    held = getattr(connection, _HELD_ATTRIBUTE, None)
    if held is None:
        held = {}
        setattr(connection, _HELD_ATTRIBUTE, held)
    marker = _Held()
    held[key] = marker
    connection.on_commit(marker)
