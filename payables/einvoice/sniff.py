"""A cheap look at the bytes, for the formats' ``detect``: no parser sees them yet."""

from __future__ import annotations

from payables.einvoice.xmlsafe import root_tag

SNIFF_BYTES = 64 * 1024

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF8_BOM = b"\xef\xbb\xbf"


def head(data: bytes) -> bytes:
    """The first 64 KB as UTF-8 bytes (UTF-16 transcoded), without a byte order mark.

    Root element names and namespaces are ASCII, so a regex on this finds them in either
    encoding.
    """
    start = data[:SNIFF_BYTES]
    if start.startswith(UTF16_BOMS):
        start = start.decode("utf-16", errors="ignore").encode("utf-8")
    return start.removeprefix(UTF8_BOM)


def root_name(data: bytes) -> str:
    """The root element's local name (its prefix dropped), or "" when there is none."""
    return root_tag(head(data)).rsplit(":", 1)[-1]
