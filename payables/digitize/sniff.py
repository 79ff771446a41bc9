"""Content sniffing: what a document is, told from its bytes, never from its name."""

from __future__ import annotations

import re

_XML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:\?xml|[A-Za-z_!])")


def sniff_kind(data: bytes) -> str:
    """Return "pdf", "png", "jpeg", "tiff", "xml", or "" for anything else.

    >>> sniff_kind(b"%PDF-1.7"), sniff_kind(b"\\x89PNG\\r\\n\\x1a\\n"), sniff_kind(b"II*\\x00")
    ('pdf', 'png', 'tiff')
    >>> sniff_kind(b"\\xef\\xbb\\xbf<?xml version='1.0'?><Invoice/>"), sniff_kind(b"hello")
    ('xml', '')
    """
    head = data[:1024]
    if b"%PDF-" in head:  # readers accept junk before the header, so do we
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if _XML_START.match(head) or head.startswith((b"\xff\xfe<\x00", b"\xfe\xff\x00<")):
        return "xml"
    return ""
