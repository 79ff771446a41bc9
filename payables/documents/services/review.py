"""An accountant's review of a digitized document: corrected fields, then its invoice.

Corrections that say where on the page the value is (page and box, and the label beside
it) are remembered for the supplier, so its next document is read there first.
"""

from __future__ import annotations

from django.db import transaction

from payables.documents.errors import DocumentNotReviewable
from payables.documents.fields import exact_field
from payables.documents.models import Document
from payables.documents.services.invoicing import make_invoice
from payables.documents.services.memory import memory_keys, remember_corrections
from payables.documents.services.outcomes import DIGITIZED_FEED, document_snapshot, locked_document
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
    with document.file.open("rb") as stored_file:
        data = stored_file.read()
    with transaction.atomic():
        lock_company_writes(document.company)
        stored = locked_document(document)
        _check_reviewable(stored)
        fields = dict(stored.fields)
        learned = {}
        for name, correction in corrections.items():
            before = fields.get(name) or {}
            where = {key: correction.get(key) for key in ("page", "box", "label")}
            fields[name] = {
                **exact_field(correction["value"]),
                **{key: value for key, value in where.items() if value},
                "corrected_from": before.get("value"),
            }
            if where["page"] and where["box"]:
                learned[name] = {"label": where["label"] or "", **where}
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
        record_event(
            event_types.DOCUMENT_DIGITIZED,
            actor=actor,
            subject_type="document",
            subject_id=stored.id,
            payload=document_snapshot(stored),
        )
        remember_corrections(stored.company, keys=memory_keys(fields), corrected=learned)
    return stored


def _check_reviewable(document: Document) -> None:
    if document.state != Document.State.DIGITIZED:
        raise DocumentNotReviewable(
            f"The document is {document.state}; only a digitized one waits for review."
        )
