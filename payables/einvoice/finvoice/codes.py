"""Finvoice codes to the EN 16931 code lists: invoice type (BT-3), VAT category (BT-118)."""

from __future__ import annotations

from decimal import Decimal

from payables.einvoice.model import CREDIT_NOTE_TYPE_CODES, Finding
from payables.einvoice.values import Parent, element_of, text_at
from payables.einvoice.xmlsafe import path_of

# BT-3: INV02 is a credit note (hyvityslasku): InvoiceTypeCodeUN where that names a credit
# note (3.0), else 381; other types take InvoiceTypeCodeUN, else this UNCL1001 code, else 380.
_TYPE_CODES = {"INV06": "325"}
# BT-118 / BT-151: Finvoice 2.x VatCode values outside UNCL5305 (intra-EU goods/services).
_VAT_CODES = {"ZEG": "K", "ZES": "K"}


def type_code(details: Parent, findings: list[Finding]) -> str:
    code = text_at(details, "InvoiceTypeCode").upper()
    if code not in {"INV01", "INV02"}:
        findings.append(
            Finding(
                "FINVOICE-TYPE",
                "info",
                f"Finvoice type {code or '(none)'} ({text_at(details, 'InvoiceTypeText')}) is "
                "neither an invoice (INV01) nor a credit note (INV02)",
                path_of(element_of(details)) + "/InvoiceTypeCode",
            )
        )
    stated = text_at(details, "InvoiceTypeCodeUN")
    if code == "INV02":
        return stated if stated in CREDIT_NOTE_TYPE_CODES else "381"
    return stated or _TYPE_CODES.get(code, "380")


def vat_category(code: str, rate: Decimal | None) -> str:
    """UNCL5305 category; without a code (Finvoice before 3.0) a positive rate means S."""
    code = code.upper()
    if code:
        return _VAT_CODES.get(code, code)
    return "S" if rate is not None and rate > 0 else ""
