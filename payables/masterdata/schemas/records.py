"""Shapes shared by every coded master data kind: codes, list filters.

Patch schemas give every field a default of None but a type without None: a field left
out keeps its value, a field sent as ``null`` where null means nothing is a 422.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from payables.schema_types import PageParams, Timestamp

# A company's own code: no slash (it travels in URL paths), no surrounding spaces.
CODE_PATTERN = r"^[^\s/](?:[^/\x00-\x1f\x7f]*[^\s/])?$"
Code = Annotated[
    str,
    Field(
        min_length=1,
        max_length=50,
        pattern=CODE_PATTERN,
        description="The company's own code: 1-50 characters, no slash.",
    ),
]
Name = Annotated[str, Field(min_length=1, max_length=200)]
RequestId = Annotated[
    str | None,
    Field(max_length=255, description="Idempotency key, if not sent as a header."),
]


class RecordFilters(PageParams):
    code: str | None = Field(None, max_length=50, description="Exactly this code.")
    is_active: bool | None = None
    q: str | None = Field(
        None,
        max_length=200,
        description="Search the code and the name (items: description; users: email).",
    )
    modified_after: Timestamp | None = None
    modified_before: Timestamp | None = None
