"""Import e-invoice documents: parse, validate, and upsert each invoice they hold.

The original bytes are kept byte-exact (with their SHA-256) as each invoice's
``original`` attachment; the same bytes sent again are recognised before parsing.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

import pydantic
from django.conf import settings

from payables import einvoice
from payables.einvoice.model import Finding, ParsedDocument, ParseLimits
from payables.einvoice.model import Invoice as EInvoice
from payables.errors import FieldError, PayloadTooLarge, ValidationFailed
from payables.events import event_types
from payables.invoices.einvoice_buyer import buyer_findings
from payables.invoices.einvoice_mapping import (
    prepaid_amount,
    stated_amount_due,
    to_external_item,
)
from payables.invoices.inputs import ExternalInvoiceIn
from payables.invoices.models import Attachment, Invoice
from payables.invoices.services.attachments import add_attachment
from payables.invoices.services.einvoice_suppliers import supplier_for
from payables.invoices.services.upsert import ItemResult, upsert_invoices
from payables.invoices.totals import check_totals
from payables.invoices.trail import add_audit_entry, record_invoice_event
from payables.masterdata.models import DimensionType
from payables.money import ZERO, format_amount
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "facturx-pdf": "application/pdf",
}


# Errors the import can still book: a seller without identifiers is matched by name,
# country and address (or created), and the invoice is flagged for review.
REVIEWED_NOT_REFUSED = frozenset({"PAY-REQ-02"})


class DocumentRefused(ValidationFailed):
    """The document cannot be imported; each finding becomes one located 422 entry."""

    code = "document_refused"
    # The ``type`` of every entry; None: each entry's type is its finding's rule id.
    entry_type: str | None = None

    def __init__(self, message: str, *, findings: tuple[Finding, ...]) -> None:
        self.findings = findings or (Finding("PAY-DOC", "error", message),)
        super().__init__([self._entry(f) for f in self.findings])
        self.message = message

    def _entry(self, finding: Finding) -> FieldError:
        extra = {"severity": finding.severity, "location": finding.location}
        if self.entry_type:
            extra["rule_id"] = finding.rule_id
        return FieldError(
            finding.message, loc=[], code=self.entry_type or finding.rule_id, extra=extra
        )


class DocumentTooComplex(DocumentRefused):
    """The document is beyond what a real invoice has (elements, attributes, nesting,
    repeated groups, PDF objects...): refused before the costly work, whatever the
    company's policy for invalid documents. Each entry's ``type`` is
    ``document_too_complex``; ``rule_id`` keeps the engine's (``PAY-LIMIT``)."""

    code = "document_too_complex"
    entry_type = "document_too_complex"


@dataclass
class ImportedDocument:
    """What became of one document: its format, findings and each invoice's outcome."""

    sha256: str
    format: str = ""
    version: str = ""
    profile: str = ""
    findings: tuple[Finding, ...] = ()
    results: list[ItemResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    needs_review: bool = False

    @property
    def has_failures(self) -> bool:
        return any(r.outcome in {"error", "conflict"} for r in self.results)

    @property
    def status(self) -> str:
        """``failed`` when no invoice of the document came in (each one an error or conflict)."""
        failed = all(r.outcome in {"error", "conflict"} for r in self.results)
        return "failed" if self.results and failed else "imported"


def import_einvoice(
    data: bytes,
    *,
    actor: Actor,
    filename: str = "",
    content_type: str = "",
    origin: str = "e-invoice",
) -> ImportedDocument:
    """Import every invoice of an e-invoice document (UBL, CII, Factur-X PDF, Finvoice, EE).

    ``origin`` tags the invoices it creates: a sender may say that the structured data came
    from digitizing a scan (``digitized``) rather than from the seller (``e-invoice``).
    """
    company = actor.company
    limit = settings.PAYABLES_EINVOICE_MAX_BYTES
    if len(data) > limit:  # before any work: hashing, parsing, validating
        raise PayloadTooLarge(f"The document has {len(data)} bytes; the limit is {limit}.")
    sha256 = hashlib.sha256(data).hexdigest()
    already = _invoices_with_original(company, sha256)
    if already:
        return _same_original(sha256, already)
    parsed = _parse(data)
    findings = parsed.findings + _validate(data, parsed)
    too_complex = tuple(f for f in findings if f.rule_id == einvoice.LimitExceeded.rule_id)
    if too_complex:
        raise DocumentTooComplex(too_complex[0].message, findings=too_complex)
    blocking = [f for f in findings if f.is_blocking]
    # An invoice addressed to another buyer is reviewed or refused by its own policy.
    many = len(parsed.invoices) > 1
    buyers = [
        buyer_findings(invoice, company, label=invoice.number if many else "")
        for invoice in parsed.invoices
    ]
    other_buyer = tuple(f for found in buyers for f in found if f.is_blocking)
    if other_buyer and company.einvoice_other_buyer_policy == "refuse":
        raise DocumentRefused(
            f"The {parsed.format} document is addressed to another buyer than {company.name}.",
            findings=other_buyer,
        )
    needs_review = bool(blocking)
    # Under the ``review`` policy (the default) a readable document is imported with its
    # error-level findings for an accountant to clear; ``refuse`` refuses it here. A seller
    # without identifiers is reviewed, never refused.
    refusing = [f for f in blocking if f.rule_id not in REVIEWED_NOT_REFUSED]
    if refusing and company.einvoice_invalid_policy == "refuse":
        raise DocumentRefused(
            f"The {parsed.format} document fails validation ({len(blocking)} errors).",
            findings=tuple(blocking) + tuple(f for f in findings if not f.is_blocking),
        )
    warnings: list[str] = []
    items = []
    dimension_types = frozenset(
        DimensionType.objects.filter(company=company, is_active=True).values_list("code", flat=True)
    )
    for invoice, buyer in zip(parsed.invoices, buyers, strict=True):
        supplier_id, supplier, supplier_warnings = supplier_for(invoice.seller, invoice, company)
        warnings.extend(supplier_warnings)
        warnings.extend(
            f"Invoice {invoice.number}: the link {a.uri!r} is not an absolute URL; not kept."
            for a in invoice.attachments
            if a.content is None and a.uri and not a.uri.startswith(("http://", "https://"))
        )
        item = to_external_item(
            parsed,
            invoice,
            home_currency=company.home_currency,
            supplier_id=supplier_id,
            supplier=supplier,
            dimension_types=dimension_types,
        )
        item["origin"] = origin
        own = findings + buyer
        item.setdefault("metadata", {})["findings"] = [_finding_dict(f) for f in own][:200]
        if needs_review or any(f.is_blocking for f in buyer):
            warnings.extend(_fit_for_review(item, company.home_currency))
        items.append(item)
    stored_name = filename or f"original.{_extension(parsed)}"
    stored_type = content_type or CONTENT_TYPES.get(parsed.format, "application/xml")

    flagged: list[object] = []

    def keep_original(index: int, invoice: Invoice, outcome: str) -> None:
        """Inside the item's transaction: the original, the review flag, prepaid money."""
        warnings.extend(
            _dropped_warning(invoice.invoice_number, entry)
            for entry in invoice.metadata.get("dropped_coding", [])
        )
        add_attachment(
            invoice,
            actor=actor,
            content=data,
            filename=stored_name,
            content_type=stored_type,
            is_original=True,
        )
        review = blocking + [f for f in buyers[index] if f.is_blocking]
        if review and not invoice.needs_review:
            review_findings = [_finding_dict(f) for f in review][:200]
            Invoice.objects.filter(pk=invoice.pk).update(
                needs_review=True, review_findings=review_findings
            )
            invoice.needs_review, invoice.review_findings = True, review_findings
        if outcome in {"imported", "updated"} and _keep_prepaid(
            invoice,
            parsed.invoices[index],
            header_only=parsed.is_header_only,
            actor=actor,
            warnings=warnings,
        ):
            flagged.append(invoice.pk)

    # The supplier's own number is kept; the same number from that supplier already
    # booked (sent before in another format, or by another channel) is a conflict that
    # names the existing invoice: a duplicate is recognised, never numbered anew.
    # Coding in the document (accounts, dimensions) is the seller's guess at the buyer's
    # books: what the company's master data does not accept is left out with a warning,
    # and the invoice imports for an accountant to code.
    report = upsert_invoices(
        items,
        actor=actor,
        import_policy="always_preserve_and_reject_on_conflict",
        after_apply=keep_original,
        unknown_codes="drop",
    )
    logger.info(
        "Read %s document %s: %d invoices", parsed.format, sha256[:12], len(parsed.invoices)
    )
    return ImportedDocument(
        sha256=sha256,
        format=parsed.format,
        version=parsed.version,
        profile=parsed.profile,
        findings=findings + tuple(f for found in buyers for f in found),
        results=report.results,
        warnings=warnings,
        needs_review=needs_review or bool(other_buyer) or bool(flagged),
    )


def einvoice_limits() -> ParseLimits:
    """Parse limits from settings (the engine itself never reads settings).

    Only the size is a setting; the engine's other bounds (elements, attributes, nesting,
    repeats, PDF objects and pages) are sized to real invoices in ``ParseLimits``.
    """
    return ParseLimits(
        max_bytes=settings.PAYABLES_EINVOICE_MAX_BYTES,
        max_attachment_bytes=min(
            settings.PAYABLES_MAX_ATTACHMENT_BYTES, ParseLimits.max_attachment_bytes
        ),
    )


def _parse(data: bytes) -> ParsedDocument:
    try:
        parsed = einvoice.parse(data, limits=einvoice_limits())
    except einvoice.LimitExceeded as exc:
        raise DocumentTooComplex(exc.message, findings=exc.findings) from None
    except einvoice.EInvoiceError as exc:
        raise DocumentRefused(exc.message, findings=exc.findings) from None
    if not parsed.invoices:
        raise DocumentRefused("The document holds no invoice.", findings=parsed.findings)
    return parsed


def _validate(data: bytes, parsed: ParsedDocument) -> tuple[Finding, ...]:
    from payables.einvoice.validation import validate

    return tuple(
        validate(
            data,
            parsed,
            schema_dir=settings.PAYABLES_EINVOICE_SCHEMA_DIR,
            rules_dir=settings.PAYABLES_EINVOICE_RULES_DIR,
            rounding_tolerance=settings.PAYABLES_EINVOICE_ROUNDING_TOLERANCE,
            limits=einvoice_limits(),
        )
    )


def _fit_for_review(item: dict, home_currency: str) -> list[str]:
    """Leave out rows or VAT lines that contradict the document's totals.

    A document imported for review may be inconsistent; its totals are kept (they are
    what the supplier asks for) and a person codes the rows from the original.
    """
    try:
        data = ExternalInvoiceIn.model_validate(item)
    except pydantic.ValidationError:
        return []  # the upsert reports it, located
    wrong = {e.loc[0] for e in check_totals(data, home_currency=home_currency) if e.loc}
    number = item.get("invoice_number", "")
    warnings = []
    if "net_amount" in wrong and item.get("rows"):
        item["rows"] = []
        warnings.append(
            f"Invoice {number}: its lines do not add up to its net total; imported without lines."
        )
    if wrong & {"vat_amount", "vat_breakdown"} and item.get("vat_breakdown"):
        item["vat_breakdown"] = []
        warnings.append(
            f"Invoice {number}: its VAT breakdown contradicts its totals; imported without it."
        )
    return warnings


def _invoices_with_original(company: Company, sha256: str) -> list[Invoice]:
    """The invoices these bytes made: the live ones, else the cancelled ones."""
    ids = Attachment.objects.filter(
        invoice__company=company, is_original=True, sha256=sha256
    ).values_list("invoice_id", flat=True)
    invoices = list(Invoice.objects.filter(pk__in=ids).order_by("internal_id"))
    live = [i for i in invoices if i.status != Invoice.Status.CANCELLED]
    return live or invoices


def _same_original(sha256: str, invoices: list[Invoice]) -> ImportedDocument:
    """The same bytes again: nothing is written, and a cancelled invoice is named as such.

    A corrected re-send of a cancelled invoice is a new document (other bytes); the
    identical one again is most likely the same mistake, so it is not imported anew.
    """
    results, warnings = [], []
    for index, invoice in enumerate(invoices):
        cancelled = invoice.status == Invoice.Status.CANCELLED
        detail = "same_original_cancelled" if cancelled else "same_original"
        results.append(
            ItemResult(
                index,
                "skipped",
                invoice_id=invoice.id,
                number=invoice.invoice_number,
                detail=detail,
            )
        )
        if cancelled:
            reason = f" ({invoice.cancel_reason})" if invoice.cancel_reason else ""
            warnings.append(
                f"This document is identical to invoice {invoice.invoice_number} (id {invoice.id}),"
                f" which was cancelled{reason}; it was not imported again. Send a corrected "
                "document, or import it as a new one under another number."
            )
    return ImportedDocument(sha256=sha256, results=results, warnings=warnings)


def _dropped_warning(number: str, entry: dict) -> str:
    """Say which code of the document was left out, and where."""
    if entry["type"] == "missing":
        return f"Invoice {number}: {entry['msg']} Left for an accountant to fill in."
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in entry["loc"])
    return f"Invoice {number}: {entry['msg']} Left out of {where.lstrip('.')}."


def _keep_prepaid(
    invoice: Invoice, source: EInvoice, *, header_only: bool, actor: Actor, warnings: list[str]
) -> bool:
    """Store BT-113 with its sign and check the amount due against the document's BT-115.

    The prepaid amount is the document's statement, not a payment payables saw: it is
    kept on the invoice (a negative one raises the amount due). A header-only document
    without BT-113 prepaid the difference between its total and its amount due. When
    the amount due then differs from the one the document states, the invoice is
    flagged for review with a finding that gives both (True is returned).
    """
    prepaid = prepaid_amount(source)
    stated = stated_amount_due(source)
    cur = invoice.currency
    if header_only and source.totals.prepaid is None and stated is not None:
        # MINIMUM has no element for BT-113: what is paid shows only as BT-112 - BT-115.
        prepaid = invoice.gross_amount - stated
        if prepaid:
            warnings.append(
                f"Invoice {invoice.invoice_number}: the document states "
                f"{format_amount(stated, cur)} {cur} due of its total "
                f"{format_amount(invoice.gross_amount, cur)}; the difference is kept as its "
                "prepaid amount (its profile has no element for BT-113)."
            )
    if prepaid != invoice.prepaid_amount:  # new, or changed by an updated document
        invoice.prepaid_amount = prepaid
        invoice.save(update_fields=["prepaid_amount", "modified_at"])
        add_audit_entry(
            invoice, actor, "prepaid_recorded", comment=f"BT-113 {format_amount(prepaid, cur)}"
        )
        record_invoice_event(
            event_types.INVOICE_UPDATED,
            invoice,
            actor=actor,
            details={"changed_fields": ["prepaid_amount"]},
        )
        if invoice.amount_due == ZERO:
            record_invoice_event(event_types.INVOICE_PAID, invoice, actor=actor)
    if stated is None or stated == invoice.amount_due:
        return False
    message = (
        f"The document states {format_amount(stated, cur)} {cur} due (BT-115); its total "
        f"{format_amount(invoice.gross_amount, cur)} less the prepaid amount "
        f"{format_amount(invoice.prepaid_amount, cur)} (BT-113) leaves "
        f"{format_amount(invoice.amount_due, cur)}, which is what is stored as due."
    )
    warnings.append(f"Invoice {invoice.invoice_number}: {message}")
    finding = _finding_dict(Finding("PAY-DUE", "error", message, "BT-115"))
    invoice.metadata = {
        **invoice.metadata,
        "findings": [*invoice.metadata.get("findings", []), finding],
    }
    invoice.review_findings = [*invoice.review_findings, finding]
    invoice.needs_review = True
    invoice.save(update_fields=["metadata", "review_findings", "needs_review", "modified_at"])
    return True


def _extension(parsed: ParsedDocument) -> str:
    return "pdf" if parsed.format == "facturx-pdf" else "xml"


def _finding_dict(finding: Finding) -> dict:
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity,
        "message": finding.message,
        "location": finding.location,
    }
