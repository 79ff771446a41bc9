"""The company's matching tolerances and its suppliers' own."""

from __future__ import annotations

from django.db import transaction

from payables.events.services import lock_company_writes
from payables.masterdata.models import Supplier
from payables.orders.models import MatchTolerance
from payables.tenancy.actors import Actor

LIMITS = ("price_percent", "price_amount", "quantity_percent", "total_percent", "total_amount")


def set_tolerance(
    limits: dict, *, actor: Actor, supplier: Supplier | None = None
) -> MatchTolerance:
    """Store the company's tolerances (``supplier`` None) or one supplier's; the next
    invoice matched uses them, matches already made stay as they were judged."""
    with transaction.atomic():
        lock_company_writes(actor.company)
        row, _ = MatchTolerance.objects.get_or_create(company=actor.company, supplier=supplier)
        for name in LIMITS:
            setattr(row, name, limits[name])
        row.save()
    return row


def remove_supplier_tolerance(supplier: Supplier, *, actor: Actor) -> bool:
    """The supplier's invoices are judged by the company's tolerances again."""
    with transaction.atomic():
        lock_company_writes(actor.company)
        rows = MatchTolerance.objects.filter(company=actor.company, supplier=supplier)
        deleted, _ = rows.delete()
    return bool(deleted)
