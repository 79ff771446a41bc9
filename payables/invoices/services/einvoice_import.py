"""Import e-invoice documents: parse, validate, and upsert each invoice they hold.

The original bytes are kept byte-exact (with their SHA-256) as each invoice's
``original`` attachment; the same bytes sent again are recognised before parsing.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal

import pydantic
from django.conf import settings
from django.db.models import Q

from payables import einvoice
from payables.einvoice.model import Finding, ParsedDocument, ParseLimits, Party
from payables.einvoice.model import Invoice as EInvoice
from payables.errors import FieldError, PayloadTooLarge, ValidationFailed
from payables.identifiers import validate_iban, validate_vat_number
from payables.invoices.einvoice_mapping import seller_as_supplier, to_external_item, valid_ibans
from payables.invoices.inputs import ExternalInvoiceIn
from payables.invoices.models import Attachment, Invoice
from payables.invoices.services.attachments import add_attachment
from payables.invoices.services.payments import record_payment
from payables.invoices.services.upsert import ItemResult, upsert_invoices
from payables.invoices.totals import check_totals
from payables.masterdata.models import Supplier, SupplierBankAccount
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "facturx-pdf": "application/pdf",
}


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


def import_einvoice(
    data: bytes, *, actor: Actor, filename: str = "", content_type: str = ""
) -> ImportedDocument:
    """Import every invoice of an e-invoice document (UBL, CII, Factur-X PDF, Finvoice, EE)."""
    company = actor.company
    limit = settings.PAYABLES_EINVOICE_MAX_BYTES
    if len(data) > limit:  # before any work: hashing, parsing, validating
        raise PayloadTooLarge(f"The document has {len(data)} bytes; the limit is {limit}.")
    sha256 = hashlib.sha256(data).hexdigest()
    already = _invoices_with_original(company, sha256)
    if already:
        return ImportedDocument(
            sha256=sha256,
            results=[
                ItemResult(
                    i,
                    "skipped",
                    invoice_id=inv.id,
                    number=inv.invoice_number,
                    detail="same_original",
                )
                for i, inv in enumerate(already)
            ],
        )
    parsed = _parse(data)
    findings = parsed.findings + _validate(data, parsed)
    too_complex = tuple(f for f in findings if f.rule_id == einvoice.LimitExceeded.rule_id)
    if too_complex:
        raise DocumentTooComplex(too_complex[0].message, findings=too_complex)
    blocking = [f for f in findings if f.is_blocking]
    needs_review = bool(blocking)
    # Under the ``review`` policy (the default) a readable document is imported with its
    # error-level findings for an accountant to clear; ``refuse`` refuses it here.
    if blocking and company.einvoice_invalid_policy == "refuse":
        raise DocumentRefused(
            f"The {parsed.format} document fails validation ({len(blocking)} errors).",
            findings=tuple(blocking) + tuple(f for f in findings if not f.is_blocking),
        )
    warnings: list[str] = []
    items = []
    for invoice in parsed.invoices:
        supplier_id, supplier, supplier_warnings = _supplier_for(invoice.seller, invoice, company)
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
        )
        item.setdefault("metadata", {})["findings"] = [_finding_dict(f) for f in findings][:200]
        if needs_review:
            warnings.extend(_fit_for_review(item, company.home_currency))
        items.append(item)
    prepaid = [inv.totals.prepaid for inv in parsed.invoices]
    stored_name = filename or f"original.{_extension(parsed)}"
    stored_type = content_type or CONTENT_TYPES.get(parsed.format, "application/xml")

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
        if needs_review and not invoice.needs_review:
            review_findings = [_finding_dict(f) for f in blocking][:200]
            Invoice.objects.filter(pk=invoice.pk).update(
                needs_review=True, review_findings=review_findings
            )
            invoice.needs_review, invoice.review_findings = True, review_findings
        amount = prepaid[index]
        if outcome == "imported" and amount and abs(amount) > abs(invoice.gross_amount):
            warnings.append(
                f"Invoice {invoice.invoice_number}: the prepaid amount {amount} (BT-113) exceeds "
                "its total and was not recorded as a payment."
            )
        elif outcome == "imported" and amount:
            record_payment(
                invoice,
                actor=actor,
                amount=_signed(amount, invoice),
                payment_date=invoice.invoice_date,
                description="Prepaid amount (BT-113)",
            )

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
        findings=findings,
        results=report.results,
        warnings=warnings,
        needs_review=needs_review,
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


def _supplier_for(
    seller: Party, invoice: EInvoice, company: Company
) -> tuple[object | None, dict | None, list[str]]:
    """Match the seller by VAT id, registry id, IBAN or name (in that order), else describe it."""
    suppliers = Supplier.objects.for_company(company)
    candidates = []
    if seller.vat_id:
        vat = seller.vat_id.replace(" ", "").upper()
        with contextlib.suppress(ValueError):  # an invalid number is matched as written
            vat = validate_vat_number(vat, vat[:2] if vat[:2].isalpha() else company.country)
        candidates.append(Q(vat_number=vat))
    if seller.registry_id:
        candidates.append(Q(registry_code=seller.registry_id.strip()))
    for clause in candidates:
        if found := suppliers.filter(clause).first():
            return found.id, None, []
    for means in invoice.payment_means:
        try:
            iban = validate_iban(means.iban) if means.iban else ""
        except ValueError:
            continue
        account = SupplierBankAccount.objects.filter(supplier__company=company, iban=iban).first()
        if account is not None:
            return account.supplier_id, None, []
    name = (seller.name or seller.trading_name).strip()
    if name and (found := suppliers.filter(name__iexact=name).first()):
        return found.id, None, []
    fields, warnings = seller_as_supplier(seller, fallback_country=company.country)
    fields["bank_accounts"] = valid_ibans(invoice.payment_means)
    return None, fields, warnings


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
    ids = Attachment.objects.filter(
        invoice__company=company, is_original=True, sha256=sha256
    ).values_list("invoice_id", flat=True)
    return list(
        Invoice.objects.filter(pk__in=ids)
        .exclude(status=Invoice.Status.CANCELLED)
        .order_by("internal_id")
    )


def _dropped_warning(number: str, entry: dict) -> str:
    """Say which code of the document was left out, and where."""
    if entry["type"] == "missing":
        return f"Invoice {number}: {entry['msg']} Left for an accountant to fill in."
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in entry["loc"])
    return f"Invoice {number}: {entry['msg']} Left out of {where.lstrip('.')}."


def _signed(amount: Decimal, invoice: Invoice) -> Decimal:
    """Prepaid money in payables' sign convention (negative for credit notes)."""
    return -abs(amount) if invoice.gross_amount < 0 else abs(amount)


def _extension(parsed: ParsedDocument) -> str:
    return "pdf" if parsed.format == "facturx-pdf" else "xml"


def _finding_dict(finding: Finding) -> dict:
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity,
        "message": finding.message,
        "location": finding.location,
    }
