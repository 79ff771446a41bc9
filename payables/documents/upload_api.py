"""``PUT /uploads/<token>``: the upload location of local storage, answering as S3 does.

A client written for S3's pre-signed PUT works unchanged: 200 with an ``ETag`` for a
stored upload, and S3's status codes and XML error bodies for what was not signed
(``SignatureDoesNotMatch``, ``AccessDenied`` for an expired URL, ``EntityTooLarge``,
``MissingContentLength``, ``IncompleteBody``).
"""

from __future__ import annotations

import uuid
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from payables.documents.errors import UploadRefused
from payables.documents.services import receive_upload


@csrf_exempt  # signed by its URL, not by a session: no cookie is involved
def put_upload(request: HttpRequest, token: str) -> HttpResponse:
    """Store the PUT body as the document the token names, if it matches what was signed."""
    if request.method != "PUT":
        response = _s3_error(
            UploadRefused(
                "The specified method is not allowed against this resource.",
                http_status=405,
                s3_code="MethodNotAllowed",
            )
        )
        response["Allow"] = "PUT"
        return response
    raw_length = request.META.get("CONTENT_LENGTH", "")
    length = int(raw_length) if raw_length.isascii() and raw_length.isdigit() else None
    try:
        document = receive_upload(
            token,
            content_type=request.META.get("CONTENT_TYPE", ""),
            content_length=length,
            body=request,
        )
    except UploadRefused as refused:
        return _s3_error(refused)
    response = HttpResponse(status=200)
    response["ETag"] = f'"{document.sha256}"'
    response["x-amz-request-id"] = uuid.uuid4().hex
    return response


def _s3_error(refused: UploadRefused) -> HttpResponse:
    request_id = uuid.uuid4().hex
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(refused.s3_code)}</Code>"
        f"<Message>{escape(refused.message)}</Message>"
        f"<RequestId>{request_id}</RequestId></Error>"
    )
    response = HttpResponse(body, status=refused.http_status, content_type="application/xml")
    response["x-amz-request-id"] = request_id
    return response
