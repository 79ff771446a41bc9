"""Which supplier an invoice names: found by id, registry code or VAT number, or created
from name and country."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from django.db import transaction

from payables.events.services import lock_company_writes
from payables.identifiers import validate_vat_number
from payables.invoices.errors import UnknownSupplier
from payables.invoices.inputs import InvoiceIn, SupplierRefIn
from payables.masterdata.models import Supplier
from payables.masterdata.services import create_supplier
from payables.tenancy.actors import Actor


def resolve_supplier(data: InvoiceIn, *, actor: Actor) -> Supplier:
    """Find the supplier by id, registry code or VAT number, or create it from name + country."""
    found = find_supplier(data, actor=actor)
    return found if found is not None else find_or_create_supplier(data.supplier, actor=actor)


def find_supplier(data: InvoiceIn, *, actor: Actor) -> Supplier | None:
    """The supplier ``resolve_supplier`` finds, refusing what it refuses; None where it
    would create one. Only reads."""
    if data.supplier_id is not None:
        supplier = Supplier.objects.for_company(actor.company).filter(pk=data.supplier_id).first()
        if supplier is None:
            raise UnknownSupplier("No supplier with this id.", loc=["supplier_id"])
        return supplier
    if data.supplier is None:
        raise UnknownSupplier("Give supplier_id or a supplier object.", loc=["supplier"])
    return _find_named(data.supplier, actor=actor, loc=("supplier",))


def find_or_create_supplier(
    ref: SupplierRefIn, *, actor: Actor, loc: Sequence[str] = ("supplier",)
) -> Supplier:
    """Find the supplier a reference names (id, registry code or VAT number), or create it
    from name + country; errors are located under ``loc``.

    Also for parties an invoice names besides its supplier, such as a payee. Inside the
    caller's transaction the lookups need no savepoint of their own (they only read);
    the supplier is created in one.
    """
    if not transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return find_or_create_supplier(ref, actor=actor, loc=loc)
    lock_company_writes(actor.company)  # so two requests cannot both create it
    supplier = _find_named(ref, actor=actor, loc=loc)
    if supplier is not None:
        return supplier
    fields = ref.model_dump(exclude={"id"}, exclude_none=True)
    with transaction.atomic():
        return create_supplier(fields, actor=actor, loc=tuple(loc))


def _find_named(ref: SupplierRefIn, *, actor: Actor, loc: Sequence[str]) -> Supplier | None:
    """The supplier the reference names; None when it names none but can create it (name
    and country given); else a located refusal."""
    suppliers = Supplier.objects.for_company(actor.company)
    if ref.id is not None:
        supplier = suppliers.filter(pk=ref.id).first()
        if supplier is None:
            raise UnknownSupplier("No supplier with this id.", loc=[*loc, "id"])
        return supplier
    supplier = _find_by_identity(suppliers, ref)
    if supplier is not None or (ref.name and ref.country):
        return supplier
    raise UnknownSupplier(
        "No supplier matches this registry code or VAT number; give name and country to create it.",
        loc=list(loc),
    )


def _find_by_identity(suppliers: object, ref: SupplierRefIn) -> Supplier | None:
    if ref.registry_code:
        match = suppliers.filter(registry_code=ref.registry_code.strip())
        if ref.country:
            match = match.filter(country=ref.country.upper())
        if supplier := match.first():
            return supplier
    if ref.vat_number:
        vat = "".join(ref.vat_number.split()).upper()
        if ref.country:
            # An invalid number matches nothing; creating the supplier will report why.
            with contextlib.suppress(ValueError):
                vat = validate_vat_number(vat, ref.country)
        return suppliers.filter(vat_number=vat).first()
    return None
