"""What a file is, from its bytes (never its name): PDF, PNG, JPEG, TIFF or XML."""

from __future__ import annotations

from payables.einvoice.sniff import head

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
    "xml": "application/xml",
}
EXTENSIONS = {
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".xml": "xml",
}
IMAGE_KINDS = frozenset({"png", "jpeg", "tiff"})


def sniff_kind(data: bytes) -> str:
    """The kind of document the bytes are, or "" when none that payables reads.

    >>> sniff_kind(b"%PDF-1.7"), sniff_kind(b"\\x89PNG\\r\\n\\x1a\\n..."), sniff_kind(b"II*\\x00")
    ('pdf', 'png', 'tiff')
    >>> sniff_kind(b"\\xef\\xbb\\xbf<?xml version='1.0'?><Invoice/>"), sniff_kind(b"GIF89a")
    ('xml', '')
    """
    start = data[:1024].lstrip(b" \t\r\n\f\x00")
    if start.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head(data).lstrip().startswith(b"<"):
        return "xml"
    return ""


def content_type_for(filename: str) -> str:
    """The Content-Type an upload of this file name is signed for (by its extension).

    >>> content_type_for("Scan 7.JPG"), content_type_for("invoice"), content_type_for("a.xml")
    ('image/jpeg', 'application/octet-stream', 'application/xml')
    """
    dot = filename.rfind(".")
    kind = EXTENSIONS.get(filename[dot:].lower()) if dot >= 0 else None
    return CONTENT_TYPES[kind] if kind else "application/octet-stream"
