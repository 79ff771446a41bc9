"""Fixtures of the hand-off tests: approved invoices, made through the approval services.

The invoices' and sync tests' conftest modules import them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from payables.approvals.services import ApproverRequest, append_approvers, approve_step
from payables.handoff.services import export_invoice
from payables.invoices.models import Invoice
from payables.masterdata.schemas import UserIn
from payables.masterdata.services.users import create_user
from payables.tenancy.actors import Actor
from payables.tenancy.models import CompanyUser

__all__ = [
    "approved_invoice",
    "approver",
    "exported_invoice",
    "make_approved",
    "make_exported",
]


@pytest.fixture
def approver(actor: Actor) -> CompanyUser:
    """An approver who may approve last, without a limit."""
    return create_user(
        UserIn(
            code="APPR",
            name="Anna Approver",
            email="anna@example.com",
            roles=["approver"],
            can_be_last_approver=True,
        ).model_dump(),
        actor=actor,
    )


@pytest.fixture
def make_approved(
    make_invoice: Callable[..., Invoice], approver: CompanyUser, actor: Actor
) -> Callable[..., Invoice]:
    """An invoice taken through the approval workflow: one approver, who approved it."""

    def make(**overrides: Any) -> Invoice:
        invoice = make_invoice(**overrides)
        append_approvers(invoice, [ApproverRequest(user=str(approver.id), level=1)], actor=actor)
        step = invoice.approval_steps.get(is_current=True)
        approve_step(step, actor=Actor.for_user(approver))
        invoice.refresh_from_db()
        assert invoice.status == Invoice.Status.APPROVED
        return invoice

    return make


@pytest.fixture
def approved_invoice(make_approved: Callable[..., Invoice]) -> Invoice:
    return make_approved()


@pytest.fixture
def make_exported(make_approved: Callable[..., Invoice], actor: Actor) -> Callable[..., Invoice]:
    """An approved invoice exported through the service."""

    def make(**overrides: Any) -> Invoice:
        return export_invoice(make_approved(**overrides), actor=actor)

    return make


@pytest.fixture
def exported_invoice(make_exported: Callable[..., Invoice]) -> Invoice:
    return make_exported()
