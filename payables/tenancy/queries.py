"""Reads of the tenancy app: the API key a request presents, the companies it serves, the
company users named by reference."""

from __future__ import annotations

import uuid

from payables.errors import FieldError, Loc
from payables.tenancy.actors import Actor
from payables.tenancy.models import ApiKey, Company, CompanyUser
from payables.tenancy.services import hash_key


def find_api_key(raw: str) -> ApiKey | None:
    """Return the key whose hash matches a raw secret (revoked ones too), or None."""
    return (
        ApiKey.objects.select_related("integrator__company", "user__company")
        .filter(key_hash=hash_key(raw))
        .first()
    )


def company_code(company: Company) -> str:
    """How feeds and reports name a company: its registry code, else its UUID."""
    return company.registry_code or str(company.id)


def company_by_code(actor: Actor, code: str | None, *, loc: Loc) -> Company:
    """The actor's company that ``code`` names (its ``Company.code``); none given: its own.

    A company the actor does not serve is refused like an unknown one (422 at ``loc``),
    so a key cannot learn which other companies exist.
    """
    if code is None:
        return actor.company
    for company in actor.companies:
        if code == company_code(company):
            return company
    raise FieldError(
        "Not a company this API key serves; give the registry code of its company or of "
        "one it was granted.",
        loc=loc,
        code="company_code_mismatch",
    )


def find_user(company: Company, ref: str) -> CompanyUser | None:
    """A company user by UUID, email (any case) or external code."""
    users = CompanyUser.objects.filter(company=company)
    ref = ref.strip()
    try:
        found = users.filter(pk=uuid.UUID(ref)).first()
    except ValueError:
        found = None
    if found is None and "@" in ref:
        found = users.filter(email=ref.lower()).first()
    return found or users.filter(code=ref).first()
