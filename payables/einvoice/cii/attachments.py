"""Supporting documents (BG-24): references with a link or an embedded file."""

from __future__ import annotations

import base64
import binascii

from lxml import etree

from payables.einvoice.cii.elements import attr, child, child_text, children
from payables.einvoice.cii.reader import Reader
from payables.einvoice.cii.syntax import DOC_ID
from payables.einvoice.errors import LimitExceeded
from payables.einvoice.model import Attachment
from payables.einvoice.xmlsafe import path_of


def attachments(reader: Reader, agreement: etree._Element | None) -> tuple[Attachment, ...]:
    found = []
    for reference in children(agreement, "AdditionalReferencedDocument"):
        binary = child(reference, "AttachmentBinaryObject")
        # TypeCode 916 is a supporting document (BG-24); 50 (tender, BT-17) and 130
        # (invoiced object, BT-18) are references, not attachments.
        if child_text(reference, "TypeCode") != "916" and binary is None:
            continue
        found.append(
            Attachment(
                id=child_text(reference, DOC_ID),  # BT-122
                description=child_text(reference, "Name"),  # BT-123
                filename=attr(binary, "filename"),  # BT-125
                mime_code=attr(binary, "mimeCode"),  # BT-125
                content=_binary(reader, binary),  # BT-125
                uri=child_text(reference, "URIID"),  # BT-124
            )
        )
    return tuple(found)


def _binary(reader: Reader, element: etree._Element | None) -> bytes | None:
    if element is None:
        return None
    encoded = "".join((element.text or "").split())
    if not encoded:
        return None
    limit = reader.limits.max_attachment_bytes
    if len(encoded) // 4 * 3 > limit:
        raise LimitExceeded(
            f"An embedded attachment has about {len(encoded) // 4 * 3} bytes; the limit is {limit}",
            location=path_of(element),
        )
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        reader.note(
            "PAY-CII-ATTACHMENT",
            "warning",
            "An embedded attachment is not valid base64; its content is dropped",
            element,
        )
        return None
