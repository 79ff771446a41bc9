"""Documents for accountants: upload (drag and drop onto the picker), the list of those
waiting for review, and the review page with the page beside the fields read from it."""

from __future__ import annotations

import io
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from PIL import Image

from payables.documents.errors import DocumentNotFound
from payables.documents.fields import FIELD_NAMES, KEY_FIELDS, is_accepted
from payables.documents.models import Document
from payables.documents.queries import find_documents, get_document
from payables.documents.services import receive_document, review_document
from payables.errors import PayablesError, ValidationFailed
from payables.tenancy.permissions import Action
from payables.web import previews
from payables.web.views.access import allowed_to, counts, member_required

MAX_FILES = 20


@member_required
@allowed_to(Action.EDIT_INVOICES)
def document_list(request: HttpRequest) -> HttpResponse:
    """Upload documents, and see those waiting for review and the latest ones."""
    if request.method == "POST":
        files = request.FILES.getlist("files")[:MAX_FILES]
        if not files:
            messages.error(request, "Choose or drop at least one file.")
        for upload in files:
            document = receive_document(
                upload.read(),
                actor=request.actor,
                filename=upload.name or "",
                content_type=upload.content_type or "",
                channel=Document.Channel.WEB,
            )
            messages.info(request, f"{document.filename or 'The file'}: {_state_text(document)}")
        return HttpResponseRedirect(reverse("web:documents"))
    companies = (request.actor.company,)
    context = {
        "nav": "documents",
        "counts": counts(request.actor),
        "waiting": find_documents(companies, state=Document.State.DIGITIZED)[:50],
        "latest": find_documents(companies)[:20],
    }
    return render(request, "web/documents.html", context)


@member_required
@allowed_to(Action.EDIT_INVOICES)
def document_review(request: HttpRequest, document_id: UUID) -> HttpResponse:
    """The page image with the found fields boxed, and the form to correct them."""
    document = _document_or_404(request, document_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        # Changed values, and unsure ones the accountant confirmed: both teach the memory.
        corrections = {
            name: {"value": value}
            for name in FIELD_NAMES
            if (value := request.POST.get(name, "").strip())
            and (
                value != str((document.fields.get(name) or {}).get("value"))
                or not is_accepted(document.fields.get(name))
            )
        }
        try:
            document = review_document(document, actor=request.actor, corrections=corrections)
        except ValidationFailed as exc:
            errors = {_field_of(e.loc): e.message for e in exc.errors}
        except PayablesError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "The invoice was created.")
            return HttpResponseRedirect(reverse("web:invoice", args=[document.invoice_id]))
    rows = [
        {
            "name": name,
            "label": name.replace("_", " "),
            "value": (document.fields.get(name) or {}).get("value") or "",
            "confidence": (document.fields.get(name) or {}).get("confidence"),
            "sure": is_accepted(document.fields.get(name)),
            "key": name in KEY_FIELDS,
            "error": errors.get(name, ""),
        }
        for name in FIELD_NAMES
    ]
    boxes = [
        {
            "name": name,
            "page": found.get("page"),
            "x": found["box"][0],
            "y": found["box"][1],
            "width": max(found["box"][2] - found["box"][0], 0.002),
            "height": max(found["box"][3] - found["box"][1], 0.002),
            "sure": is_accepted(found),
        }
        for name, found in document.fields.items()
        if found.get("box") and found.get("page")
    ]
    pages = [
        {"number": n, "boxes": [b for b in boxes if b["page"] == n]}
        for n in range(1, min(document.pages or 1, previews.MAX_PAGES) + 1)
    ]
    context = {
        "nav": "documents",
        "counts": counts(request.actor),
        "document": document,
        "rows": rows,
        "pages": pages,
        "reviewable": document.state == Document.State.DIGITIZED,
        "errors": errors,
    }
    return render(request, "web/document_review.html", context, status=422 if errors else 200)


# A page that cannot be shown: not a picture, broken, or a decompression bomb (a small
# file that decodes to gigapixels, which Pillow refuses with its own error).
UNREADABLE_PAGE = (
    previews.PreviewUnavailable,
    OSError,
    ValueError,
    EOFError,
    Image.DecompressionBombError,
)


@require_safe
@member_required
@allowed_to(Action.EDIT_INVOICES)
def document_page(request: HttpRequest, document_id: UUID, page: int) -> HttpResponse:
    """A page of the document as a PNG (PDFs rendered, scans converted)."""
    document = _document_or_404(request, document_id)
    if not document.file or not 1 <= page <= previews.MAX_PAGES:
        raise Http404("No such page.")
    try:
        with document.file.open("rb") as stored:
            data = stored.read()
        png = _page_png(document.kind, data, page)
    except UNREADABLE_PAGE:
        raise Http404("No preview of this page.") from None
    response = HttpResponse(png, content_type="image/png")
    patch_cache_control(response, private=True, max_age=3600)  # stored bytes never change
    return response


def _page_png(kind: str, data: bytes, page: int) -> bytes:
    if kind == "pdf":
        return previews.render_page(data, page - 1).data
    if kind not in {"png", "jpeg", "tiff"}:
        raise previews.PreviewUnavailable(kind)
    with Image.open(io.BytesIO(data)) as image:
        image.seek(page - 1)  # past the last frame: EOFError, a 404
        image.thumbnail((previews.MAX_SIDE, previews.MAX_SIDE))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG")  # not-orm
    return out.getvalue()


def _field_of(loc: list) -> str:
    """The field an error is about: ``["fields", name, ...]``, else the last step."""
    if len(loc) > 1 and loc[0] == "fields":
        return str(loc[1])
    return str((loc or [""])[-1])


def _document_or_404(request: HttpRequest, document_id: UUID) -> Document:
    try:
        return get_document((request.actor.company,), document_id)
    except DocumentNotFound:
        raise Http404("No such document.") from None


def _state_text(document: Document) -> str:
    if document.state == Document.State.FAILED:
        return f"not taken ({document.failure_reason}: {document.failure_message})"
    return "received; it is read in the background."
