"""Fennoa's tags: the shares of an invoice's gross to prebook it by, as prebooking splits.

A tag is a prebooking split: percent or sum (sum wins), account, VAT code (``vatcode_id``),
dimensions (``dim_X``) and description. Setting tags replaces the invoice's splits and its
posting lines, as the native ``PUT /invoices/{ref}/prebooking`` does.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from payables.coding.queries import prebooking_of
from payables.coding.services import set_prebooking
from payables.compat.fennoa import records
from payables.compat.fennoa.endpoint import endpoint, one_id
from payables.compat.fennoa.envelope import located_as, ok
from payables.compat.fennoa.mapping import tag_loc, tag_splits
from payables.compat.fennoa.params import body_values, query_values
from payables.compat.fennoa.queries import fennoa_invoice
from payables.compat.fennoa.schemas import FennoaSetTagsIn, FennoaTagsParams
from payables.errors import FieldError


@endpoint("POST", "coding:write")
def set_tags(request: HttpRequest, invoice_id: int | None = None) -> HttpResponse:
    """``do/set_tags/<id>``: prebook the invoice by the tags of the form field ``json``."""
    form = FennoaSetTagsIn.model_validate(body_values(request))
    named = {n for n in (invoice_id, form.purchase_invoice_id, form.invoice_id) if n is not None}
    if len(named) != 1:
        raise FieldError(
            "Name the invoice once: do/set_tags/<id>, or purchase_invoice_id."
            if not named
            else "The path and the fields name different invoices.",
            loc=["purchase_invoice_id"],
            code="missing" if not named else "id_mismatch",
        )
    splits = tag_splits(form.json_)
    invoice = fennoa_invoice(request.actor.company, named.pop())
    with located_as(tag_loc):
        set_prebooking(invoice, splits, actor=request.actor)
    return ok([records.tag_record(split, invoice) for split in prebooking_of(invoice)])


@endpoint("GET", "coding:read", not_found=404)
def get_tags(request: HttpRequest, invoice_id: int | None = None) -> HttpResponse:
    """``get/tags``: the invoice's tags (its prebooking splits), in order."""
    values = one_id(invoice_id, query_values(request), "invoice_id")
    params = FennoaTagsParams.model_validate(values)
    invoice = fennoa_invoice(request.actor.company, params.invoice_id)
    return ok([records.tag_record(split, invoice) for split in prebooking_of(invoice)])
