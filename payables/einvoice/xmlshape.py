"""The shape limits of untrusted XML: elements, depth, repeats and width.

Two ways to hold a document to them, with the same verdict:

- ``parse_counted`` feeds libxml2 chunk by chunk and checks every element as it opens,
  so work and memory stop at the first element over a limit. It says exactly which
  limit, and where.
- ``parse_whole`` parses in one call and checks the finished tree mostly in C (XPath,
  ``len``, tag counts), for documents whose bytes bound the number of elements below
  the limit: each element opens with a ``<`` byte, so a document with at most
  ``max_elements`` of them cannot build more elements than a counted parse would let
  through. It answers only "within every limit"; anything else (a limit that may be
  exceeded, bytes libxml2 refuses) goes to ``parse_counted``, which names the refusal.
  The whole-tree parse is 3 to 4 times cheaper for a real invoice.
"""

from __future__ import annotations

import threading
from collections import Counter
from functools import cache
from operator import attrgetter

from lxml import etree

from payables.einvoice.errors import LimitExceeded
from payables.einvoice.model import ParseLimits

# libxml2 options: no DTD, entities or network; its own bounds stay on (huge_tree off:
# text nodes up to 10 MB, names up to 50,000 characters, nesting up to 256 levels).
PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
    "collect_ids": False,
}
# The parser is fed this much at a time and the counts are checked in between, so a
# document with millions of elements is refused after the first ones over the limit, at
# the cost of those, not of building all of them (two million empty elements once took
# 111 s and 756 MB to refuse after a whole-tree parse).
_CHUNK_BYTES = 64 * 1024
# The fewest bytes an element takes (``<a/>``) in any encoding parse_xml accepts.
_MIN_ELEMENT_BYTES = 4

# Elements that repeat once per invoice line (UBL, CII, Finvoice, Estonian) or order line
# (UBL Order), or once per invoice in an Estonian batch file. Every other element repeats
# a handful of times in a real invoice: the largest corpus invoice repeats one under the
# same parent at most 10 times within a line or the header, and gives one element at
# most 48 children.
LINE_ELEMENTS = frozenset(
    {
        "InvoiceLine",
        "OrderLine",
        "CreditNoteLine",
        "SubInvoiceLine",
        "SubCreditNoteLine",
        "IncludedSupplyChainTradeLineItem",
        "InvoiceRow",
        "SubInvoiceRow",
        "ItemEntry",
        "Invoice",
    }
)
_LINE_TAGS = tuple(f"{{*}}{name}" for name in sorted(LINE_ELEMENTS))
_TAG = attrgetter("tag")


def parse_whole(data: bytes, limits: ParseLimits) -> etree._Element | None:
    """The root of a document within every shape limit, parsed in one call; None when
    that cannot be shown cheaply (then ``parse_counted`` decides)."""
    if (
        len(data) > _MIN_ELEMENT_BYTES * limits.max_elements
        and data.count(b"<") > limits.max_elements
    ):
        return None
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError:
        return None
    return root if _within_shape(root, limits) else None


class _Parsers(threading.local):
    """One parser per thread: lxml serialises the calls of threads sharing one."""

    def __init__(self) -> None:
        self.parser = etree.XMLParser(**PARSER_OPTIONS)


_PARSERS = _Parsers()


def _parser() -> etree.XMLParser:
    return _PARSERS.parser


def _within_shape(root: etree._Element, limits: ParseLimits) -> bool:
    """Whether a counted parse of this tree would find no limit exceeded.

    Depth by one XPath. Width and repeats from how often each tag occurs: an element
    has fewer children than the document has elements, and a name occurs under parents
    of one name within one line (or the header) at most as often as in the whole
    document, so the exact counts are only taken where those totals are over a limit.
    """
    if _deeper_than(limits.max_depth)(root):
        return False
    tags = Counter(map(_TAG, root.iter(etree.Element)))
    others = sum(tags.values()) - 1  # every element but the root counts
    if others > limits.max_children and any(
        _width(element) > limits.max_children
        for element in root.iter(etree.Element)
        if len(element) > limits.max_children
    ):
        return False
    if others <= limits.max_repeats and others <= limits.max_lines:
        return True
    by_name: dict[str, int] = {}
    for tag, count in tags.items():
        name = tag[tag.rfind("}") + 1 :]
        by_name[name] = by_name.get(name, 0) + count
    for name, count in by_name.items():
        limit = limits.max_lines if name in LINE_ELEMENTS else limits.max_repeats
        if count > limit and _repeats_over(root, name, limit):
            return False
    return True


@cache
def _deeper_than(levels: int) -> etree.XPath:
    """An XPath that is true when an element nests deeper than ``levels`` (the root is 1)."""
    return etree.XPath("boolean(" + "/*" * (levels + 1) + ")")


def _width(element: etree._Element) -> int:
    """Children that count against ``max_children``: all but lines."""
    return sum(
        1 for child in element.iterchildren(etree.Element) if _local(child.tag) not in LINE_ELEMENTS
    )


def _repeats_over(root: etree._Element, name: str, limit: int) -> bool:
    """Whether elements of this name occur more than ``limit`` times under parents of one
    name within one line (or within the header), as ``parse_counted`` counts them."""
    counts: dict[tuple[etree._Element | None, str], int] = {}
    for element in root.iter(f"{{*}}{name}"):
        parent = element.getparent()
        if parent is None:
            continue  # the root is not counted
        line = next(element.iterancestors(*_LINE_TAGS), None)
        key = (None if line is root else line, _local(parent.tag))
        counts[key] = counts.get(key, 0) + 1
        if counts[key] > limit:
            return True
    return False


def _local(tag: str) -> str:
    return tag[tag.rfind("}") + 1 :]


class _Open:
    """An element being parsed: its name, how many (non-line) children it has so far, and
    the repeat counts of the line (or of the header) it belongs to."""

    __slots__ = ("children", "name", "repeats")

    def __init__(self, name: str, repeats: dict[tuple[str, str], int]) -> None:
        self.name = name
        self.children = 0
        self.repeats = repeats


def parse_counted(data: bytes, limits: ParseLimits) -> etree._Element | None:
    """Parse chunk by chunk, checking each element against the limits as it opens.

    Besides the totals, the shape is bounded to what real invoices have, because the
    EN 16931 rules compare groups with each other: every VAT breakdown with every line,
    every failed element with its preceding siblings (to write its location). So an
    element repeats under the same parent element at most ``max_repeats`` times within
    one line or within the header (counted whatever wraps them), lines at most
    ``max_lines`` times, and an element has at most ``max_children`` other children.
    """
    parser = etree.XMLPullParser(events=("start", "end"), **PARSER_OPTIONS)
    stack: list[_Open] = []
    elements = 0
    for offset in range(0, len(data), _CHUNK_BYTES):
        parser.feed(data[offset : offset + _CHUNK_BYTES])
        for event, element in parser.read_events():
            if event == "end":
                stack.pop()
                continue
            elements += 1
            if elements > limits.max_elements:
                raise LimitExceeded(
                    f"The document has more than {limits.max_elements} elements; a real "
                    "invoice has far fewer"
                )
            tag = element.tag
            name = tag[tag.rfind("}") + 1 :]
            if not stack:
                stack.append(_Open(name, {}))
                continue
            if len(stack) >= limits.max_depth:
                raise LimitExceeded(
                    f"The document nests more than {limits.max_depth} levels deep; the limit "
                    f"is {limits.max_depth}"
                )
            parent = stack[-1]
            is_line = name in LINE_ELEMENTS
            _count_repeat(parent, name, is_line=is_line, limits=limits)
            stack.append(_Open(name, {} if is_line else parent.repeats))
    return parser.close()


def _count_repeat(parent: _Open, name: str, *, is_line: bool, limits: ParseLimits) -> None:
    key = (parent.name, name)
    count = parent.repeats[key] = parent.repeats.get(key, 0) + 1
    if is_line and count > limits.max_lines:
        raise LimitExceeded(
            f"The document has more than {limits.max_lines} {name} in {parent.name}; the "
            f"limit is {limits.max_lines}"
        )
    if is_line:
        return
    if count > limits.max_repeats:
        raise LimitExceeded(
            f"The document repeats {name} in {parent.name} more than {limits.max_repeats} "
            "times; a real invoice repeats it a few times"
        )
    parent.children += 1
    if parent.children > limits.max_children:
        raise LimitExceeded(
            f"{parent.name} has more than {limits.max_children} child elements; a real "
            "invoice has a few dozen"
        )
