"""Suppliers get a per-company sequential ``internal_id`` (integer-keyed APIs name them by it)."""

from __future__ import annotations

import pytest

from payables.masterdata.errors import DuplicateSupplier
from payables.masterdata.services import create_supplier, upsert_supplier
from payables.tenancy.actors import Actor


def test_suppliers_are_numbered_per_company_and_a_refused_one_gives_its_number_back(
    actor, other_company
):
    first = create_supplier(
        {"name": "A Oy", "country": "FI", "vat_number": "FI25939313"}, actor=actor
    )
    with pytest.raises(DuplicateSupplier):
        create_supplier({"name": "B Oy", "country": "FI", "vat_number": "FI25939313"}, actor=actor)
    upserted = upsert_supplier("ERP-2", {"name": "C Oy", "country": "FI"}, actor=actor).record
    theirs = create_supplier({"name": "D Oy", "country": "FI"}, actor=Actor.system(other_company))
    assert (first.internal_id, upserted.internal_id, theirs.internal_id) == (1, 2, 1)
