"""Every write of coding: posting lines derived or replaced, prebooking splits."""

from __future__ import annotations

from payables.coding.services.derivation import derive_posting_lines
from payables.coding.services.posting_lines import replace_posting_lines
from payables.coding.services.prebooking import set_prebooking

__all__ = ["derive_posting_lines", "replace_posting_lines", "set_prebooking"]
