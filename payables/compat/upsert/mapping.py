"""The external upsert's items as payables' batch upsert items, and its outcomes back.

Each item is read in the description's shape (``ExternalInvoicePayload``), then becomes an
``ExternalInvoiceIn`` item of ``upsert_invoices``: the identity, versions, numbering policy,
skips and conflicts are that service's. Errors the service locates on its own fields are
located on the description's field names.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pydantic

from payables.compat.upsert.schemas import ExternalInvoicePayload
from payables.einvoice.model import CREDIT_NOTE_TYPE_CODES
from payables.invoices.services.upsert import ItemResult, UpsertReport
from payables.tenancy.models import Company

# Fields payables keeps no column for: stored with the invoice's metadata under this key,
# so the integrator's own metadata keys never clash with them.
EXTRAS_KEY = "external_upsert"
_EXTRAS = ("note", "customer_name", "customer_tin")

# payables' item field (first element of a located error) → the description's field.
_FIELD_NAMES = {
    "invoice_date": "issue_date",
    "currency": "document_currency_code",
    "currency_rate": "document_currency_code",
    "net_amount": "line_extension_amount",
    "vat_amount": "tax_amount_total",
    "gross_amount": "payable_amount",
    "rounding_amount": "payable_amount",
    "external_reference": "irn",
    "type": "invoice_type_code",
}
_SUPPLIER_FIELDS = {"vat_number": "supplier_tin", "registry_code": "supplier_tin"}


def read_items(
    items: Sequence[object], *, company: Company
) -> tuple[list[tuple[int, dict]], list[ItemResult]]:
    """Split the request's items into payables' upsert items (with their index) and errors."""
    accepted: list[tuple[int, dict]] = []
    refused: list[ItemResult] = []
    for index, raw in enumerate(items):
        source_id = raw.get("source_invoice_id") if isinstance(raw, dict) else None
        source_id = source_id if isinstance(source_id, str) else None
        try:
            payload = ExternalInvoicePayload.model_validate(raw)
        except pydantic.ValidationError as exc:
            errors = [
                {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
            ]
            refused.append(_refused(index, source_id, errors))
            continue
        errors = _meaning_errors(payload, company)
        if errors:
            refused.append(_refused(index, source_id, errors))
        else:
            accepted.append((index, native_item(payload, company=company)))
    return accepted, refused


def native_item(payload: ExternalInvoicePayload, *, company: Company) -> dict:
    """The ``ExternalInvoiceIn`` item of one external invoice payload.

    A credit note (type code 381 and the others of UNCL1001) stated with positive amounts,
    as UBL states them, is stored negative, as payables keeps credit notes (as the
    e-invoice importer does). Left out, the VAT is what the totals leave.
    """
    is_credit_note = payload.invoice_type_code in CREDIT_NOTE_TYPE_CODES
    net, gross = payload.line_extension_amount, payload.payable_amount
    vat = payload.tax_amount_total if payload.tax_amount_total is not None else gross - net
    sign = Decimal(-1) if is_credit_note and gross > 0 else Decimal(1)
    item: dict[str, Any] = {
        "source_system": payload.source_system,
        "source_invoice_id": payload.source_invoice_id,
        "source_document_version": payload.source_document_version,
        "invoice_number": payload.invoice_number or None,
        "external_reference": payload.irn or "",
        "type": "credit_note" if is_credit_note else "invoice",
        "invoice_date": payload.issue_date,
        "due_date": payload.due_date,
        "currency": payload.document_currency_code,
        "net_amount": net * sign,
        "vat_amount": vat * sign,
        "gross_amount": gross * sign,
        "metadata": _metadata(payload),
    }
    if payload.supplier_id is not None:
        item["supplier_id"] = payload.supplier_id
    else:
        supplier: dict[str, Any] = {"country": company.country}
        if payload.supplier_name:
            supplier["name"] = payload.supplier_name
        if payload.supplier_tin:
            supplier["vat_number"] = payload.supplier_tin
        item["supplier"] = supplier
    return item


def _metadata(payload: ExternalInvoicePayload) -> dict:
    metadata = dict(payload.metadata or {})
    extras = {name: getattr(payload, name) for name in _EXTRAS if getattr(payload, name)}
    if payload.invoice_type_code not in {"380", "381"}:
        extras["invoice_type_code"] = payload.invoice_type_code
    if extras:
        metadata[EXTRAS_KEY] = extras
    return metadata


def _meaning_errors(payload: ExternalInvoicePayload, company: Company) -> list[dict]:
    """What the description allows but a purchase ledger of this workspace cannot take."""
    errors = []
    if payload.direction == "outbound":
        errors.append(
            {
                "loc": ["direction"],
                "msg": "payables keeps purchase invoices: only inbound invoices are imported.",
                "type": "direction_not_supported",
            }
        )
    if payload.customer_id is not None and payload.customer_id != company.id:
        errors.append(
            {
                "loc": ["customer_id"],
                "msg": "The customer of a purchase invoice is the workspace's company.",
                "type": "customer_mismatch",
            }
        )
    if payload.supplier_id is None and not (payload.supplier_name or payload.supplier_tin):
        errors.append(
            {
                "loc": ["supplier_name"],
                "msg": "Give supplier_id, or supplier_tin and supplier_name.",
                "type": "missing",
            }
        )
    return errors


def _refused(index: int, source_id: str | None, errors: list[dict]) -> ItemResult:
    return ItemResult(
        index,
        "error",
        source_invoice_id=source_id,
        detail=errors[0]["msg"],
        errors=[{"index": index, "source_invoice_id": source_id, **e} for e in errors],
    )


def vendor_loc(loc: Sequence[str | int]) -> list[str | int]:
    """Locate an error of payables' item on the description's field names.

    >>> vendor_loc(["net_amount"]), vendor_loc(["supplier", "vat_number"])
    (['line_extension_amount'], ['supplier_tin'])
    >>> vendor_loc(["supplier"]), vendor_loc(["metadata", "x"])
    (['supplier_name'], ['metadata', 'x'])
    """
    if not loc:
        return []
    head, rest = loc[0], list(loc[1:])
    if head == "supplier":
        return [_SUPPLIER_FIELDS.get(rest[0], "supplier_name") if rest else "supplier_name"]
    return [_FIELD_NAMES.get(head, head), *rest] if isinstance(head, str) else list(loc)


def merge_results(
    refused: list[ItemResult], applied: UpsertReport, indexes: list[int]
) -> list[ItemResult]:
    """All outcomes in request order: the service numbered its items from 0, in order."""
    results = list(refused)
    for result in applied.results:
        index = indexes[result.index]
        result.index = index
        result.errors = [
            {**e, "index": index, "loc": vendor_loc(e.get("loc", ()))} for e in result.errors
        ]
        results.append(result)
    return sorted(results, key=lambda r: r.index)


def import_result(results: list[ItemResult]) -> dict:
    """The ``ExternalInvoiceImportResult`` of the outcomes (and each item's, in ``results``)."""
    report = UpsertReport(results=results)
    native = report.as_dict()
    return {
        "imported_count": native["imported_count"],
        "updated_count": native["updated_count"],
        "skipped_count": native["skipped_count"],
        "conflict_count": native["conflict_count"],
        "errors": native["errors"],
        "invoice_ids": [i for i in native["invoice_ids"] if i is not None],
        "conflict_ids": native["conflict_ids"],
        "results": native["results"],
    }
