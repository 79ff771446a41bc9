"""Writes of suppliers: create, update, upsert by ERP code, deactivate.

Identifiers and bank accounts are checked; registry code, VAT number and ERP code are each
unique within the company. An upsert names its supplier by ERP code, as other kinds name
theirs by code. Where no supplier has that ERP code yet, or the upsert gives none, it takes
the supplier with the same registry code (and country), else the same VAT number — unless
that one has another ERP code, which makes it another supplier. So a supplier first made
from an invoice is adopted by the ERP that sends it later, and one found without an ERP
code keeps the ERP code it has.

Input is plain data: the fields as ``SupplierIn`` dumps them, optional ones left out taking
their defaults, and ``bank_accounts`` as dicts with ``iban`` and (optionally) ``bic``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from payables.errors import FieldError, Loc, PayablesError, ValidationFailed
from payables.events import event_types
from payables.events.batch_reads import write_batch
from payables.events.services import NewEvent, lock_company_writes, record_event, record_events
from payables.identifiers import (
    validate_bic,
    validate_iban,
    validate_registry_code,
    validate_vat_number,
)
from payables.masterdata.errors import DuplicateSupplier
from payables.masterdata.models import Supplier, SupplierBankAccount
from payables.masterdata.payloads import supplier_payload
from payables.masterdata.services.records import Changes, Data, Upserted
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company
from payables.tenancy.services import take_next_value, take_next_values

# The counter of the suppliers' ``internal_id``s, per company.
SUPPLIER_COUNTER = "supplier"

_FIELDS = (
    "name", "country", "registry_code", "vat_number", "street", "postal_code", "city",
    "erp_code", "default_currency", "is_active",
)  # fmt: skip


def create_supplier(data: Data, *, actor: Actor, loc: Loc = ()) -> Supplier:
    """Create a supplier after checking its identifiers and bank accounts.

    ``loc`` prefixes error locations when the supplier is embedded in another payload.
    """
    fields, accounts = _clean(_pick(data), data.get("bank_accounts") or [], loc=loc)
    with transaction.atomic():
        lock_company_writes(actor.company)
        _Known.load(actor.company, [fields]).refuse_duplicate(fields, exclude=None)
        try:
            with transaction.atomic():
                supplier = _create(actor.company, fields)
        except IntegrityError:  # a concurrent request created it first
            _Known.load(actor.company, [fields]).refuse_duplicate(fields, exclude=None)
            raise DuplicateSupplier(
                "A supplier with the same identity was created concurrently."
            ) from None
        _add_accounts(supplier, accounts)
        record_event(
            event_types.SUPPLIER_CREATED,
            actor=actor,
            subject_type="supplier",
            subject_id=supplier.id,
            payload=supplier_payload(supplier),
        )
    return supplier


def update_supplier(supplier: Supplier, patch: Changes, *, actor: Actor) -> Supplier:
    """Change the given fields; ``bank_accounts``, when given, replaces the list."""
    changes = _pick(patch)
    if changes.get("name") is None:
        changes.pop("name", None)
    if changes.get("country") is None:
        changes.pop("country", None)
    if changes.get("is_active") is None:
        changes.pop("is_active", None)
    stored = {f: getattr(supplier, f) for f in _FIELDS}
    fields, accounts = _clean(stored | changes, patch.get("bank_accounts"), loc=())
    if fields == stored and (accounts is None or accounts == _accounts_of(supplier)):
        return supplier  # nothing changes: no write, no event, as for the other kinds
    with transaction.atomic():
        lock_company_writes(actor.company)
        _Known.load(actor.company, [fields]).refuse_duplicate(fields, exclude=supplier)
        was_active = supplier.is_active
        for name, value in fields.items():
            setattr(supplier, name, value)
        supplier.save()
        if accounts is not None:
            _replace_accounts(supplier, accounts)
        record_event(
            _changed_event(supplier, was_active=was_active),
            actor=actor,
            subject_type="supplier",
            subject_id=supplier.id,
            payload=supplier_payload(supplier),
        )
    return supplier


def _accounts_of(supplier: Supplier) -> list[tuple[str, str]]:
    return [(a.iban, a.bic) for a in supplier.bank_accounts.all()]


def deactivate_supplier(supplier: Supplier, *, actor: Actor) -> Supplier:
    """Mark a supplier inactive; an inactive one stays as it is, with no event."""
    with transaction.atomic():
        lock_company_writes(actor.company)
        supplier.refresh_from_db()
        if not supplier.is_active:
            return supplier
        supplier.is_active = False
        supplier.save(update_fields=["is_active", "modified_at"])
        record_event(
            event_types.SUPPLIER_DEACTIVATED,
            actor=actor,
            subject_type="supplier",
            subject_id=supplier.id,
            payload=supplier_payload(supplier),
        )
    return supplier


@dataclass(frozen=True)
class SupplierPlan:
    """A supplier upsert checked and ready to write (see ``upsert_suppliers``)."""

    fields: dict  # with ``erp_code``; "" when the registry code or VAT number names it
    accounts: list[tuple[str, str]]  # (IBAN, BIC), replacing the stored ones


def plan_supplier(erp_code: str, data: Data) -> SupplierPlan:
    """Check an upsert of the supplier this ERP code (or else its identifiers) names."""
    values = _pick(data) | {"erp_code": erp_code}
    fields, accounts = _clean(values, data.get("bank_accounts") or [], loc=())
    if not (fields["erp_code"] or fields["registry_code"] or fields["vat_number"]):
        # Without one, a re-sent supplier could not be recognised and would be made again.
        message = "Give an erp_code, registry_code or vat_number to recognise the supplier by."
        raise ValidationFailed([FieldError(message, loc=["erp_code"], code="missing_identity")])
    return SupplierPlan(fields, accounts or [])


def upsert_supplier(erp_code: str, data: Data, *, actor: Actor) -> Upserted[Supplier]:
    """Create the supplier the ERP code names, or make it match ``data`` (see module doc)."""
    (result,) = upsert_suppliers([plan_supplier(erp_code, data)], actor=actor)
    if isinstance(result, PayablesError):
        raise result
    return result


def upsert_suppliers(
    plans: Sequence[SupplierPlan], *, actor: Actor
) -> list[Upserted[Supplier] | PayablesError]:
    """Write each plan; answer, in order, what it did or the error that refused it.

    One read finds the suppliers all plans could name; suppliers equal to their plan are
    answered without the company's lock. The others are written in one transaction, with
    a ``supplier.created``, ``.updated`` or ``.deactivated`` event each: new suppliers
    together (one insert of suppliers, one of bank accounts, one of events), each change
    in its own savepoint. Events follow the order of the plans.
    """
    results: list[Upserted[Supplier] | PayablesError | None] = [None] * len(plans)
    known = _Known.load(actor.company, [plan.fields for plan in plans])
    pending = []
    for index, plan in enumerate(plans):
        supplier = known.find(plan.fields)
        if supplier is not None and not _differs(supplier, _effective(plan, supplier), plan):
            results[index] = Upserted(supplier, "unchanged")
        else:
            pending.append(index)
    if pending:
        with transaction.atomic(), write_batch(actor.company):
            lock_company_writes(actor.company)
            known = _Known.load(actor.company, [plans[i].fields for i in pending])
            new = _NewSuppliers(known, actor)
            for index in pending:
                plan = plans[index]
                supplier = known.find(plan.fields)
                if supplier is None:
                    results[index] = new.add(index, plan)
                    continue
                new.flush(results)  # what it names may be new; its event comes after theirs
                results[index] = _write(plan, known, actor)
            new.flush(results)
    return results


class _NewSuppliers:
    """Suppliers to create, checked against ``known`` (which indexes them at once, so a
    later plan naming one sees it) and written together by ``flush``."""

    def __init__(self, known: _Known, actor: Actor) -> None:
        self.known, self.actor = known, actor
        self.waiting: list[tuple[int, SupplierPlan, Supplier]] = []

    def add(self, index: int, plan: SupplierPlan) -> Upserted[Supplier] | PayablesError | None:
        """Queue the plan's supplier, or answer the refusal of its identity."""
        fields = _effective(plan, None)
        try:
            self.known.refuse_duplicate(fields, exclude=None)
        except PayablesError as exc:
            return exc
        supplier = Supplier(company=self.actor.company, **fields)
        self.known.add(supplier)
        self.waiting.append((index, plan, supplier))
        return None  # answered by ``flush``

    def flush(self, results: list) -> None:
        """Write the queued suppliers: internal ids, suppliers, bank accounts and events in
        one statement each. Should the database refuse them (a writer that does not take
        the company's lock), they are written one by one, each refusal its own answer."""
        waiting, self.waiting = self.waiting, []
        if not waiting:
            return
        company = self.actor.company
        try:
            with transaction.atomic():  # a savepoint: a refusal gives the internal ids back
                last = take_next_values(company, SUPPLIER_COUNTER, len(waiting))
                for offset, (_, _, supplier) in enumerate(waiting):
                    supplier.internal_id = last - len(waiting) + 1 + offset
                Supplier.objects.bulk_create([supplier for _, _, supplier in waiting])
                SupplierBankAccount.objects.bulk_create(
                    SupplierBankAccount(supplier=supplier, iban=iban, bic=bic, position=i)
                    for _, plan, supplier in waiting
                    for i, (iban, bic) in enumerate(plan.accounts)
                )
                record_events(
                    [
                        NewEvent(
                            event_types.SUPPLIER_CREATED, "supplier", supplier.id,
                            supplier_payload(supplier),
                        )
                        for _, _, supplier in waiting
                    ],
                    actor=self.actor,
                )  # fmt: skip
        except IntegrityError:
            for _, _, supplier in waiting:
                self.known.discard(supplier)
            for index, plan, _ in waiting:
                results[index] = _write(plan, self.known, self.actor)
            return
        for index, _, supplier in waiting:
            results[index] = Upserted(supplier, "created")


def _write(plan: SupplierPlan, known: _Known, actor: Actor) -> Upserted[Supplier] | PayablesError:
    """Create or change the supplier the plan names, under the company's lock."""
    try:
        with transaction.atomic():  # a savepoint: a refused supplier undoes only itself
            supplier = known.find(plan.fields)
            fields = _effective(plan, supplier)
            known.refuse_duplicate(fields, exclude=supplier)
            if supplier is None:
                supplier = _create(actor.company, fields)
                _add_accounts(supplier, plan.accounts)
                event, outcome = event_types.SUPPLIER_CREATED, "created"
            elif not _differs(supplier, fields, plan):
                return Upserted(supplier, "unchanged")
            else:
                was_active = supplier.is_active
                for name, value in fields.items():
                    setattr(supplier, name, value)
                supplier.save()
                if _accounts_of(supplier) != plan.accounts:
                    _replace_accounts(supplier, plan.accounts)
                    supplier.refresh_from_db(fields=["bank_accounts"])  # forget the prefetched
                event, outcome = _changed_event(supplier, was_active=was_active), "updated"
            record_event(
                event,
                actor=actor,
                subject_type="supplier",
                subject_id=supplier.id,
                payload=supplier_payload(supplier),
            )
    except PayablesError as exc:
        return exc
    except IntegrityError:  # a writer that does not take the company's lock got there first
        return DuplicateSupplier("A supplier with the same identity was created concurrently.")
    known.add(supplier)
    return Upserted(supplier, outcome)


def _create(company: Company, fields: dict) -> Supplier:
    """Store a new supplier with the company's next ``internal_id`` (inside a savepoint:
    a refused supplier gives its number back)."""
    internal_id = take_next_value(company, SUPPLIER_COUNTER)
    return Supplier.objects.create(company=company, internal_id=internal_id, **fields)


def _effective(plan: SupplierPlan, supplier: Supplier | None) -> dict:
    """The plan's fields; a supplier named without an ERP code keeps the one it has."""
    if plan.fields["erp_code"] or supplier is None:
        return plan.fields
    return plan.fields | {"erp_code": supplier.erp_code}


def _differs(supplier: Supplier, fields: dict, plan: SupplierPlan) -> bool:
    changed = any(getattr(supplier, name) != value for name, value in fields.items())
    return changed or _accounts_of(supplier) != plan.accounts


def _accounts_of(supplier: Supplier) -> list[tuple[str, str]]:
    return [(a.iban, a.bic) for a in supplier.bank_accounts.all()]


def _changed_event(supplier: Supplier, *, was_active: bool) -> str:
    if was_active and not supplier.is_active:
        return event_types.SUPPLIER_DEACTIVATED
    return event_types.SUPPLIER_UPDATED


def _pick(values: Mapping[str, Any]) -> dict[str, Any]:
    """The supplier's own fields among the input's (bank accounts are apart)."""
    return {name: values[name] for name in _FIELDS if name in values}


def _clean(
    fields: dict, accounts: Sequence[Mapping[str, Any]] | None, *, loc: Loc
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


def _clean_accounts(accounts: Sequence[Mapping[str, Any]], *, loc: Loc) -> list[tuple[str, str]]:
    errors: list[FieldError] = []
    cleaned = []
    for index, account in enumerate(accounts):
        iban = bic = ""
        try:
            iban = validate_iban(account["iban"])
        except ValueError as exc:
            errors.append(FieldError(str(exc), loc=[*loc, index, "iban"], code="invalid_iban"))
        if account.get("bic"):
            try:
                bic = validate_bic(account["bic"])
            except ValueError as exc:
                errors.append(FieldError(str(exc), loc=[*loc, index, "bic"], code="invalid_bic"))
        cleaned.append((iban, bic))
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _replace_accounts(supplier: Supplier, accounts: list[tuple[str, str]]) -> None:
    supplier.bank_accounts.all().delete()
    _add_accounts(supplier, accounts)


def _add_accounts(supplier: Supplier, accounts: list[tuple[str, str]]) -> None:
    SupplierBankAccount.objects.bulk_create(
        SupplierBankAccount(supplier=supplier, iban=iban, bic=bic, position=i)
        for i, (iban, bic) in enumerate(accounts)
    )


class _Known:
    """The company's suppliers that some identities could name, indexed by each identity.

    Read once for a batch (with bank accounts), then kept up to date with its writes: under
    the company's lock it answers what the database would, without a query per supplier.
    """

    def __init__(self, suppliers: Iterable[Supplier]) -> None:
        self._index: dict[tuple, Supplier] = {}
        self._keys: dict[object, list[tuple]] = {}
        for supplier in suppliers:
            self.add(supplier)

    @classmethod
    def load(cls, company: Company, identities: Sequence[dict]) -> _Known:
        """Read the suppliers holding any ERP code, registry code or VAT number given."""
        query = Q()
        for name in ("erp_code", "registry_code", "vat_number"):
            if values := {f[name] for f in identities if f[name]}:
                query |= Q(**{f"{name}__in": values})
        if not query:
            return cls([])
        found = Supplier.objects.for_company(company).filter(query)
        return cls(found.prefetch_related("bank_accounts"))

    def add(self, supplier: Supplier) -> None:
        """Index a supplier as it now is (again, after a write changed its identifiers)."""
        self.discard(supplier)
        stored = {name: getattr(supplier, name) for name in _IDENTITY_FIELDS}
        keys = [key for _, key in _identities(stored) if key[-1]]
        for key in keys:
            self._index[key] = supplier
        self._keys[supplier.pk] = keys

    def discard(self, supplier: Supplier) -> None:
        """Forget a supplier (one that was not written after all)."""
        for key in self._keys.pop(supplier.pk, ()):
            del self._index[key]

    def find(self, fields: dict) -> Supplier | None:
        """The supplier an upsert names: by ERP code, else registry code, else VAT number."""
        erp_code = fields["erp_code"]
        if erp_code and (supplier := self._index.get(("erp_code", erp_code))):
            return supplier
        for name, key in _identities(fields):
            if name == "erp_code" or not key[-1]:
                continue
            supplier = self._index.get(key)
            if supplier is not None and not (erp_code and supplier.erp_code):
                return supplier
        return None

    def refuse_duplicate(self, fields: dict, *, exclude: Supplier | None) -> None:
        """Name the supplier (other than ``exclude``) that holds one of these identities."""
        for name, key in _identities(fields):
            holder = self._index.get(key) if key[-1] else None
            if holder is not None and (exclude is None or holder.pk != exclude.pk):
                raise DuplicateSupplier(
                    f"A supplier with this {name.replace('_', ' ')} exists already.",
                    extra={"existing_id": str(holder.id), "field": name},
                )


_IDENTITY_FIELDS = ("country", "registry_code", "vat_number", "erp_code")


def _identities(fields: dict) -> list[tuple[str, tuple]]:
    """Each identity of a supplier (or its fields) as an index key, in the order checked."""
    return [
        ("registry_code", ("registry_code", fields["country"], fields["registry_code"])),
        ("vat_number", ("vat_number", fields["vat_number"])),
        ("erp_code", ("erp_code", fields["erp_code"])),
    ]
