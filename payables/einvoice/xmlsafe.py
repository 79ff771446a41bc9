"""Parse untrusted XML safely: no DTDs, entities or network, and bounded size, depth, count.

Every format module parses through ``parse_xml`` so the rules hold everywhere.
"""

from __future__ import annotations

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

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def parse_xml(data: bytes, *, limits: ParseLimits) -> etree._Element:
    """Return the root element, or refuse the document with a located reason.

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
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise _refusal(exc, data) from None
    if root is None:
        raise MalformedDocument("The document is empty")
    if root.getroottree().docinfo.doctype:
        raise UnsafeDocument("XML with a DOCTYPE (DTD or entities) is refused")
    _check_shape(root, limits)
    return root


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


def _check_shape(root: etree._Element, limits: ParseLimits) -> None:
    for count, element in enumerate(root.iter(), start=1):
        if count > limits.max_elements:
            raise LimitExceeded(f"The document has more than {limits.max_elements} elements")
        if isinstance(element, etree._Entity):
            raise UnsafeDocument("XML entities are refused")
    depth = _depth(root)
    if depth > limits.max_depth:
        raise LimitExceeded(
            f"The document nests {depth} levels deep; the limit is {limits.max_depth}"
        )


def _depth(root: etree._Element) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in element)
    return deepest


def local_name(element: etree._Element) -> str:
    """The tag without its namespace.

    >>> local_name(etree.fromstring(b'<x:Invoice xmlns:x="urn:a"/>'))
    'Invoice'
    """
    return etree.QName(element).localname


def text(element: etree._Element | None) -> str:
    """The element's text, stripped; empty for a missing element."""
    if element is None or element.text is None:
        return ""
    return element.text.strip()


def to_decimal(value: str, *, where: str = "") -> Decimal:
    """Read an amount, accepting a decimal comma and spaces as thousands separators.

    >>> to_decimal("1 234,50"), to_decimal("-0.10")
    (Decimal('1234.50'), Decimal('-0.10'))
    """
    cleaned = value.strip().replace("\u00a0", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise MalformedDocument(f"Not a number: {value!r}", location=where) from None
    if not number.is_finite():
        raise MalformedDocument(f"Not a finite number: {value!r}", location=where)
    return number


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
    end = start + 1
    while end < len(head) and head[end : end + 1] not in b" \t\r\n/>":
        end += 1
    return head[start + 1 : end].decode("utf-8", errors="replace")
