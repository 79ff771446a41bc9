"""Fixtures of the web inbox tests: people who can sign in, and invoices waiting for them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from payables.approvals.models import ApprovalStep
from payables.approvals.services import ApproverRequest, append_approvers
from payables.einvoice.tests.corpus import CORPUS_DIR, manifest
from payables.invoices.models import Invoice
from payables.masterdata.schemas import UserIn
from payables.masterdata.services.users import create_user, set_user_password
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company, CompanyUser
from payables.web.auth import BACKEND

PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_member(company: Company) -> Callable[..., CompanyUser]:
    """A company user with a password; an approver who may approve last unless told."""

    def make(
        code: str,
        *,
        roles: tuple[str, ...] = ("approver",),
        company: Company = company,
        email: str | None = None,
        password: str = PASSWORD,
        last: bool = True,
        limit: str | None = None,
    ) -> CompanyUser:
        actor = Actor.system(company, "test")
        user = create_user(
            UserIn(
                code=code,
                name=f"{code.title()} Example",
                email=email or f"{code.lower()}@example.com",
                roles=list(roles),
                can_be_last_approver=last,
                approval_limit_amount=Decimal(limit) if limit else None,
            ).model_dump(),
            actor=actor,
        )
        return set_user_password(user, password, actor=actor)

    return make


@pytest.fixture
def browser_for() -> Callable[[CompanyUser], Client]:
    """A test client signed in as the member (the sign-in form has tests of its own)."""

    def make(member: CompanyUser) -> Client:
        client = Client()
        member.refresh_from_db()
        client.force_login(member.login, backend=BACKEND)
        return client

    return make


@pytest.fixture
def assign(actor: Actor) -> Callable[..., list[ApprovalStep]]:
    """Give an invoice a chain of (member, level) steps through the approval service."""

    def make(invoice: Invoice, *approvers: tuple[CompanyUser, int]) -> list[ApprovalStep]:
        requests = [ApproverRequest(user=m.code, level=level) for m, level in approvers]
        outcomes = append_approvers(invoice, requests, actor=actor)
        assert all(o.added for o in outcomes), [o.reason for o in outcomes]
        return [o.step for o in outcomes]

    return make


@pytest.fixture
def ann(make_member: Callable[..., CompanyUser]) -> CompanyUser:
    """Verifies first; may not approve last."""
    return make_member("ANN", last=False)


@pytest.fixture
def bob(make_member: Callable[..., CompanyUser]) -> CompanyUser:
    """Approves last."""
    return make_member("BOB")


@pytest.fixture
def chain(make_invoice: Callable[..., Invoice], assign: Callable[..., Any], ann, bob) -> Any:
    """An invoice waiting for ANN (verification), then BOB (approval)."""
    invoice = make_invoice(invoice_number="INV-7")
    first, second = assign(invoice, (ann, 2), (bob, 1))
    return invoice, first, second


def corpus_pdf() -> bytes | None:
    """A one-page PDF invoice of the shared corpus (ZUGFeRD / Factur-X), or None without it."""
    rows = [r for r in manifest() if r["path"].endswith(".pdf") and "pages=1;" in r["notes"]]
    return (CORPUS_DIR / rows[0]["path"]).read_bytes() if rows else None


@pytest.fixture
def accountant(make_member: Callable[..., CompanyUser]) -> CompanyUser:
    """An accountant who signs in as acc@example.com."""
    return make_member("ACC", roles=("accountant",), email="acc@example.com")
