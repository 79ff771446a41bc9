"""Checks of meaning shared by the master data kinds, collected into one 422."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from payables.errors import FieldError, Loc, ValidationFailed
from payables.identifiers import validate_iban
from payables.masterdata.errors import UnknownCode

M = TypeVar("M", bound=Model)


class References:
    """What one company's codes name, each looked up once.

    A bulk load names the same few accounts, VAT codes and suppliers thousands of times;
    one instance shared by a chunk's records asks the database once per code. A single
    write uses a fresh instance, so its look-ups are as fresh as the write.
    """

    def __init__(self) -> None:
        self._found: dict[tuple[Hashable, Hashable], Any] = {}

    def many(
        self,
        space: Hashable,
        keys: Iterable[Hashable],
        fetch: Callable[[list], Mapping[Hashable, Any]],
    ) -> dict[Hashable, Any]:
        """Map each key of ``space`` to what it names (None: nothing).

        ``fetch`` is called with the keys not looked up before, and maps those it finds.
        """
        keys = list(dict.fromkeys(keys))
        new = [key for key in keys if (space, key) not in self._found]
        if new:
            found = fetch(new)
            for key in new:
                self._found[space, key] = found.get(key)
        return {key: self._found[space, key] for key in keys}


class Problems:
    """Every problem found in one input, so a single answer names them all."""

    def __init__(self, references: References | None = None) -> None:
        self.errors: list[FieldError] = []
        self.references = references or References()

    def add(self, message: str, *, loc: Loc, code: str = "invalid") -> None:
        self.errors.append(FieldError(message, loc=loc, code=code))

    def reference(
        self, queryset: QuerySet[M], code: str | None, *, loc: Loc, what: str
    ) -> M | None:
        """Resolve a code within the company; an unknown one is a problem at ``loc``.

        ``queryset`` is the company's records of one model: look-ups are shared by model.
        """
        if code is None:
            return None

        def fetch(codes: list[str]) -> dict[str, M]:
            return {r.code: r for r in queryset.filter(code__in=codes)}

        found = self.references.many(queryset.model, [code], fetch)[code]
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
