"""Reads the writes of one batch share: the company settings every write consults (webhook
subscriptions, routing and coding rules, custom field definitions) read once per batch.

A read is kept only inside ``write_batch`` and only while the transaction holds the
company's write lock (``lock_company_writes``): nobody else can change these settings
then, since every change of them takes that lock. A change made in the same transaction
records an event, and ``record_event`` forgets the reads of that event's subject, so the
batch's next write reads again. The next batch, or the next transaction of the same
batch, always reads afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from payables.tenancy.counters import lock_memo
from payables.tenancy.models import Company

T = TypeVar("T")

# Must match events.services.EVENT_COUNTER: the counter whose lock is the company's write lock.
_LOCK_COUNTER = "event"
_MEMO_KEY = "batch_reads"
_batches: ContextVar[frozenset] = ContextVar("payables_write_batches", default=frozenset())


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


def batch_read(company: Company, subject_type: str, load: Callable[[], T]) -> T:
    """``load()`` once per batch and locked transaction, else every time.

    ``subject_type`` names the events that change what ``load`` reads (``routing_rule``,
    ``webhook_subscription``, ...): recording one forgets the read. ``load`` must answer
    what does not depend on the write at hand (all active rules, not the matching one).
    """
    reads = _reads(company)
    if reads is None:
        return load()
    if subject_type not in reads:
        reads[subject_type] = load()
    return reads[subject_type]


def forget_batch_reads(company: Company, subject_type: str) -> None:
    """Drop what the batch read of this kind: the transaction changed it."""
    memo = lock_memo(company, _LOCK_COUNTER)
    if memo is not None:
        memo.get(_MEMO_KEY, {}).pop(subject_type, None)


def _reads(company: Company) -> dict | None:
    if company.pk not in _batches.get():
        return None
    memo = lock_memo(company, _LOCK_COUNTER)
    if memo is None:
        return None
    return memo.setdefault(_MEMO_KEY, {})
