"""Which node names an XSLT match pattern can match, read from its last step.

``skeleton`` uses it to apply at each node only the schematron patterns that have a
rule for that node's name. The reading is deliberately narrow: a pattern whose last
step is anything but a plain element or attribute name (a wildcard, a kind test, an
axis, a function) gives None, "any node".
"""

from __future__ import annotations

import re

_NAME = re.compile(r"^(@?)(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)$")
_OPEN = {"[": "]", "(": ")"}


def last_step_names(pattern: str, namespaces: dict[str | None, str]) -> set[str] | None:
    """The names (``{uri}local`` for elements, ``@{uri}local`` for attributes) the
    pattern's last step can match; None when it could match other names too.

    >>> sorted(last_step_names("//ram:A[x/y] | (b:C|b:D)/@id", {"ram": "r", "b": "u"}))
    ['@id', '{r}A']
    """
    names: set[str] = set()
    for alternative in _split(pattern, "|"):
        alternative = alternative.strip()
        inner = _parenthesised(alternative)
        if inner is not None:
            found = last_step_names(inner, namespaces)
        else:
            steps = _split(alternative, "/")
            found = _step_name(steps[-1], namespaces) if steps else None
        if found is None:
            return None
        names |= found
    return names or None


def _step_name(step: str, namespaces: dict[str | None, str]) -> set[str] | None:
    bracket = _top_level_index(step, "[")
    test = (step if bracket < 0 else step[:bracket]).strip()
    if bracket >= 0 and not step.rstrip().endswith("]"):
        return None
    match = _NAME.match(test)
    if match is None:
        return None
    at, prefix, local = match.groups()
    if prefix is None:
        return {f"{at}{local}"}  # no namespace (no xpath-default-namespace: see skeleton)
    if prefix not in namespaces:
        return None
    return {f"{at}{{{namespaces[prefix]}}}{local}"}


def _parenthesised(text: str) -> str | None:
    """The inside of ``( ... )`` when the parentheses enclose the whole text."""
    if not (text.startswith("(") and text.endswith(")")):
        return None
    return text[1:-1] if _closing(text, 0) == len(text) - 1 else None


def _split(text: str, separator: str) -> list[str]:
    """Split on a separator outside brackets, parentheses and string literals."""
    parts, depth, quote, start = [], [], None, 0
    for index, char in enumerate(text):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in _OPEN:
            depth.append(_OPEN[char])
        elif depth and char == depth[-1]:
            depth.pop()
        elif not depth and char == separator:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part for part in parts if part.strip()] if separator == "/" else parts


def _top_level_index(text: str, wanted: str) -> int:
    depth, quote = 0, None
    for index, char in enumerate(text):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == wanted and depth == 0:
            return index
        elif char in _OPEN:
            depth += 1
        elif char in ")]":
            depth -= 1
    return -1


def _closing(text: str, start: int) -> int:
    """The index of the parenthesis that closes the one at ``start``."""
    depth, quote = 0, None
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth == 0:
                return index
    return -1
