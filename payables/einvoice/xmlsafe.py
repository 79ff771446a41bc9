"""Parse untrusted XML safely: no DTDs, entities or network, and bounded size, depth, count.

Every format module parses through ``parse_xml`` so the rules hold everywhere.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from lxml import etree

from payables.einvoice.errors import LimitExceeded, MalformedDocument, UnsafeDocument
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
    head = data[:4096].lstrip(b"".join(_BOMS) + b" \t\r\n")
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
        raise UnsafeDocument("XML with a DOCTYPE (DTD or entities) is refused")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = f"line {exc.lineno}" if getattr(exc, "lineno", None) else ""
        raise MalformedDocument(f"Not well-formed XML: {exc.msg}", location=line) from None
    if root is None:
        raise MalformedDocument("The document is empty")
    if root.getroottree().docinfo.doctype:
        raise UnsafeDocument("XML with a DOCTYPE (DTD or entities) is refused")
    _check_shape(root, limits)
    return root


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
