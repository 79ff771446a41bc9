"""What a company's ordered rules (routing rules, coding rules) check alike: their name,
unique per company, their position, and custom field values compared by value."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db.models import Model

from payables.errors import FieldError

MAX_POSITION = 1_000_000


def check_name(company: object, value: object, problems: list[FieldError]) -> str | None:
    """A field check (``errors.check_fields``): a name of 1 to 200 characters, trimmed."""
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 200:
        problems.append(FieldError("Give a name of 1 to 200 characters", loc=["name"]))
        return None
    return value.strip()


def check_position(company: object, value: object, problems: list[FieldError]) -> int | None:
    """A field check: a whole number from 0 to ``MAX_POSITION`` (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POSITION:
        problems.append(FieldError(f"Give a whole number 0 to {MAX_POSITION}", loc=["position"]))
        return None
    return value


def duplicate_name(
    model: type[Model], company: object, name: str, rule: Model | None, *, what: str
) -> FieldError | None:
    """The refusal of a name another of the company's rules has (``rule`` is the one changed)."""
    others = model.objects.filter(company=company, name=name)  # type: ignore[attr-defined]
    if not (others.exclude(pk=rule.pk) if rule else others).exists():
        return None
    return FieldError(
        f"The company has a {what} named {name!r} already", loc=["name"], code="duplicate_name"
    )


def comparable(value: object) -> str:
    """A custom field value as rules compare it: numbers by value (``100.00`` is ``100``).

    >>> comparable("100.00"), comparable(" IT "), comparable(Decimal("1E+2"))
    ('100', 'IT', '100')
    """
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return format(number.normalize(), "f") if number.is_finite() else text
