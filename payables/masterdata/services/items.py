"""Writes of product items and their seller mappings (supplier + seller code → item)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Q

from payables.events import event_types
from payables.masterdata import queries
from payables.masterdata.errors import DuplicateSellerMapping
from payables.masterdata.models import (
    Account,
    DimensionValue,
    ProductItem,
    SellerMapping,
    Supplier,
    VatCode,
)
from payables.masterdata.payloads import item_payload
from payables.masterdata.services.checks import Problems, References
from payables.masterdata.services.records import (
    Changes,
    Data,
    Kind,
    Plan,
    Upserted,
    create_record,
    deactivate_record,
    update_record,
    upsert_record,
    without_code,
)
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company

ITEM = Kind(
    model=ProductItem,
    details=queries.items,
    payload=item_payload,
    created_event=event_types.ITEM_CREATED,
    updated_event=event_types.ITEM_UPDATED,
    deactivated_event=event_types.ITEM_DEACTIVATED,
)
_PLAIN = ("code", "description", "type", "unit", "default_dimensions", "is_active")

Pair = tuple[Supplier, str]


class _SellerMappings:
    """The item's seller mappings, replaced as a whole by the given pairs."""

    def __init__(self, pairs: list[Pair]) -> None:
        self.wanted = {(supplier.pk, code) for supplier, code in pairs}
        self.pairs = pairs

    def differs(self, item: ProductItem) -> bool:
        return _stored(item) != self.wanted

    def write(self, item: ProductItem) -> None:
        # One read: the item's own mappings and any other item's holding a wanted pair.
        found = SellerMapping.objects.filter(
            Q(item=item)
            | Q(supplier__in={s for s, _ in self.pairs}, seller_code__in={c for _, c in self.pairs})
        ).select_related("item")
        stored = {(m.supplier_id, m.seller_code) for m in found if m.item_id == item.pk}
        added = [(s, c) for s, c in self.pairs if (s.pk, c) not in stored]
        for mapping in found:
            if (
                mapping.item_id != item.pk
                and (mapping.supplier_id, mapping.seller_code) in self.wanted
            ):
                raise DuplicateSellerMapping(
                    f"Seller code {mapping.seller_code!r} of this supplier is mapped to item "
                    f"{mapping.item.code!r} already.",
                    extra={"existing_id": str(mapping.item_id), "field": "seller_mappings"},
                )
        for supplier_id, code in stored - self.wanted:
            item.seller_mappings.filter(supplier_id=supplier_id, seller_code=code).delete()
        SellerMapping.objects.bulk_create(
            SellerMapping(company_id=item.company_id, item=item, supplier=s, seller_code=c)
            for s, c in added
        )


def create_item(data: Data, *, actor: Actor) -> ProductItem:
    """Create an item; account, VAT code, dimensions and suppliers are named by code.

    ``seller_mappings`` are dicts with ``seller_code`` and the supplier's ``supplier_id``
    or its ``supplier_code`` (ERP code), the other one None or left out.
    """
    fields, mappings = _clean(data, company=actor.company)
    return create_record(ITEM, fields, actor=actor, related=mappings)


def update_item(item: ProductItem, patch: Changes, *, actor: Actor) -> ProductItem:
    """Change the given fields; ``seller_mappings``, when given, replace the stored ones.

    Each given mapping is checked as on create (a patch leaves out what it does not send,
    inside the list too: a mapping may name only its ``supplier_code``).
    """
    changes = dict(patch)
    return update_record(
        ITEM,
        item,
        lambda fresh: _clean(_as_input(fresh) | changes, company=actor.company),
        actor=actor,
    )


def upsert_item(code: str, data: Data, *, actor: Actor) -> Upserted[ProductItem]:
    return upsert_record(ITEM, plan_item(code, data, actor=actor), actor=actor)


def plan_item(code: str, data: Data, *, actor: Actor, references: References | None = None) -> Plan:
    """Check an upsert of the item with this code (``upsert_records`` writes it)."""
    fields, mappings = _clean(without_code(data), company=actor.company, references=references)
    return Plan({"code": code}, fields, mappings)


def deactivate_item(item: ProductItem, *, actor: Actor) -> ProductItem:
    return deactivate_record(ITEM, item, actor=actor)


def _clean(
    values: Data, *, company: Company, references: References | None = None
) -> tuple[dict, _SellerMappings | None]:
    """Resolve every code within the company; all unknown ones are named in one 422."""
    problems = Problems(references)
    fields = {name: values[name] for name in _PLAIN if name in values}
    fields["default_account"] = problems.reference(
        Account.objects.for_company(company),
        values["default_account"],
        loc=["default_account"],
        what="account",
    )
    fields["default_vat_code"] = problems.reference(
        VatCode.objects.for_company(company),
        values["default_vat_code"],
        loc=["default_vat_code"],
        what="VAT code",
    )
    _check_dimensions(values["default_dimensions"], company=company, problems=problems)
    mappings = values.get("seller_mappings")
    pairs = None if mappings is None else _resolve_mappings(mappings, company, problems)
    problems.raise_any()
    return fields, (None if pairs is None else _SellerMappings(pairs))


def _check_dimensions(
    dimensions: Mapping[str, str], *, company: Company, problems: Problems
) -> None:
    def fetch(pairs: list[tuple[str, str]]) -> dict:
        found = (
            DimensionValue.objects.for_company(company)
            .filter(type__code__in={t for t, _ in pairs}, code__in={v for _, v in pairs})
            .values_list("type__code", "code")
        )
        return dict.fromkeys(found, True)

    known = problems.references.many(DimensionValue, dimensions.items(), fetch)
    for type_code, value_code in dimensions.items():
        if not known[type_code, value_code]:
            problems.add(
                f"There is no {type_code} dimension value with code {value_code!r}.",
                loc=["default_dimensions", type_code],
                code="unknown_code",
            )


def _resolve_mappings(
    mappings: Sequence[Mapping[str, Any]], company: Company, problems: Problems
) -> list[Pair]:
    """Find each mapping's supplier (by id or ERP code); refuse a pair given twice."""
    suppliers = Supplier.objects.for_company(company)
    # A patch leaves out the fields a mapping does not send: the other one is None.
    mappings = [{"supplier_id": None, "supplier_code": None, **m} for m in mappings]
    by_id = problems.references.many(
        (Supplier, "id"),
        [m["supplier_id"] for m in mappings if m["supplier_id"] is not None],
        lambda ids: suppliers.in_bulk(ids),
    )
    by_code = problems.references.many(
        (Supplier, "erp_code"),
        [m["supplier_code"] for m in mappings if m["supplier_code"] is not None],
        # An empty code names no supplier (many have no ERP code).
        lambda codes: {s.erp_code: s for s in suppliers.filter(erp_code__in=codes) if s.erp_code},
    )
    pairs, seen = [], set()
    for index, mapping in enumerate(mappings):
        loc = ["seller_mappings", index]
        if mapping["supplier_id"] is not None:
            supplier = by_id.get(mapping["supplier_id"])
            missing = ("supplier_id", f"There is no supplier with id {mapping['supplier_id']}.")
        else:
            supplier = by_code.get(mapping["supplier_code"])
            missing = (
                "supplier_code",
                f"There is no supplier with ERP code {mapping['supplier_code']!r}.",
            )
        if supplier is None:
            problems.add(missing[1], loc=[*loc, missing[0]], code="unknown_supplier")
            continue
        key = (supplier.pk, mapping["seller_code"])
        if key in seen:
            problems.add(
                "This supplier and seller code are given twice.",
                loc=[*loc, "seller_code"],
                code="duplicate",
            )
        seen.add(key)
        pairs.append((supplier, mapping["seller_code"]))
    return pairs


def _stored(item: ProductItem) -> set[tuple[object, str]]:
    """The item's mappings (as ``queries.items`` prefetches them, if it did)."""
    return {(m.supplier_id, m.seller_code) for m in item.seller_mappings.all()}


def _as_input(item: ProductItem) -> dict:
    """The item's fields as input, for a patch to overlay; mappings stay unless given."""
    return {
        "code": item.code,
        "description": item.description,
        "type": item.type,
        "unit": item.unit,
        "default_account": item.default_account.code if item.default_account_id else None,
        "default_vat_code": item.default_vat_code.code if item.default_vat_code_id else None,
        "default_dimensions": item.default_dimensions,
        "is_active": item.is_active,
    }
