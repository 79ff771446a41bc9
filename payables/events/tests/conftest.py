"""Fixtures of the sync tests: approved and exported invoices for the feeds, and HTTP
receivers on 127.0.0.1 for the webhooks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from payables.events.tests.receivers import Receiver, running_receiver
from payables.handoff.tests.handoff_support import (  # noqa: F401 (fixtures)
    approved_invoice,
    approver,
    exported_invoice,
    make_approved,
    make_exported,
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def second_receiver() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver
