"""find_or_create_supplier: the supplier lookup of invoices, for parties besides the supplier."""

from __future__ import annotations

import pytest

from payables.errors import ValidationFailed
from payables.invoices.errors import UnknownSupplier
from payables.invoices.inputs import SupplierRefIn
from payables.invoices.services import find_or_create_supplier
from payables.masterdata.models import Supplier
from payables.masterdata.services import create_supplier
from payables.tenancy.actors import Actor


def test_finds_by_registry_code_before_creating(actor, supplier):
    ref = SupplierRefIn(registry_code=supplier.registry_code, name="Other name", country="EE")

    assert find_or_create_supplier(ref, actor=actor) == supplier
    assert Supplier.objects.count() == 1


def test_creates_from_name_and_country(actor):
    found = find_or_create_supplier(SupplierRefIn(name="Jaan Tamm", country="ee"), actor=actor)

    assert (found.name, found.country, found.company) == ("Jaan Tamm", "EE", actor.company)


def test_locates_its_refusals_under_the_given_place(actor):
    with pytest.raises(UnknownSupplier) as unknown:
        find_or_create_supplier(SupplierRefIn(name="No country"), actor=actor, loc=("payee",))
    with pytest.raises(ValidationFailed) as invalid:
        ref = SupplierRefIn(name="X", country="EE", registry_code="123")
        find_or_create_supplier(ref, actor=actor, loc=("payee",))

    assert unknown.value.loc == ("payee",)
    assert [e.loc for e in invalid.value.errors] == [("payee", "registry_code")]


def test_another_companys_supplier_is_not_found_by_id(actor, other_company):
    theirs = create_supplier({"name": "Theirs", "country": "FI"}, actor=Actor.system(other_company))

    with pytest.raises(UnknownSupplier) as unknown:
        find_or_create_supplier(SupplierRefIn(id=theirs.id), actor=actor, loc=("payee",))

    assert unknown.value.loc == ("payee", "id")
