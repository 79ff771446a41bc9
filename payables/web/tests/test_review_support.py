"""Documents waiting for review, for the web tests (as the pipeline leaves them).

The reading is given, as the extraction engine would give it; a test that commits must
keep the upload's own task from running (the database task backend, no worker).
"""

from __future__ import annotations

from payables.documents.fields import Reading
from payables.documents.models import Document
from payables.documents.services import finish_read, receive_document
from payables.documents.tests.test_cli_import import text_pdf
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company
from payables.tenancy.services import update_company


def waiting_document(actor: Actor, company: Company, fields: dict) -> Document:
    """A PDF read with ``fields``, left for review by the company's policy."""
    update_company(company, {"digitized_invoice_policy": "review"})
    data = text_pdf("S-1")
    document = receive_document(data, actor=actor, filename="s-1.pdf")
    Document.objects.filter(pk=document.pk).update(state=Document.State.PROCESSING)
    return finish_read(document, Reading(method="text", fields=fields, pages=1), data=data)
