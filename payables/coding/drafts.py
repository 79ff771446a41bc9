"""A posting line before it is stored: what derivation, rules and suggestions pass along."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class LineDraft:
    """One line to be coded. ``source`` says who coded it (see ``PostingLine.Source``)."""

    position: int
    net_amount: Decimal
    vat_amount: Decimal = Decimal(0)
    vat_rate: Decimal | None = None
    row_position: int | None = None
    description: str = ""
    item_code: str = ""  # the seller's product code on the row
    product_code: str = ""  # the company's product item
    account_code: str = ""
    vat_code: str = ""
    dimensions: dict[str, str] = field(default_factory=dict)
    source: str = "row"
    confidence: Decimal | None = None

    @property
    def is_coded(self) -> bool:
        """The row named its coding (or an item did): rules and suggestions leave it be."""
        return bool(self.account_code)
