"""Errors of the master data app."""

from __future__ import annotations

from payables.errors import Conflict


class DuplicateSupplier(Conflict):
    """A supplier with the same registry code, VAT number or ERP code exists already."""

    code = "duplicate_supplier"
