"""What the engine learns from and answers with: lines, booked examples, suggestions.

Targets are named ``account``, ``vat_code`` and ``dimension:<type code>``. A booked line
without a value for a dimension type teaches "no value" (the empty label ``""``): most
lines carry no project, and the engine should learn that too. A line without an account
or VAT code teaches nothing about that target (it was never coded).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

ACCOUNT = "account"
VAT_CODE = "vat_code"
DIMENSION_PREFIX = "dimension:"


def dimension_target(type_code: str) -> str:
    """The target name of a dimension type.

    >>> dimension_target("project")
    'dimension:project'
    """
    return DIMENSION_PREFIX + type_code


@dataclass(frozen=True)
class Line:
    """What is known of a line before it is coded."""

    supplier: str  # a stable key of the supplier (its id)
    text: str  # the row's description
    amount: Decimal = Decimal(0)  # net, in the invoice's currency
    currency: str = ""
    item_code: str = ""  # the seller's product code, or the company's item


@dataclass(frozen=True)
class Example:
    """A booked line and how it was coded: target name → label."""

    line: Line
    labels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def booked(
        cls,
        line: Line,
        *,
        account: str = "",
        vat_code: str = "",
        dimensions: Mapping[str, str] | None = None,
        dimension_types: tuple[str, ...] = (),
    ) -> Example:
        """Build an example from a booked line's coding.

        ``dimension_types``: the types the company uses; those the line leaves empty are
        learned as "no value".
        """
        dimensions = dict(dimensions or {})
        labels = {ACCOUNT: account, VAT_CODE: vat_code}
        for type_code in sorted({*dimension_types, *dimensions}):
            labels[dimension_target(type_code)] = str(dimensions.get(type_code) or "")
        return cls(line, labels)


@dataclass(frozen=True)
class Suggestion:
    """A label and the probability the engine gives it (0-1)."""

    label: str
    probability: float
