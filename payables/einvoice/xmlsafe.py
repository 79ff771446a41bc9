"""Parse untrusted XML safely: no DTDs, entities or network, and bounded size, depth, count.

Every format module parses through ``parse_xml`` so the rules hold everywhere.
"""

from __future__ import annotations

import codecs
import re
from decimal import Decimal, InvalidOperation

from lxml import etree

from payables.einvoice.errors import (
    EInvoiceError,
    LimitExceeded,
    MalformedDocument,
    UnsafeDocument,
)
from payables.einvoice.model import ParseLimits
from payables.einvoice.xmlshape import parse_counted, parse_whole

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_NOT_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def parse_xml(data: bytes, *, limits: ParseLimits) -> etree._Element:
    """Return the root element, or refuse the document with a located reason.

    Work and memory stay proportional to the limits, not to what is sent: bytes, then
    attributes (counted on the raw bytes, before any parser sees them), then elements,
    depth, repeats and width (``xmlshape``: checked on the whole tree where the bytes
    bound the elements, else counted while parsing, which stops at the first one over a
    limit; either way the same refusal).

    >>> parse_xml(b"<a><b>1</b></a>", limits=ParseLimits()).tag
    'a'
    >>> parse_xml(b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', limits=ParseLimits())
    Traceback (most recent call last):
    ...
    payables.einvoice.errors.UnsafeDocument: XML with a DOCTYPE (DTD or entities) is refused
    """
    if len(data) > limits.max_bytes:
        raise LimitExceeded(f"The document has {len(data)} bytes; the limit is {limits.max_bytes}")
    head = data[:4096].lstrip(b"".join(_BOMS) + b" \t\r\n").upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise UnsafeDocument("XML with a DOCTYPE (DTD or entities) is refused")
    _check_attribute_bound(data, limits)
    try:
        root = parse_whole(data, limits)
        if root is None:
            root = parse_counted(data, limits)
    except etree.XMLSyntaxError as exc:
        raise _refusal(exc, data) from None
    if root is None:
        raise MalformedDocument("The document is empty")
    if root.getroottree().docinfo.doctype:
        raise UnsafeDocument("XML with a DOCTYPE (DTD or entities) is refused")
    if next(root.iter(etree.Entity), None) is not None:
        raise UnsafeDocument("XML entities are refused")
    return root


def _check_attribute_bound(data: bytes, limits: ParseLimits) -> None:
    """Refuse a document that may hold more attributes than the limit, before parsing it.

    Every attribute (namespace declarations too) is written with an ``=``, so the
    number of ``=`` bytes bounds the number of attributes in any encoding that writes
    ``=`` as that byte (UTF-8, UTF-16, UTF-32 and every ASCII superset); other
    encodings are refused. libxml2 builds a whole start tag before anyone can count its
    attributes (about 340 bytes of memory each: a 5 MB tag held 500,000 of them and took
    190 MB), so they are bounded here, on the bytes, where it costs nothing.
    """
    _check_encoding(data)
    signs = data.count(b"=")
    if signs > limits.max_attributes:
        raise LimitExceeded(
            f"The document has {signs} '=' signs, so it may hold more than the "
            f"{limits.max_attributes} attributes a document may have"
        )


# An XML declaration's encoding, in an ASCII-compatible document (UTF-8 BOM dropped).
_DECLARED_ENCODING = re.compile(rb"""\A<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z][\w.:-]*)["']""")
_UTF16_OR_32 = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"<\x00", b"\x00<", b"\x00\x00\x00<")
_ASCII_MARKUP = "<=>\"'"


def _check_encoding(data: bytes) -> None:
    """Refuse encodings in which ``=`` is not the byte 0x3D (EBCDIC, UTF-7, ...).

    Invoices come in UTF-8, ISO-8859-x, Windows-125x or UTF-16; libxml2 (through iconv)
    reads many more, and a few of them hide markup from a byte scan.
    """
    if data.startswith(_UTF16_OR_32):
        return
    declared = _DECLARED_ENCODING.match(data[:1024].removeprefix(_BOMS[0]))
    if data.startswith(b"\x4c\x6f\xa7\x94"):  # "<?xm" in EBCDIC
        name = "EBCDIC"
    elif declared is None:
        return  # UTF-8 (or libxml2's own detection from the first bytes)
    else:
        name = declared.group(1).decode("ascii")
    if not _writes_markup_as_ascii(name):
        raise MalformedDocument(
            f"Unsupported encoding {name!r}: use UTF-8, UTF-16, ISO-8859-x or Windows-125x"
        )


def _writes_markup_as_ascii(name: str) -> bool:
    try:
        codec = codecs.lookup(name).name
        encoded = _ASCII_MARKUP.encode(codec)
    except (LookupError, UnicodeError):
        return False
    return codec != "utf-7" and encoded == _ASCII_MARKUP.encode("ascii")


def _refusal(exc: etree.XMLSyntaxError, data: bytes) -> EInvoiceError:
    """Name why libxml2 refused the bytes: an unsafe DTD, a parser limit, or bad XML.

    A DOCTYPE hidden behind more than 4 KB of prolog (or in UTF-16) reaches libxml2,
    which stops entity bombs itself; the error must still say "unsafe", not "malformed".
    """
    message = " ".join(str(exc.msg).split())
    location = f"line {exc.lineno}" if getattr(exc, "lineno", None) else ""
    if _mentions_doctype(data):
        return UnsafeDocument("XML with a DOCTYPE (DTD or entities) is refused", location=location)
    if any(marker in message for marker in _LIMIT_MESSAGES):
        return LimitExceeded(f"The document exceeds a parser limit: {message}", location=location)
    return MalformedDocument(f"Not well-formed XML: {message}", location=location)


# libxml2's own bounds (nesting, text node and buffer size, entity amplification).
_LIMIT_MESSAGES = ("Excessive depth", "Resource limit exceeded", "XML_PARSE_HUGE")
_DOCTYPE_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)


def _mentions_doctype(data: bytes) -> bool:
    return any(marker in data for marker in _DOCTYPE_MARKERS)


# Whitespace, processing instructions and comments, matched without backtracking (a
# hostile prolog must not make this check slow), then the DOCTYPE.
_PROLOG_DOCTYPE = re.compile(
    rb"(?:\s|<\?(?:[^?]|\?(?!>))*+\?>|<!--(?:[^-]|-(?!->))*+-->)*+<!DOCTYPE[\s>\[]"
)


def has_doctype(data: bytes) -> bool:
    """True when the bytes open with an XML prolog that declares a DOCTYPE.

    For callers that must refuse such input before they know its format (no format
    claims it, but the answer is still "unsafe", not "unknown").

    >>> has_doctype(b'<?xml version="1.0"?>\\n<!DOCTYPE x [<!ENTITY e "1">]><x>&e;</x>')
    True
    >>> has_doctype('<!-- c --><!DOCTYPE x><x/>'.encode("utf-16")), has_doctype(b"<x/>")
    (True, False)
    """
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return bool(_PROLOG_DOCTYPE.match(head.removeprefix(b"\xef\xbb\xbf")))


def local_name(element: etree._Element) -> str:
    """The tag without its namespace.

    >>> local_name(etree.fromstring(b'<x:Invoice xmlns:x="urn:a"/>'))
    'Invoice'
    """
    return etree.QName(element).localname


def text(element: etree._Element | None) -> str:
    """The element's text, stripped; empty for a missing element."""
    if element is None or (value := element.text) is None:
        return ""
    return value.strip()


def xml_text(value: str) -> str:
    r"""Drop characters XML 1.0 cannot hold (lxml refuses them) from text the writers write.

    >>> xml_text("a\x00b\x1bc")
    'abc'
    """
    return _NOT_XML_CHARS.sub("", value)


def to_decimal(value: str, *, where: str = "", element: etree._Element | None = None) -> Decimal:
    """Read an amount, accepting a decimal comma and spaces as thousands separators.

    A refused value is located by ``where``, or by the path of ``element``, worked out
    only then (most amounts read, and a path costs more than the number).

    >>> to_decimal("1 234,50"), to_decimal("-0.10")
    (Decimal('1234.50'), Decimal('-0.10'))
    """
    cleaned = value.strip().replace("\u00a0", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise MalformedDocument(
            f"Not a number: {value!r}", location=_where(where, element)
        ) from None
    if not number.is_finite():
        raise MalformedDocument(f"Not a finite number: {value!r}", location=_where(where, element))
    return number


def _where(where: str, element: etree._Element | None) -> str:
    return path_of(element) if element is not None and not where else where


def path_of(element: etree._Element) -> str:
    """An XPath that locates the element, for findings."""
    return element.getroottree().getpath(element)


def skip_prolog(data: bytes, start: int = 0) -> int:
    r"""Return the offset of the root element's ``<``, past the XML declaration, processing
    instructions, comments, a DOCTYPE and white space; -1 when there is none.

    Linear in the input (plain ``find``s, no backtracking regex): detection runs on
    untrusted bytes before any parser sees them.

    >>> data = b'<?xml version="1.0"?>\n<!-- a -- b --><!DOCTYPE x [<!ENTITY e "">]> <Invoice/>'
    >>> data[skip_prolog(data):]
    b'<Invoice/>'
    """
    position, length = start, len(data)
    while position < length:
        if data[position : position + 1].isspace():
            position += 1
            continue
        for opener, closer in _PROLOG_PARTS:
            if data.startswith(opener, position):
                end = _prolog_part_end(data, position, opener, closer)
                if end < 0:
                    return -1
                position = end
                break
        else:
            return position if data.startswith(b"<", position) else -1
    return -1


_PROLOG_PARTS = ((b"<?", b"?>"), (b"<!--", b"-->"), (b"<!DOCTYPE", b">"))


def _prolog_part_end(data: bytes, position: int, opener: bytes, closer: bytes) -> int:
    if opener != b"<!DOCTYPE":
        end = data.find(closer, position + len(opener))
        return end + len(closer) if end >= 0 else -1
    bracket = data.find(b"[", position)
    close = data.find(b">", position)
    if 0 <= bracket < close:  # an internal subset: skip to "]" then ">"
        subset_end = data.find(b"]", bracket)
        close = data.find(b">", subset_end) if subset_end >= 0 else -1
    return close + 1 if close >= 0 else -1


def root_tag(data: bytes, *, sniff: int = 64 * 1024) -> str:
    r"""The root element's name as written (``"rsm:CrossIndustryInvoice"``), or "".

    >>> root_tag(b'\xef\xbb\xbf<?xml version="1.0"?><!-- x --><E_Invoice>')
    'E_Invoice'
    """
    head = data[:sniff]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.removeprefix(b"\xef\xbb\xbf")
    start = skip_prolog(head)
    if start < 0:
        return ""
    end = _NAME_END.match(head, start + 1).end()
    return head[start + 1 : end].decode("utf-8", errors="replace")


# The root element's name runs to the first white space, "/" or ">".
_NAME_END = re.compile(rb"[^ \t\r\n/>]*")
