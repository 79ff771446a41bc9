"""Writes of suppliers: create and update, with checked identifiers and bank accounts."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Q

from payables.errors import FieldError, Loc, ValidationFailed
from payables.identifiers import (
    validate_bic,
    validate_iban,
    validate_registry_code,
    validate_vat_number,
)
from payables.masterdata.errors import DuplicateSupplier
from payables.masterdata.models import Supplier, SupplierBankAccount
from payables.masterdata.schemas import BankAccountIn, SupplierIn, SupplierPatch
from payables.sync import event_types
from payables.sync.services import lock_company_writes, record_event
from payables.tenancy.actors import Actor

_FIELDS = (
    "name", "country", "registry_code", "vat_number", "street", "postal_code", "city",
    "erp_code", "default_currency", "is_active",
)  # fmt: skip


def create_supplier(data: SupplierIn, *, actor: Actor, loc: Loc = ()) -> Supplier:
    """Create a supplier after checking its identifiers and bank accounts.

    ``loc`` prefixes error locations when the supplier is embedded in another payload.
    """
    fields, accounts = _clean(data.model_dump(include=set(_FIELDS)), data.bank_accounts, loc=loc)
    with transaction.atomic():
        lock_company_writes(actor.company)
        _refuse_duplicate(actor, fields, exclude=None)
        try:
            with transaction.atomic():
                supplier = Supplier.objects.create(company=actor.company, **fields)
        except IntegrityError:  # a concurrent request created it first
            _refuse_duplicate(actor, fields, exclude=None)
            raise DuplicateSupplier(
                "A supplier with the same identity was created concurrently."
            ) from None
        _replace_accounts(supplier, accounts)
        record_event(
            event_types.SUPPLIER_CREATED,
            actor=actor,
            subject_type="supplier",
            subject_id=supplier.id,
            payload=supplier_snapshot(supplier),
        )
    return supplier


def update_supplier(supplier: Supplier, patch: SupplierPatch, *, actor: Actor) -> Supplier:
    """Change the given fields; ``bank_accounts``, when given, replaces the list."""
    changes = patch.model_dump(include=set(_FIELDS), exclude_unset=True)
    if changes.get("name") is None:
        changes.pop("name", None)
    if changes.get("country") is None:
        changes.pop("country", None)
    if changes.get("is_active") is None:
        changes.pop("is_active", None)
    merged = {f: getattr(supplier, f) for f in _FIELDS} | changes
    fields, accounts = _clean(merged, patch.bank_accounts, loc=())
    with transaction.atomic():
        lock_company_writes(actor.company)
        _refuse_duplicate(actor, fields, exclude=supplier.pk)
        for name, value in fields.items():
            setattr(supplier, name, value)
        supplier.save()
        if accounts is not None:
            _replace_accounts(supplier, accounts)
        record_event(
            event_types.SUPPLIER_UPDATED,
            actor=actor,
            subject_type="supplier",
            subject_id=supplier.id,
            payload=supplier_snapshot(supplier),
        )
    return supplier


def supplier_snapshot(supplier: Supplier) -> dict:
    """The fields an event carries about a supplier."""
    return {
        "id": str(supplier.id),
        "name": supplier.name,
        "country": supplier.country,
        "registry_code": supplier.registry_code,
        "vat_number": supplier.vat_number,
        "erp_code": supplier.erp_code,
        "is_active": supplier.is_active,
    }


def _clean(
    fields: dict, accounts: Sequence[BankAccountIn] | None, *, loc: Loc
) -> tuple[dict, list[tuple[str, str]] | None]:
    """Check fields and bank accounts (None: not given), reporting all problems at once."""
    errors: list[FieldError] = []
    try:
        fields = _clean_fields(fields, loc=loc)
    except ValidationFailed as exc:
        errors += exc.errors
    cleaned = None
    if accounts is not None:
        try:
            cleaned = _clean_accounts(accounts, loc=(*loc, "bank_accounts"))
        except ValidationFailed as exc:
            errors += exc.errors
    if errors:
        raise ValidationFailed(errors)
    return fields, cleaned


def _clean_fields(fields: dict, *, loc: Loc) -> dict:
    """Normalise identifiers; collect every problem before refusing."""
    errors: list[FieldError] = []
    fields = dict(fields)
    fields["country"] = fields["country"].upper()
    fields["default_currency"] = fields.get("default_currency") or ""
    for name in ("registry_code", "vat_number", "street", "postal_code", "city", "erp_code"):
        fields[name] = fields.get(name) or ""
    if fields["registry_code"]:
        try:
            fields["registry_code"] = validate_registry_code(
                fields["registry_code"], fields["country"]
            )
        except ValueError as exc:
            errors.append(
                FieldError(str(exc), loc=[*loc, "registry_code"], code="invalid_registry_code")
            )
    if fields["vat_number"]:
        try:
            fields["vat_number"] = validate_vat_number(fields["vat_number"], fields["country"])
        except ValueError as exc:
            errors.append(FieldError(str(exc), loc=[*loc, "vat_number"], code="invalid_vat_number"))
    if errors:
        raise ValidationFailed(errors)
    return fields


def _clean_accounts(accounts: Sequence[BankAccountIn], *, loc: Loc) -> list[tuple[str, str]]:
    errors: list[FieldError] = []
    cleaned = []
    for index, account in enumerate(accounts):
        iban = bic = ""
        try:
            iban = validate_iban(account.iban)
        except ValueError as exc:
            errors.append(FieldError(str(exc), loc=[*loc, index, "iban"], code="invalid_iban"))
        if account.bic:
            try:
                bic = validate_bic(account.bic)
            except ValueError as exc:
                errors.append(FieldError(str(exc), loc=[*loc, index, "bic"], code="invalid_bic"))
        cleaned.append((iban, bic))
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _replace_accounts(supplier: Supplier, accounts: list[tuple[str, str]]) -> None:
    supplier.bank_accounts.all().delete()
    SupplierBankAccount.objects.bulk_create(
        SupplierBankAccount(supplier=supplier, iban=iban, bic=bic, position=i)
        for i, (iban, bic) in enumerate(accounts)
    )


def _refuse_duplicate(actor: Actor, fields: dict, *, exclude: object) -> None:
    """Name the existing supplier that holds one of these identities."""
    clauses = []
    for name, clause in (
        ("registry_code", Q(country=fields["country"], registry_code=fields["registry_code"])),
        ("vat_number", Q(vat_number=fields["vat_number"])),
        ("erp_code", Q(erp_code=fields["erp_code"])),
    ):
        if fields[name]:
            clauses.append((name, clause))
    for name, clause in clauses:
        existing = (
            Supplier.objects.for_company(actor.company).filter(clause).exclude(pk=exclude).first()
        )
        if existing is not None:
            raise DuplicateSupplier(
                f"A supplier with this {name.replace('_', ' ')} exists already.",
                extra={"existing_id": str(existing.id), "field": name},
            )
