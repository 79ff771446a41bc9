"""An accountant's review of a digitized document: corrected fields, then its invoice.

Where each corrected field stands on the page is remembered for the supplier, so its next
document is read there first: as the correction says (page and box, the label beside it),
as it was read (a value confirmed), or as the extraction engine finds the value.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from payables.documents.errors import DocumentNotReviewable
from payables.documents.fields import exact_field
from payables.documents.models import Document
from payables.documents.services.invoicing import make_invoice
from payables.documents.services.memory import memory_keys, remember_corrections
from payables.documents.services.outcomes import (
    DIGITIZED_FEED,
    document_snapshot,
    keep_feed_parts,
    locked_document,
)
from payables.documents.services.pipeline import locate_values
from payables.errors import FieldError, ValidationFailed
from payables.events import event_types
from payables.events.feeds import next_feed_time
from payables.events.services import lock_company_writes, record_event
from payables.tenancy.actors import Actor
from payables.tenancy.permissions import Action, require


def review_document(document: Document, *, actor: Actor, corrections: dict[str, dict]) -> Document:
    """Correct the fields of a document waiting for review and create its invoice.

    ``corrections``: field name → {value, and optionally page, box, label: where the value
    is}. The reviewed document comes to the end of the digitized feed again, with its
    invoice, and ``document.digitized`` is recorded again.
    """
    require(actor, Action.EDIT_INVOICES)
    _check_reviewable(document)
    corrections = checked_corrections(corrections)
    with document.file.open("rb") as stored_file:
        data = stored_file.read()
    fields, learned, to_locate = _corrected(document.fields, corrections)
    if to_locate:  # where the engine finds the values: read before any lock is taken
        learned = locate_values(data, to_locate) | learned
    with transaction.atomic():
        lock_company_writes(document.company)
        stored = locked_document(document)
        _check_reviewable(stored)
        if stored.fields != document.fields:  # reviewed meanwhile: start from what it is now
            fields, learned, _ = _corrected(stored.fields, corrections)
        made = make_invoice(stored, fields, actor=actor, data=data, reviewed=True)
        if made.invoice is None:
            raise ValidationFailed(
                [
                    FieldError(
                        f["message"],
                        loc=["fields", f["location"]] if f["location"] else ["fields"],
                        code=f.get("code") or "invalid",
                    )
                    for f in made.findings
                ]
            )
        stored.fields = fields
        stored.invoice = made.invoice
        stored.findings = made.findings
        stored.state = Document.State.INVOICE_CREATED
        stored.digitized_at = next_feed_time(DIGITIZED_FEED)
        stored.save()
        keep_feed_parts([stored.pk])
        record_event(
            event_types.DOCUMENT_DIGITIZED,
            actor=actor,
            subject_type="document",
            subject_id=stored.id,
            payload=document_snapshot(stored),
        )
        remember_corrections(stored.company, keys=memory_keys(fields), corrected=learned)
    return stored


def _corrected(
    read: dict[str, dict], corrections: dict[str, dict]
) -> tuple[dict[str, dict], dict[str, dict], dict[str, object]]:
    """The fields with the corrections applied; where each corrected value stands (as the
    correction says, or as it was read when confirmed); and the values still to locate."""
    fields = dict(read)
    learned, to_locate = {}, {}
    for name, correction in corrections.items():
        before = fields.get(name) or {}
        where = {key: correction.get(key) for key in ("page", "box", "label")}
        confirmed = correction["value"] == str(before.get("value"))
        if not (where["page"] and where["box"]) and confirmed:
            where = {key: before.get(key) for key in ("page", "box", "label")}
        fields[name] = {
            **exact_field(correction["value"]),
            **{key: value for key, value in where.items() if value},
            "corrected_from": before.get("value"),
        }
        if where["page"] and where["box"]:
            learned[name] = {"label": where["label"] or "", **where}
        else:
            to_locate[name] = correction["value"]
    return fields, learned, to_locate


AMOUNT_FIELDS = ("net_amount", "vat_amount", "gross_amount")


def checked_corrections(corrections: dict[str, dict]) -> dict[str, dict]:
    """Corrections whose values are what their field holds, normalised; every other one is
    a located error. An accountant's value becomes exact data and supplier memory, so an
    amount that is not a number, or an IBAN or BIC failing its check, is refused here
    rather than worked around or learned."""
    checked, problems = {}, []
    for name, correction in corrections.items():
        value = str(correction["value"]).strip()
        try:
            value = _normalised(name, value)
        except ValueError as exc:
            problems.append(FieldError(str(exc), loc=["fields", name, "value"]))
            continue
        checked[name] = {**correction, "value": value}
    if problems:
        raise ValidationFailed(problems)
    return checked


def _normalised(name: str, value: str) -> str:
    if name in AMOUNT_FIELDS:
        text = "".join(value.split()).replace("\u2212", "-")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"Not an amount: {value!r}") from None
        if not amount.is_finite() or abs(amount) >= Decimal("1e13"):
            raise ValueError(f"An amount under 10^13 is needed, not {value!r}")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError(f"An amount with at most two decimals is needed, not {value!r}")
        return str(amount.quantize(Decimal("0.01")))
    try:
        if name == "iban":
            return IBAN(value).compact
        if name == "bic":
            return str(BIC(value))
    except SchwiftyException as exc:
        raise ValueError(f"Not a valid {name.upper()}: {exc}") from None
    return value


def _check_reviewable(document: Document) -> None:
    if document.state != Document.State.DIGITIZED:
        raise DocumentNotReviewable(
            f"The document is {document.state}; only a digitized one waits for review."
        )
