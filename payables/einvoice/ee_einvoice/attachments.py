"""Attached files (BG-24): base64 content within the attachment size limit."""

from __future__ import annotations

import base64
import binascii

from lxml import etree

from payables.einvoice.ee_einvoice.reader import Reader
from payables.einvoice.errors import LimitExceeded
from payables.einvoice.model import Attachment
from payables.einvoice.values import find_at, findall_at, text_at
from payables.einvoice.xmlsafe import path_of, text

_MIME_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "xml": "application/xml",
    "txt": "text/plain",
}


def attachments(reader: Reader, element: etree._Element) -> tuple[Attachment, ...]:
    found = []
    for index, attachment in enumerate(findall_at(element, "AttachmentFile"), start=1):
        payload = find_at(attachment, "FileBase64")
        encoded = "".join(text(payload).split())
        located = payload if payload is not None else attachment
        if len(encoded) * 3 // 4 > reader.limits.max_attachment_bytes:
            raise LimitExceeded(
                f"The attachment is larger than {reader.limits.max_attachment_bytes} bytes",
                location=path_of(located),
            )
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            reader.note(
                "EE-ATTACHMENT", "error", "FileBase64 is not valid base64", path_of(located)
            )
            continue
        size = text_at(attachment, "FileSize")
        if size and size != str(len(content)):
            reader.note(
                "EE-ATTACHMENT-SIZE",
                "warning",
                f"FileSize says {size} bytes; the file has {len(content)}",
                path_of(find_at(attachment, "FileSize")),
            )
        name = text_at(attachment, "FileName")
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        found.append(
            Attachment(
                id=name or str(index),  # BT-122
                filename=name,  # BT-125 filename
                mime_code=(  # BT-125 mimeCode
                    "application/pdf"
                    if content.startswith(b"%PDF-")
                    else _MIME_TYPES.get(extension, "")
                ),
                content=content,  # BT-125
            )
        )
    return tuple(found)
