"""Checks of meaning shared by the master data kinds, collected into one 422."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from django.db.models import Model, QuerySet

from payables.errors import FieldError, Loc, ValidationFailed
from payables.identifiers import validate_iban
from payables.masterdata.errors import UnknownCode

M = TypeVar("M", bound=Model)


class Problems:
    """Every problem found in one input, so a single answer names them all."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, message: str, *, loc: Loc, code: str = "invalid") -> None:
        self.errors.append(FieldError(message, loc=loc, code=code))

    def reference(
        self, queryset: QuerySet[M], code: str | None, *, loc: Loc, what: str
    ) -> M | None:
        """Resolve a code within the company; an unknown one is a problem at ``loc``."""
        if code is None:
            return None
        found = queryset.filter(code=code).first()
        if found is None:
            self.errors.append(UnknownCode(f"There is no {what} with code {code!r}.", loc=loc))
        return found

    def period(self, values: Mapping, *, loc: Loc = ()) -> None:
        """A validity period may be open at either end but may not end before it starts."""
        start, end = values.get("valid_from"), values.get("valid_to")
        if start is not None and end is not None and end < start:
            self.add(
                f"valid_to {end} is before valid_from {start}.",
                loc=[*loc, "valid_to"],
                code="invalid_period",
            )

    def iban(self, value: str, *, loc: Loc) -> str:
        """Return the compact IBAN, or the value as given after noting the problem."""
        try:
            return validate_iban(value)
        except ValueError as exc:
            self.add(str(exc), loc=loc, code="invalid_iban")
            return value

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
