"""``POST /api/v1/tenants/{tenant_id}/workspaces/{workspace_id}/invoices/import/upsert``.

The external upsert at its literal path, in the main API (its 422 is the description's
``HTTPValidationError``, which is payables' own): a thin adapter over the batch upsert.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Header, Router

from payables.compat.upsert.mapping import import_result, merge_results, read_items
from payables.compat.upsert.schemas import (
    ExternalInvoiceImportRequest,
    ExternalInvoiceImportResult,
)
from payables.compat.upsert.workspaces import workspace_of
from payables.invoices.services.upsert import upsert_invoices
from payables.tenancy.auth import scoped

router = Router(tags=["external upsert (compatible)"])


@router.post(
    "/tenants/{tenant_id}/workspaces/{workspace_id}/invoices/import/upsert",
    response=ExternalInvoiceImportResult,
    auth=scoped("invoices:write"),
    summary="Upsert external invoices",
)
def upsert_external_invoices(
    request: HttpRequest,
    tenant_id: str,
    workspace_id: str,
    payload: ExternalInvoiceImportRequest,
    x_tenant_id: str | None = Header(None, alias="X-Tenant-ID", max_length=100),
    x_workspace_id: str | None = Header(None, alias="X-Workspace-ID", max_length=100),
) -> dict:
    """Create or update invoices by immutable external source identity.

    The external upsert's own request and result (`imported_count`, `updated_count`,
    `skipped_count`, `conflict_count`, `errors`, `invoice_ids`, `conflict_ids`), over
    payables' batch upsert (`POST /invoices/import/upsert`): the same identities,
    versions, import policies and conflicts. The tenant is the API key's own company,
    the workspace the company the invoices are for (the key's own, or one it was
    granted); each by UUID or registry code; any other is a 404.

    Purchase invoices only: an `outbound` item is an error (left out, `direction` is
    `inbound`). Each bad item is an entry in `errors` (`index`, `loc` on the item's
    fields), the others land. `irn` is kept as `external_reference`; `note`,
    `customer_name`, `customer_tin` in `metadata.external_upsert`.
    """
    company = workspace_of(
        request.actor,
        tenant_id,
        workspace_id,
        tenant_header=x_tenant_id,
        workspace_header=x_workspace_id,
    )
    accepted, refused = read_items(payload.invoices, company=company)
    report = upsert_invoices(
        [item for _, item in accepted],
        actor=request.actor.acting_for(company),
        import_policy=payload.import_policy,
        numbering_policy_id=payload.numbering_policy_id,
    )
    results = merge_results(refused, report, [index for index, _ in accepted])
    return import_result(results)
