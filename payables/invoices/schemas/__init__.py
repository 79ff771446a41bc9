"""Ninja schemas of the invoices app, one module per topic, all importable from here."""

from __future__ import annotations

from payables.invoices.schemas.einvoice import (
    FindingOut,
    ImportedDocumentOut,
    ImportedDocumentsOut,
    ImportedInvoiceOut,
)
from payables.invoices.schemas.invoices import (
    AttachmentContentOut,
    AttachmentIn,
    AttachmentOut,
    CancelIn,
    ClearReviewIn,
    InvoiceFilters,
    InvoiceIn,
    InvoiceOut,
    InvoicePatch,
    InvoiceRowIn,
    InvoiceRowOut,
    PaymentIn,
    PaymentOut,
    ReviewFindingOut,
    SupplierRefIn,
    SupplierSummaryOut,
    VatLineIn,
    VatLineOut,
)
from payables.invoices.schemas.numbering import (
    NumberingPolicyIn,
    NumberingPolicyOut,
    NumberingPolicyPatch,
)
from payables.invoices.schemas.upsert import (
    ExternalInvoiceIn,
    ExternalInvoiceItem,
    ImportPolicy,
    UpsertErrorOut,
    UpsertIn,
    UpsertOut,
    UpsertResultOut,
)

__all__ = [
    "AttachmentContentOut",
    "AttachmentIn",
    "AttachmentOut",
    "CancelIn",
    "ClearReviewIn",
    "ExternalInvoiceIn",
    "ExternalInvoiceItem",
    "FindingOut",
    "ImportPolicy",
    "ImportedDocumentOut",
    "ImportedDocumentsOut",
    "ImportedInvoiceOut",
    "InvoiceFilters",
    "InvoiceIn",
    "InvoiceOut",
    "InvoicePatch",
    "InvoiceRowIn",
    "InvoiceRowOut",
    "NumberingPolicyIn",
    "NumberingPolicyOut",
    "NumberingPolicyPatch",
    "PaymentIn",
    "PaymentOut",
    "ReviewFindingOut",
    "SupplierRefIn",
    "SupplierSummaryOut",
    "UpsertErrorOut",
    "UpsertIn",
    "UpsertOut",
    "UpsertResultOut",
    "VatLineIn",
    "VatLineOut",
]
