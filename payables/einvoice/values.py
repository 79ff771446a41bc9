"""Typed values at a path below an element: what every mapping reads, None-safe.

The parent may be absent (an optional group the document leaves out); then the value is
empty, not an error. A number that does not read is refused with its location.

A path of plain child steps (``"cac:Party/cbc:Name"``, ``"VatPoint/VatPointDate"``) is
turned into Clark tags once and matched by lxml's ``iterchildren`` in C, which finds what
``find``/``findall`` find, in the same order, without ElementPath's work per call; any
other path goes to ``find``/``findall`` as written.

A parent may also be an element's ``Children``: its children indexed by tag in one walk,
for a mapping that reads many values of one element (a row, a party, the header), where
a search per value would walk the children again each time.
"""

from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

from payables.einvoice.xmlsafe import text, to_decimal

Namespaces = dict[str, str]
Tags = tuple[str, ...]

_STEP = re.compile(r"(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)")
# (path, id of the prefix map) -> (that prefix map, its Clark tags or None when the path is
# not plain child steps). Holding the map keeps its id from being reused by another.
_COMPILED: dict[tuple[str, int], tuple[Namespaces | None, Tags | None]] = {}
_MAX_COMPILED = 4096


def clark_tags(path: str, namespaces: Namespaces | None = None) -> Tags | None:
    """The Clark tags of a path of plain child steps, compiled once; None for any other.

    >>> clark_tags("p:A/B", {"p": "urn:p"}), clark_tags(".//A"), clark_tags("x:A")
    (('{urn:p}A', 'B'), None, None)
    """
    key = (path, id(namespaces))
    entry = _COMPILED.get(key)
    if entry is not None and entry[0] is namespaces:
        return entry[1]
    if len(_COMPILED) >= _MAX_COMPILED:
        _COMPILED.clear()
    tags = _compile(path, namespaces or {})
    _COMPILED[key] = (namespaces, tags)
    return tags


def _compile(path: str, namespaces: Namespaces) -> Tags | None:
    if None in namespaces or "" in namespaces:
        return None  # a default namespace: left to ``find``
    tags = []
    for step in path.split("/"):
        match = _STEP.fullmatch(step)
        if match is None:
            return None
        prefix, name = match.groups()
        if prefix is None:
            tags.append(name)
        elif prefix in namespaces:
            tags.append(f"{{{namespaces[prefix]}}}{name}")
        else:
            return None  # ``find`` names the unknown prefix
    return tuple(tags)


def first_at(parent: etree._Element, tags: Tags) -> etree._Element | None:
    """The first element at the tag path, in document order (as ``find``)."""
    if len(tags) == 1:
        return next(parent.iterchildren(tags[0]), None)
    rest = tags[1:]
    for node in parent.iterchildren(tags[0]):
        found = first_at(node, rest)
        if found is not None:
            return found
    return None


def every_at(parent: etree._Element, tags: Tags) -> list[etree._Element]:
    """Every element at the tag path, in document order (as ``findall``)."""
    if len(tags) == 1:
        return list(parent.iterchildren(tags[0]))
    rest = tags[1:]
    return [found for node in parent.iterchildren(tags[0]) for found in every_at(node, rest)]


def find_at(
    parent: Parent, path: str, namespaces: Namespaces | None = None
) -> etree._Element | None:
    """The first element at ``path``; None when there is none (or no parent)."""
    if parent is None:
        return None
    if type(parent) is Children:
        return parent.find(path, namespaces)
    tags = clark_tags(path, namespaces)
    if tags is None:
        return parent.find(path, namespaces)
    if len(tags) == 1:
        return next(parent.iterchildren(tags[0]), None)
    return first_at(parent, tags)


def findall_at(
    parent: Parent, path: str, namespaces: Namespaces | None = None
) -> list[etree._Element]:
    """Every element at ``path``, in document order; [] without a parent."""
    if parent is None:
        return []
    if type(parent) is Children:
        return parent.findall(path, namespaces)
    tags = clark_tags(path, namespaces)
    return parent.findall(path, namespaces) if tags is None else every_at(parent, tags)


def text_at(parent: Parent, path: str, namespaces: Namespaces | None = None) -> str:
    """The stripped text of the first element at ``path``; "" when there is none."""
    found = find_at(parent, path, namespaces)
    if found is None or (value := found.text) is None:
        return ""
    return value.strip()


def texts_at(parent: Parent, path: str, namespaces: Namespaces | None = None) -> list[str]:
    """The non-empty texts of every element at ``path``, in document order."""
    return [value for element in findall_at(parent, path, namespaces) if (value := text(element))]


def decimal_at(parent: Parent, path: str, namespaces: Namespaces | None = None) -> Decimal | None:
    """The amount at ``path`` (a decimal comma is fine); None when absent or empty."""
    found = find_at(parent, path, namespaces)
    value = text(found)
    return to_decimal(value, element=found) if value else None


class Children:
    """An element's children indexed by tag: one walk over them, then each step that names
    a child is a dict lookup. Read through ``find_at`` and its kin, like the element."""

    __slots__ = ("_first", "element")

    def __init__(self, element: etree._Element | None) -> None:
        self.element = element
        first: dict[object, etree._Element] = {}
        if element is not None:
            for child in element:
                first.setdefault(child.tag, child)
        self._first = first

    def find(self, path: str, namespaces: Namespaces | None = None) -> etree._Element | None:
        """The first element at ``path`` (as ``find``)."""
        tags = clark_tags(path, namespaces)
        if tags is None:
            return None if self.element is None else self.element.find(path, namespaces)
        found = self._first.get(tags[0])
        if found is None or len(tags) == 1:
            return found
        return first_at(self.element, tags)

    def findall(self, path: str, namespaces: Namespaces | None = None) -> list[etree._Element]:
        """Every element at ``path``, in document order (as ``findall``)."""
        tags = clark_tags(path, namespaces)
        if tags is None:
            return [] if self.element is None else self.element.findall(path, namespaces)
        if tags[0] not in self._first:
            return []
        return every_at(self.element, tags)


Parent = etree._Element | Children | None


def element_of(parent: Parent) -> etree._Element | None:
    """The element itself, whether given as the element or as its ``Children``."""
    return parent.element if type(parent) is Children else parent
