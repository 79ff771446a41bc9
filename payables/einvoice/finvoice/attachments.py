"""Finvoice attachment messages: the files sent with an invoice, as its attachments (BG-24).

A Finvoice invoice does not embed files. Its ``AttachmentMessageDetails`` names a separate
``FinvoiceAttachments`` message (Finanssiala, Finvoice attachment message 1.0), sent in the
same transmission: ``MessageTransmissionDetails/MessageDetails/MessageIdentifier`` (ending
in ``::attachments``) and one ``AttachmentDetails`` per file, with ``AttachmentContent``
(base64), ``AttachmentName``, ``AttachmentMimeType`` and ``AttachmentSecureHash`` (SHA-1).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, replace

from lxml import etree

from payables.einvoice.errors import LimitExceeded
from payables.einvoice.model import Attachment, Finding, Invoice, ParseLimits
from payables.einvoice.values import find_at, findall_at, text_at
from payables.einvoice.xmlsafe import path_of, text

ROOT = "FinvoiceAttachments"
MESSAGE_ID = "MessageTransmissionDetails/MessageDetails/MessageIdentifier"
INVOICE_REFERENCE = "AttachmentMessageDetails/AttachmentMessageIdentifier"


@dataclass(frozen=True)
class AttachmentMessage:
    """One attachment message of the file: its identifier and its files."""

    identifier: str
    attachments: tuple[Attachment, ...]


def read_message(
    root: etree._Element, *, limits: ParseLimits, findings: list[Finding]
) -> AttachmentMessage:
    """Decode every file of an attachment message; a broken one is left out, with a warning."""
    found = []
    for index, details in enumerate(findall_at(root, "AttachmentDetails"), start=1):
        payload = find_at(details, "AttachmentContent")
        encoded = "".join(text(payload).split())
        located = payload if payload is not None else details
        if len(encoded) // 4 * 3 > limits.max_attachment_bytes:
            raise LimitExceeded(
                f"The attachment is larger than {limits.max_attachment_bytes} bytes",
                location=path_of(located),
            )
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            findings.append(
                Finding(
                    "FINVOICE-ATTACHMENT",
                    "warning",
                    "AttachmentContent is not valid base64; the file was not kept",
                    path_of(located),
                )
            )
            continue
        name = text_at(details, "AttachmentName")
        _check_hash(details, content, encoded, findings)
        found.append(
            Attachment(
                id=text_at(details, "AttachmentIdentifier") or name or str(index),  # BT-122
                filename=name,  # BT-125 filename
                mime_code=text_at(details, "AttachmentMimeType"),  # BT-125 mimeCode
                content=content,  # BT-125
            )
        )
    return AttachmentMessage(text_at(root, MESSAGE_ID), tuple(found))


def _check_hash(
    details: etree._Element, content: bytes, encoded: str, findings: list[Finding]
) -> None:
    """Warn when the stated SHA-1 fits neither the file nor its base64 text (writers differ)."""
    stated = text_at(details, "AttachmentSecureHash").lower()
    if not stated:
        return
    hashed = (content, encoded.encode("ascii"))
    digests = {hashlib.sha1(value, usedforsecurity=False).hexdigest() for value in hashed}
    if stated not in digests:
        findings.append(
            Finding(
                "FINVOICE-ATTACHMENT-HASH",
                "warning",
                "AttachmentSecureHash does not match the attachment",
                path_of(find_at(details, "AttachmentSecureHash")),
            )
        )


def attach_messages(
    invoices: list[Invoice],
    references: list[str],
    messages: list[tuple[int, AttachmentMessage]],
    findings: list[Finding],
) -> list[Invoice]:
    """Give each invoice the files of the attachment message it names.

    ``references`` holds each invoice's ``AttachmentMessageIdentifier``; ``messages`` each
    message with the number of invoices read before it. A message no invoice names goes
    to the invoice just before it (the transmission order), else it is reported.
    """
    by_reference = {ref: i for i, ref in enumerate(references) if ref}
    result = list(invoices)
    delivered: set[int] = set()
    for before, message in messages:
        index = by_reference.get(message.identifier, before - 1)
        if not 0 <= index < len(result):
            findings.append(
                Finding(
                    "FINVOICE-ATTACHMENT",
                    "warning",
                    f"The attachment message {message.identifier!r} belongs to no invoice of "
                    "the file; its files were not kept",
                )
            )
            continue
        delivered.add(index)
        invoice = result[index]
        result[index] = replace(invoice, attachments=invoice.attachments + message.attachments)
    findings.extend(
        Finding(
            "FINVOICE-ATTACHMENT",
            "info",
            f"Invoice {invoices[i].number} names the attachment message {ref!r}, which is "
            "not in this file",
        )
        for i, ref in enumerate(references)
        if ref and i not in delivered
    )
    return result
