"""The file: cut into its XML documents, the SOAP/ebXML frame skipped, each Finvoice read."""

from __future__ import annotations

import re
from itertools import pairwise

from lxml import etree

from payables.einvoice.errors import LimitExceeded, UnsupportedFormat
from payables.einvoice.finvoice import attachments
from payables.einvoice.finvoice.encoding import declared_encoding, readable_encoding
from payables.einvoice.finvoice.invoice import read_invoice
from payables.einvoice.model import Finding, Invoice, ParsedDocument, ParseLimits
from payables.einvoice.sniff import SNIFF_BYTES, UTF16_BOMS, root_name
from payables.einvoice.values import text_at
from payables.einvoice.xmlsafe import local_name, parse_xml, skip_prolog

FORMAT = "finvoice"

_FINVOICE_TAG = re.compile(rb"<Finvoice[\s/>]")
_DECLARATION = re.compile(rb"<\?xml\s")
_ENVELOPE_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Envelope[\s>]")
_ENVELOPE_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?Envelope\s*>")
# Finvoice 1.x files point at Finvoice.dtd. An external DOCTYPE without an internal subset
# declares no entities and is never loaded, so it is dropped; parse_xml refuses any other.
_EXTERNAL_DOCTYPE = re.compile(
    rb"<!DOCTYPE\s+Finvoice\s+(?:SYSTEM|PUBLIC)(?:\s+(?:\"[^\"]*\"|'[^']*'))+\s*>"
)
_LEADING = re.compile(rb"[\xef\xbb\xbf \t\r\n]*")


def detect(data: bytes) -> bool:
    """Whether the bytes are Finvoice, bare or behind its SOAP/ebXML transmission frame.

    >>> detect(b'<?xml version="1.0"?><Finvoice Version="3.0"/>')
    True
    >>> detect(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')
    False
    """
    root = root_name(data)
    if root == "Finvoice":
        return True
    return root == "Envelope" and _FINVOICE_TAG.search(data, 0, SNIFF_BYTES) is not None


def parse(data: bytes, *, limits: ParseLimits) -> ParsedDocument:
    """Read every Finvoice document in the file (a frame and its invoice, or a batch)."""
    if len(data) > limits.max_bytes:
        raise LimitExceeded(f"The document has {len(data)} bytes; the limit is {limits.max_bytes}")
    # A batch holds a frame and a document per invoice, each opened by a declaration.
    declarations = data.count(b"<?xml")
    if declarations > 2 * limits.max_invoices:
        raise LimitExceeded(
            f"The file holds {declarations} XML documents; the limit is "
            f"{limits.max_invoices} invoices, each with its frame"
        )
    findings: list[Finding] = []
    invoices: list[Invoice] = []
    versions: list[str] = []
    references: list[str] = []  # each invoice's attachment message identifier
    messages: list[tuple[int, attachments.AttachmentMessage]] = []
    documents: list[bytes] = []
    frame_encoding = ""
    for part in _split(data):
        kind = root_name(part)
        if kind == "Envelope":
            frame_encoding = declared_encoding(part)
            findings.append(
                Finding("FINVOICE-FRAME", "info", "The SOAP/ebXML transmission frame was skipped")
            )
        elif kind == "Finvoice":
            if len(invoices) == limits.max_invoices:
                raise LimitExceeded(f"The file holds more than {limits.max_invoices} invoices")
            root = _parse_document(part, limits=limits, findings=findings, inherit=frame_encoding)
            documents.append(_EXTERNAL_DOCTYPE.sub(b"", part, count=1))
            versions.append(root.get("Version", "").strip())
            invoices.append(read_invoice(root, findings))
            references.append(text_at(root, attachments.INVOICE_REFERENCE))
            frame_encoding = ""
        elif kind == attachments.ROOT:
            root = _parse_document(
                part, limits=limits, findings=findings, inherit=frame_encoding, expect=kind
            )
            message = attachments.read_message(root, limits=limits, findings=findings)
            messages.append((len(invoices), message))
            frame_encoding = ""
        else:
            findings.append(
                Finding(
                    "FINVOICE-FRAME",
                    "warning",
                    "Content that is neither a Finvoice document nor its transmission frame "
                    "was ignored",
                )
            )
    if not invoices:
        raise UnsupportedFormat("The file holds no Finvoice document")
    invoices = attachments.attach_messages(invoices, references, messages, findings)
    if len(set(versions)) > 1:
        findings.append(
            Finding("FINVOICE-VERSION", "warning", f"Mixed Finvoice versions: {versions}")
        )
    # Validation reads the Finvoice from the file's bytes; beside an attachment message or
    # other invoices of a batch, those are several documents, so each invoice's own XML is
    # handed over instead.
    several = bool(messages) or len(documents) > 1
    return ParsedDocument(
        format=FORMAT,
        version=versions[0],
        invoices=tuple(invoices),
        findings=tuple(findings),
        xml=documents[0] if several else None,
        xml_documents=tuple(documents) if len(documents) > 1 else (),
    )


def _split(data: bytes) -> list[bytes]:
    """Cut the file into its XML documents: at each later declaration, and before and after
    each envelope (a frame may come without a declaration of its own).

    >>> _split(b'<?xml version="1.0"?><a/>\\n<?xml version="1.0"?><b/>')
    [b'<?xml version="1.0"?><a/>', b'<?xml version="1.0"?><b/>']
    >>> _split(b'<s:Envelope xmlns:s="urn:s"></s:Envelope>\\n<Finvoice/>')
    [b'<s:Envelope xmlns:s="urn:s"></s:Envelope>', b'<Finvoice/>']
    >>> _split(b'<Finvoice/>\\n<?xml version="1.0"?>\\n<s:Envelope></s:Envelope><Finvoice/>')
    [b'<Finvoice/>', b'<?xml version="1.0"?>\\n<s:Envelope></s:Envelope>', b'<Finvoice/>']
    >>> _split(b'<Finvoice/>\\n<s:Envelope></s:Envelope>\\n<FinvoiceAttachments/>')
    [b'<Finvoice/>', b'<s:Envelope></s:Envelope>', b'<FinvoiceAttachments/>']
    """
    if data.startswith(UTF16_BOMS):
        return [data]  # frames are ASCII-compatible; a UTF-16 file is one document
    lead = _LEADING.match(data).end()
    cuts = {0, len(data)}
    cuts.update(m.start() for m in _DECLARATION.finditer(data) if m.start() > lead)
    if b"Envelope" in data:  # the patterns try every "<" of the file: only where one may match
        cuts.update(m.start() for m in _ENVELOPE_START.finditer(data) if m.start() > lead)
        cuts.update(m.end() for m in _ENVELOPE_END.finditer(data))
    parts = [data[start:end].strip() for start, end in pairwise(sorted(cuts))]
    documents: list[bytes] = []
    prolog = b""
    for part in parts:
        if part and skip_prolog(part + b"<") == len(part):
            prolog += part + b"\n"  # a declaration cut off from the envelope it opens
        elif part:
            documents.append(prolog + part)
            prolog = b""
    return [*documents, prolog.strip()] if prolog else documents


def _parse_document(
    part: bytes,
    *,
    limits: ParseLimits,
    findings: list[Finding],
    inherit: str,
    expect: str = "Finvoice",
) -> etree._Element:
    part = readable_encoding(part, findings, inherit=inherit)
    doctype = _EXTERNAL_DOCTYPE.search(part, 0, 4096)
    if doctype:
        part = part[: doctype.start()] + part[doctype.end() :]
        findings.append(
            Finding("FINVOICE-DOCTYPE", "info", "The external DOCTYPE (Finvoice.dtd) was ignored")
        )
    root = parse_xml(part, limits=limits)
    if root.tag != expect:
        if local_name(root) != expect:
            raise UnsupportedFormat(f"Expected a {expect} root element, found {root.tag!r}")
        # Finvoice has no namespace; read a namespaced copy by its local names.
        for element in root.iter():
            element.tag = etree.QName(element).localname
        findings.append(
            Finding("FINVOICE-NAMESPACE", "warning", "Finvoice has no namespace; it was ignored")
        )
    return root
