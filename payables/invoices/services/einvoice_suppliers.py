"""Which supplier an imported e-invoice's seller is: found by its identifiers, bank
account or name (and address, for a seller without identifiers), else described for
creation, with the warnings a reviewer should see."""

from __future__ import annotations

import contextlib

from django.db.models import Q, QuerySet

from payables.einvoice.model import Invoice as EInvoice
from payables.einvoice.model import Party
from payables.identifiers import validate_iban, validate_vat_number
from payables.invoices.einvoice_mapping import seller_as_supplier, valid_ibans
from payables.masterdata.models import Supplier, SupplierBankAccount
from payables.tenancy.models import Company


def supplier_for(
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
    if not _has_identity(seller):
        if name and (found := _by_name_and_address(suppliers, seller, company)):
            return found.id, None, [_unidentified(invoice, f"matched to supplier {found.name}")]
    elif name and (found := suppliers.filter(name__iexact=name).first()):
        return found.id, None, []
    fields, warnings = seller_as_supplier(seller, fallback_country=company.country)
    fields["bank_accounts"] = valid_ibans(invoice.payment_means)
    if not _has_identity(seller):
        warnings.append(_unidentified(invoice, "booked against a new supplier"))
    return None, fields, warnings


def _unidentified(invoice: EInvoice, what: str) -> str:
    return (
        f"Invoice {invoice.number}: the seller {invoice.seller.name!r} has no VAT or "
        f"registration id; {what} by its name, country and address, for review."
    )


def _has_identity(seller: Party) -> bool:
    return bool(
        seller.vat_id or seller.registry_id or seller.tax_registration_id or seller.identifiers
    )


def _by_name_and_address(
    suppliers: QuerySet[Supplier], seller: Party, company: Company
) -> Supplier | None:
    """A seller known only by name and address: the company's supplier of that name in
    that country, and of those the one whose address agrees most (postal code, city, street).
    """
    name = (seller.name or seller.trading_name).strip()
    country = (seller.address.country or company.country).upper()[:2]
    found = list(suppliers.filter(name__iexact=name, country=country).order_by("created_at"))
    if len(found) <= 1:
        return found[0] if found else None
    address = seller.address
    street = ", ".join(address.lines).casefold()

    def agreement(supplier: Supplier) -> int:
        return sum(
            bool(mine) and mine.casefold() == theirs.casefold()
            for mine, theirs in (
                (address.postal_code, supplier.postal_code),
                (address.city, supplier.city),
                (street, supplier.street),
            )
        )

    return max(found, key=agreement)
