"""Namespace-blind element navigation, so that ZUGFeRD 1.0 and D16B read alike.

A step names a child by local name; ``"A|B"`` accepts either. Steps become lxml's
``{*}name`` wildcards, matched in C by ``iterchildren``: no Python call per child.
"""

from __future__ import annotations

from functools import cache

from lxml import etree

from payables.einvoice.xmlsafe import text


def local(element: etree._Element) -> str:
    """The tag's local name; "" for comments and processing instructions."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


@cache
def wildcards(step: str) -> tuple[str, ...]:
    """The ``{*}name`` tags of a step: its local names in any namespace, or in none.

    >>> wildcards("RateApplicablePercent|ApplicablePercent")
    ('{*}RateApplicablePercent', '{*}ApplicablePercent')
    """
    return tuple(f"{{*}}{name}" for name in step.split("|"))


def children(element: etree._Element | None, names: str) -> list[etree._Element]:
    """The direct children named by one step."""
    if element is None:
        return []
    return list(element.iterchildren(*wildcards(names)))


def all_at(element: etree._Element | None, *path: str) -> list[etree._Element]:
    """Every element at the path of steps."""
    found = [element] if element is not None else []
    for step in path:
        tags = wildcards(step)
        found = [node for parent in found for node in parent.iterchildren(*tags)]
    return found


def child(element: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element at the path of steps, or None."""
    for step in path:
        if element is None:
            return None
        element = next(element.iterchildren(*wildcards(step)), None)
    return element


def child_text(element: etree._Element | None, *path: str) -> str:
    """The stripped text of the first element at the path; "" when there is none."""
    return text(child(element, *path))


def attr(element: etree._Element | None, name: str) -> str:
    """A stripped attribute; "" when the element or the attribute is absent."""
    return "" if element is None else (element.get(name) or "").strip()
