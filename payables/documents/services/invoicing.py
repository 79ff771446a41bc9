"""Invoices made from what was read off a document (origin ``digitized``).

The seller is matched against the company's suppliers (VAT id, registry code, IBAN, then
a close name), not taken as printed. An invoice whose key field is missing or unsure is
created flagged for review (``needs_review``, one finding per field), unless the company
wants such documents left for review, or every digitized document reviewed first
(``Company.digitized_invoice_policy``). What cannot become an invoice (no number, amounts
that do not add up, a number the supplier used already) stays a digitized document with
findings that say why, for an accountant to complete.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pydantic
from django.db import transaction

from payables.documents.fields import AMOUNT_FIELDS, KEY_FIELDS, is_accepted
from payables.documents.models import Document
from payables.documents.sniffing import CONTENT_TYPES
from payables.errors import PayablesError, ValidationFailed
from payables.identifiers import validate_iban, validate_vat_number
from payables.invoices.inputs import InvoiceIn
from payables.invoices.models import Invoice
from payables.invoices.services import add_attachment, create_invoice
from payables.invoices.services.review import flag_for_review
from payables.masterdata.models import Supplier, SupplierBankAccount
from payables.tenancy.actors import Actor

logger = logging.getLogger(__name__)

SOURCE_SYSTEM = "payables-documents"
RULE = "PAY-DIGITIZED"
NAME_MATCH = 0.9  # how alike a printed seller name and a supplier's name must be
VAT_PREFIXES = {"EL": "GR"}  # VAT prefixes that are not the ISO country code


@dataclass(frozen=True)
class Made:
    """What became of a reading: the invoice (or None) and the findings for review."""

    invoice: Invoice | None
    findings: list[dict]


def finding(code: str, message: str, field: str = "") -> dict:
    """A review finding, in the shape invoices keep (``review_findings``)."""
    return {
        "rule_id": RULE,
        "code": code,
        "severity": "error",
        "message": message,
        "location": field,
    }


def review_findings(fields: dict[str, dict]) -> list[dict]:
    """One finding per key field that is missing or below the accept confidence."""
    found = []
    for name in KEY_FIELDS:
        value = fields.get(name)
        if not value or value.get("value") in (None, ""):
            found.append(finding("missing", f"No {name.replace('_', ' ')} was found.", name))
        elif not is_accepted(value):
            confidence = float(value.get("confidence") or 0)
            message = f"The {name.replace('_', ' ')} was read with confidence {confidence:.2f}."
            found.append(finding("unsure", message, name))
    return found


def make_invoice(
    document: Document, fields: dict[str, dict], *, actor: Actor, data: bytes, reviewed: bool
) -> Made:
    """Create the document's invoice where the company's policy allows; say why not otherwise.

    ``reviewed``: an accountant confirmed the fields, so the policy and the confidences no
    longer hold the invoice back. Runs inside the caller's transaction; a refused invoice
    rolls back only its own savepoint.
    """
    unsure = [] if reviewed else review_findings(fields)
    policy = document.company.digitized_invoice_policy
    if not reviewed and policy == "review":
        held = finding("policy", "The company reviews every digitized document first.")
        return Made(None, [held, *unsure])
    if not reviewed and policy == "create_validated" and unsure:
        return Made(None, unsure)
    try:
        invoice_in, notes = _invoice_input(document, fields)
    except _NotAnInvoice as exc:
        return Made(None, [*exc.findings, *unsure])
    findings = [*notes, *unsure]
    try:
        with transaction.atomic():
            invoice = create_invoice(
                invoice_in,
                actor=actor,
                source={
                    "source_system": SOURCE_SYSTEM,
                    "source_invoice_id": str(document.id),
                    "metadata": {"document_id": str(document.id)},
                },
                unknown_codes="drop",
            )
            content_type = CONTENT_TYPES.get(document.kind, document.content_type)
            add_attachment(
                invoice,
                actor=actor,
                content=data,
                filename=document.filename or f"original.{document.kind}",
                content_type=content_type,
                is_original=True,
            )
            if findings and not reviewed:
                invoice = flag_for_review(invoice, actor=actor, findings=findings)
    except ValidationFailed as exc:
        return Made(None, [*(_refusal(e) for e in exc.errors), *unsure])
    except PayablesError as exc:
        return Made(None, [_refusal(exc), *unsure])
    logger.info("Document %s became invoice %s", document.pk, invoice.pk)
    return Made(invoice, findings)


class _NotAnInvoice(Exception):
    def __init__(self, findings: list[dict]) -> None:
        super().__init__(findings[0]["message"])
        self.findings = findings


def _refusal(exc: PayablesError) -> dict:
    where = ".".join(str(part) for part in exc.loc or ())
    return finding(exc.code, exc.message, where)


def _invoice_input(document: Document, fields: dict[str, dict]) -> tuple[InvoiceIn, list[dict]]:
    """The invoice the fields describe, and notes on what was derived or assumed."""
    value = {name: found.get("value") for name, found in fields.items() if found.get("value")}
    notes: list[dict] = []
    missing = [
        finding("missing", f"An invoice needs its {name.replace('_', ' ')}.", name)
        for name in ("invoice_number", "issue_date")
        if not value.get(name)
    ]
    amounts = _amounts(value, notes)
    if amounts is None:
        missing.append(
            finding("missing", "An invoice needs its gross total, or its net total and VAT.")
        )
    company = document.company
    if not value.get("currency"):
        notes.append(
            finding(
                "assumed",
                f"No currency was found; the company's {company.home_currency} was assumed.",
                "currency",
            )
        )
    supplier = _supplier(company, value, notes)
    if supplier is None:
        missing.append(
            finding("missing", "The seller was not found and has no name to create it by.")
        )
    if missing:
        raise _NotAnInvoice(missing)
    data = {
        "supplier_id": supplier.pk if isinstance(supplier, Supplier) else None,
        "supplier": supplier if isinstance(supplier, dict) else None,
        "origin": "digitized",
        "invoice_number": value["invoice_number"],
        "invoice_date": value["issue_date"],
        "due_date": value.get("due_date"),
        "vat_date": value.get("vat_date"),
        "currency": value.get("currency") or company.home_currency,
        **amounts,
        "payment_reference": value.get("payment_reference", ""),
        "bank_account": value.get("iban", ""),
        "bic": value.get("bic", ""),
        "order_number": value.get("order_number", ""),
        "vat_breakdown": _breakdown(document, amounts),
    }
    try:
        return InvoiceIn(**{k: v for k, v in data.items() if v is not None}), notes
    except pydantic.ValidationError as exc:
        raise _NotAnInvoice(
            [
                finding("invalid", error["msg"], ".".join(str(p) for p in error["loc"]))
                for error in exc.errors()
            ]
        ) from None


def _amounts(value: dict[str, Any], notes: list[dict]) -> dict[str, Decimal] | None:
    """Net, VAT and gross; one missing is worked out from the other two (and noted)."""
    found: dict[str, Decimal] = {}
    for name in AMOUNT_FIELDS:
        with contextlib.suppress(InvalidOperation, TypeError, ValueError):
            if value.get(name) not in (None, ""):
                found[name] = Decimal(str(value[name]))
    given = set(found)
    if given == AMOUNT_FIELDS:
        return found
    if {"gross_amount", "net_amount"} <= given:
        found["vat_amount"] = found["gross_amount"] - found["net_amount"]
    elif {"gross_amount", "vat_amount"} <= given:
        found["net_amount"] = found["gross_amount"] - found["vat_amount"]
    elif {"net_amount", "vat_amount"} <= given:
        found["gross_amount"] = found["net_amount"] + found["vat_amount"]
    else:
        return None
    for name in sorted(AMOUNT_FIELDS - given):
        notes.append(finding("derived", f"The {name.replace('_', ' ')} was worked out.", name))
    return found


def _breakdown(document: Document, amounts: dict[str, Decimal]) -> list[dict]:
    """The VAT breakdown as read, when it adds up to the totals (else none: a person codes)."""
    rows = []
    try:
        for row in document.vat_breakdown:
            rows.append(
                {
                    "vat_rate": Decimal(str(row["rate"])),
                    "base_amount": Decimal(str(row["net"])),
                    "vat_amount": Decimal(str(row["vat"])),
                }
            )
    except (KeyError, InvalidOperation, TypeError, ValueError):
        return []
    adds_up = (
        sum((r["base_amount"] for r in rows), Decimal(0)) == amounts["net_amount"]
        and sum((r["vat_amount"] for r in rows), Decimal(0)) == amounts["vat_amount"]
    )
    return rows if rows and adds_up else []


def _supplier(company: object, value: dict[str, Any], notes: list[dict]) -> Supplier | dict | None:
    """The company's supplier the seller is (ids first, then a close name), or what to
    create it from: a new supplier is noted for review."""
    suppliers = Supplier.objects.for_company(company)
    vat = "".join(str(value.get("seller_vat_id", "")).split()).upper()
    country = _country(vat, str(value.get("iban", "")), company.country)
    if vat:
        with contextlib.suppress(ValueError):
            vat = validate_vat_number(vat, country)
        if found := suppliers.filter(vat_number=vat).first():
            return found
    registry = str(value.get("seller_registry_code", "")).strip()
    if registry and (found := suppliers.filter(registry_code=registry, country=country).first()):
        return found
    iban = str(value.get("iban", ""))
    if iban:
        with contextlib.suppress(ValueError):
            iban = validate_iban(iban)
            account = SupplierBankAccount.objects.filter(supplier__company=company, iban=iban)
            if account := account.select_related("supplier").first():
                return account.supplier
    name = str(value.get("seller_name", "")).strip()
    if not name:
        return None
    if found := _by_name(suppliers, name):
        notes.append(
            finding("matched_by_name", f"The seller {name!r} was matched to {found.name}.")
        )
        return found
    notes.append(finding("new_supplier", f"The seller {name!r} is a new supplier."))
    new = {"name": name[:200], "country": country}
    if vat:
        new["vat_number"] = vat
    if registry:
        new["registry_code"] = registry
    return new


def _by_name(suppliers: Any, name: str) -> Supplier | None:
    """The supplier whose name is most like ``name``, if alike enough (case and spaces aside)."""
    wanted = " ".join(name.casefold().split())
    best, score = None, NAME_MATCH
    for supplier in suppliers.filter(is_active=True).only("id", "name")[:5000]:
        ratio = difflib.SequenceMatcher(None, wanted, " ".join(supplier.name.casefold().split()))
        if ratio.ratio() >= score:
            best, score = supplier, ratio.ratio()
    return best


def _country(vat: str, iban: str, default: str) -> str:
    """The seller's country: its VAT prefix, else its IBAN's, else the company's."""
    for prefix in (vat[:2], iban.replace(" ", "")[:2].upper()):
        if prefix.isalpha() and prefix.isascii() and len(prefix) == 2:
            return VAT_PREFIXES.get(prefix, prefix)
    return default
