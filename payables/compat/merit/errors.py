"""Refusals as Merit answers them: a status and a description, here also located.

Merit answers a refused request with 400 and a description of the error, and a failed
signature with 401 ``api-wrongsignature``. payables answers in the same statuses with a
JSON body in Merit's PascalCase, its ``Message`` the description (every problem, each led
by the Merit field it is about) and ``Errors`` one located item per problem. A request
that is not let in has Merit's word as its ``Message``: ``api-wrongsignature`` (signature
or timestamp), ``api-unknownapiid`` (no active key has the ApiId; Merit answers that with
an empty body)::

    {"Message": "InvoiceRow[0].TaxId: No VAT code has this TaxId; gettaxes lists them.",
     "Errors": [{"Field": "InvoiceRow[0].TaxId", "Loc": ["InvoiceRow", 0, "TaxId"],
                 "Message": "No VAT code has this TaxId; gettaxes lists them.",
                 "Type": "unknown_code"}]}
"""

from __future__ import annotations

import re

from payables.errors import NotAuthenticated, PayablesError, ValidationFailed
from payables.tenancy.errors import IdempotentRequestInProgress

# Merit's own answer to a request whose signature does not verify.
WRONG_SIGNATURE = "api-wrongsignature"

# The statuses Merit answers with besides 400, by payables' status of the refusal.
KEPT_STATUSES = {401, 403, 404, 405, 413}

# Native field names that can appear in a service's message, in Merit's words.
_NAMES = {
    "net_amount": "TotalAmount",
    "vat_amount": "TaxAmount",
    "rounding_amount": "RoundingAmount",
    "invoice_number": "BillNo",
    "invoice_date": "DocDate",
    "vat_breakdown": "TaxAmount",
}
_NAME_PATTERN = re.compile(r"\b(" + "|".join(_NAMES) + r")\b")
# Where refusals the services do not locate are about.
_UNLOCATED = {"duplicate_invoice_number": ("BillNo",)}


class MeritAuthFailed(NotAuthenticated):
    """The ApiId, timestamp or signature does not let the request in."""

    def __init__(self, message: str, *, answer: str, loc: list) -> None:
        super().__init__(message, code=answer, loc=loc)


def field_path(loc: tuple | list) -> str:
    """A location as Merit's binder names fields.

    >>> field_path(("InvoiceRow", 0, "Item", "Code")), field_path(())
    ('InvoiceRow[0].Item.Code', '')
    """
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


def translate(loc: tuple | list, origins: dict[tuple, tuple]) -> tuple:
    """A native location in Merit's names: the longest known start, the rest as it is.

    >>> translate(["rows", 0, "vat_code"], {("rows", 0, "vat_code"): ("InvoiceRow", 0, "TaxId")})
    ('InvoiceRow', 0, 'TaxId')
    """
    loc = tuple(loc)
    for end in range(len(loc), 0, -1):
        if loc[:end] in origins:
            return (*origins[loc[:end]], *loc[end:])
    return loc


def merit_status(exc: PayablesError) -> int:
    """Merit's status for a refusal: 400 unless it is about access, size or a retry."""
    if isinstance(exc, IdempotentRequestInProgress):
        return 409
    return exc.status if exc.status in KEPT_STATUSES else 400


def merit_body(exc: PayablesError, origins: dict[tuple, tuple] | None = None) -> dict:
    """The answer's body; native locations are translated with ``origins``."""
    errors = exc.errors if isinstance(exc, ValidationFailed) else [exc]
    items = []
    for error in errors:
        loc = translate(error.loc or _UNLOCATED.get(error.code, ()), origins or {})
        message = _NAME_PATTERN.sub(lambda m: _NAMES[m[1]], error.message)
        item = {"Field": field_path(loc), "Loc": list(loc), "Message": message, "Type": error.code}
        if "existing_id" in error.extra:  # a duplicate BillNo: the invoice that has it
            item["ExistingBillId"] = error.extra["existing_id"]
        items.append(item)
    if isinstance(exc, MeritAuthFailed):
        message = exc.code  # Merit's word for it, as its own API answers
    else:
        message = "; ".join(
            f"{item['Field']}: {item['Message']}" if item["Field"] else item["Message"]
            for item in items
        )
    return {"Message": message, "Errors": items}
