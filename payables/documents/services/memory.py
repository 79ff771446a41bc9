"""Supplier memory: where an accountant found a supplier's fields, used first next time.

A correction is remembered per supplier, keyed by the identifiers printed on its
documents (VAT id, IBAN, registry code), with the label, page and box the value was
found at; the extraction engine reads there first on the supplier's next document.
"""

from __future__ import annotations

from django.db import transaction

from payables.documents.models import SupplierMemory
from payables.tenancy.models import Company

KEY_FIELDS = {"seller_vat_id": "vat", "iban": "iban", "seller_registry_code": "registry"}


def memory_keys(fields: dict[str, dict]) -> list[str]:
    """The keys a document's supplier memory may be found under, surest identifier first.

    >>> memory_keys({"iban": {"value": "EE38 2200 2210 2014 5685"}, "seller_vat_id": {}})
    ['iban:EE382200221020145685']
    """
    keys = []
    for name, prefix in KEY_FIELDS.items():
        value = (fields.get(name) or {}).get("value")
        if value:
            keys.append(f"{prefix}:{''.join(str(value).split()).upper()}")
    return keys


def remember_corrections(
    company: Company, *, keys: list[str], corrected: dict[str, dict]
) -> list[SupplierMemory]:
    """Remember where corrected fields were ({field: {label, page, box}}) under each key."""
    if not keys or not corrected:
        return []
    remembered = []
    with transaction.atomic():
        for key in keys:
            memory, _ = SupplierMemory.objects.select_for_update().get_or_create(
                company=company, key=key
            )
            memory.fields = {**memory.fields, **corrected}
            memory.save(update_fields=["fields", "modified_at"])
            remembered.append(memory)
    return remembered
