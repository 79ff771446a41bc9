"""Tenant and workspace of the external upsert, as payables' companies.

The **tenant** is the organisation that holds the API key: the key's own company (for an
accounting office, the office). The **workspace** is the company whose ledger the invoices
go to: the key's own company, or one the key was granted (an office's client). Each is
named by its UUID or its registry code. A tenant or workspace the key does not serve is a
404, as an unknown one is: a key cannot learn which companies exist.
"""

from __future__ import annotations

from uuid import UUID

from payables.errors import NotFound
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company
from payables.tenancy.queries import company_code


class WorkspaceNotFound(NotFound):
    """The tenant or workspace is not one the API key serves."""

    code = "workspace_not_found"


def names(company: Company, ref: str) -> bool:
    """Tell whether ``ref`` (a UUID in any spelling, or a registry code) names the company.

    >>> company = Company(id=UUID(int=7), registry_code="10137319")
    >>> names(company, "10137319"), names(company, str(UUID(int=7)).upper())
    (True, True)
    >>> names(company, "7"), names(Company(id=UUID(int=7)), "")
    (False, False)
    """
    ref = ref.strip()
    if not ref:
        return False
    try:
        if UUID(ref) == company.id:
            return True
    except ValueError:
        pass
    return ref == company_code(company)


def workspace_of(
    actor: Actor,
    tenant_id: str,
    workspace_id: str,
    *,
    tenant_header: str | None = None,
    workspace_header: str | None = None,
) -> Company:
    """The company the path (and the ``X-Tenant-ID``/``X-Workspace-ID`` headers) name."""
    home = actor.company  # the key's own company: ``acting_for`` was not applied yet
    for ref in (tenant_id, tenant_header):
        if ref is not None and not names(home, ref):
            raise WorkspaceNotFound(f"No tenant {ref!r} for this API key.")
    for company in actor.companies:
        if names(company, workspace_id):
            break
    else:
        raise WorkspaceNotFound(f"No workspace {workspace_id!r} in this tenant.")
    if workspace_header is not None and not names(company, workspace_header):
        raise WorkspaceNotFound(f"No workspace {workspace_header!r} in this tenant.")
    return company
