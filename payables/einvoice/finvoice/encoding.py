"""The encoding a Finvoice document really has: declared, inherited from its frame, or
what its bytes are when the declaration is wrong (common in Finvoice)."""

from __future__ import annotations

import codecs
import re

from payables.einvoice.model import Finding
from payables.einvoice.sniff import UTF8_BOM, UTF16_BOMS

_ENCODING = re.compile(rb"\A<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_DECLARATION_TEXT = re.compile(r"\A<\?xml\s[^>]*\?>")
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_SINGLE_BYTE = frozenset({"iso8859-1", "iso8859-15", "cp1252"})


def declared_encoding(part: bytes) -> str:
    """The encoding the XML declaration names; "" without one."""
    match = _ENCODING.match(part.removeprefix(UTF8_BOM))
    return match.group(1).decode("ascii") if match else ""


def readable_encoding(part: bytes, findings: list[Finding], *, inherit: str) -> bytes:
    """Return bytes lxml reads right: the declared encoding, or what the bytes really are.

    A wrong declaration is common in Finvoice (UTF-8 bytes declared ISO-8859-15, Windows-1252
    bytes declared ISO-8859-1, Latin bytes with no declaration); each case is read as what
    the bytes are, with a warning. A Finvoice document without a declaration after its frame
    takes the frame's encoding.
    """
    if part.startswith(UTF16_BOMS) or part.isascii():
        return part
    declared = declared_encoding(part)
    if part.startswith(UTF8_BOM):
        if declared and _codec_name(declared) != "utf-8":
            findings.append(_encoding_finding(f"a UTF-8 byte order mark but declares {declared}"))
        return part
    label = declared or inherit or "UTF-8"
    codec = _codec_name(label)
    if not codec:
        return part  # lxml names the unsupported encoding
    said = f"declares {declared}" if declared else f"has no encoding declaration ({label})"
    try:
        decoded = part.decode(codec)
    except UnicodeDecodeError:
        decoded, actual = _single_byte(part)
        findings.append(_encoding_finding(f"{said} but its bytes are not; read as {actual}"))
        return _as_utf8(decoded)
    if codec in _SINGLE_BYTE and _is_utf8(part):
        findings.append(_encoding_finding(f"{said} but its bytes are UTF-8; read as UTF-8"))
        return _as_utf8(part.decode("utf-8"))
    if codec == "iso8859-1" and _C1_BYTES.search(part):
        try:
            decoded = part.decode("cp1252")
        except UnicodeDecodeError:
            return part
        findings.append(
            _encoding_finding(f"{said} but uses Windows-1252 characters; read as Windows-1252")
        )
        return _as_utf8(decoded)
    if not declared and codec != "utf-8":
        findings.append(
            Finding(
                "FINVOICE-ENCODING",
                "info",
                f"The Finvoice document has no encoding declaration; read as {label} like its "
                "transmission frame",
            )
        )
        return _as_utf8(decoded)
    return part


def _codec_name(label: str) -> str:
    try:
        return codecs.lookup(label).name
    except LookupError:
        return ""


def _single_byte(part: bytes) -> tuple[str, str]:
    """Decode bytes that are not UTF-8: Windows-1252 if they use its range, else 8859-15."""
    if _C1_BYTES.search(part):
        try:
            return part.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            pass
    return part.decode("iso8859-15"), "ISO-8859-15"


def _is_utf8(part: bytes) -> bool:
    try:
        part.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _as_utf8(decoded: str) -> bytes:
    body = _DECLARATION_TEXT.sub("", decoded, count=1)
    return ('<?xml version="1.0" encoding="UTF-8"?>' + body).encode("utf-8")


def _encoding_finding(what: str) -> Finding:
    return Finding("FINVOICE-ENCODING", "warning", f"The Finvoice document {what}")
