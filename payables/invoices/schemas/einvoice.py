"""Shapes of e-invoice document imports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.einvoice.model import Finding
from payables.invoices.schemas.upsert import UpsertErrorOut

if TYPE_CHECKING:
    from payables.invoices.services.einvoice_import import DocumentRefused, ImportedDocument


class FindingOut(Schema):
    rule_id: str
    severity: str
    message: str
    location: str

    @classmethod
    def from_finding(cls, f: Finding) -> FindingOut:
        return cls(rule_id=f.rule_id, severity=f.severity, message=f.message, location=f.location)


class ImportedInvoiceOut(Schema):
    index: int
    outcome: Literal["imported", "updated", "skipped", "conflict", "error"]
    invoice_id: UUID | None
    number: str | None
    detail: str | None
    errors: list[UpsertErrorOut]


class ImportedDocumentOut(Schema):
    filename: str
    status: Literal["imported", "failed", "refused"] = Field(
        description="`failed` when every invoice of the document is an error or a conflict."
    )
    sha256: str
    format: str
    version: str
    profile: str
    needs_review: bool
    invoices: list[ImportedInvoiceOut]
    findings: list[FindingOut]
    warnings: list[str]

    @classmethod
    def from_document(cls, document: ImportedDocument, *, filename: str) -> ImportedDocumentOut:
        return cls(
            filename=filename,
            status=document.status,
            sha256=document.sha256,
            format=document.format,
            version=document.version,
            profile=document.profile,
            needs_review=document.needs_review,
            invoices=[
                ImportedInvoiceOut(
                    index=r.index,
                    outcome=r.outcome,
                    invoice_id=r.invoice_id,
                    number=r.number,
                    detail=r.detail,
                    errors=r.errors,
                )
                for r in document.results
            ],
            findings=[FindingOut.from_finding(f) for f in document.findings],
            warnings=document.warnings,
        )

    @classmethod
    def from_refused(cls, refused: DocumentRefused, *, filename: str) -> ImportedDocumentOut:
        return cls(
            filename=filename,
            status="refused",
            sha256="",
            format="",
            version="",
            profile="",
            needs_review=False,
            invoices=[],
            findings=[FindingOut.from_finding(f) for f in refused.findings],
            warnings=[],
        )


class ImportedDocumentsOut(Schema):
    documents: list[ImportedDocumentOut]
